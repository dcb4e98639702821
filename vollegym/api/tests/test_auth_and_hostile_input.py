import pytest

from vollegym.api.models import ApiToken
from vollegym.api.services import api_token_revoke, token_hash
from vollegym.api.tests.kit import ApiClient, make_token
from vollegym.core.testing import make_lead
from vollegym.leads.models import Lead

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/studios/kracht-utrecht/leads"


def _problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["title"] and body["detail"]
    assert body["type"].endswith(f"#problem-{code}")
    return body


def test_no_token_a_wrong_token_and_a_revoked_token_are_401_problems(cast, client):
    _problem(client.get(LEADS), 401, "not_authenticated")
    _problem(ApiClient("vg_nietbestaand").get(LEADS), 401, "not_authenticated")
    _problem(client.get(LEADS, headers={"Authorization": "Basic abc"}), 401, "not_authenticated")
    made = make_token(cast.studio, cast.owner)
    assert ApiClient(made.secret).get(LEADS).status_code == 200
    api_token_revoke(token=made.token, by=cast.owner)
    _problem(ApiClient(made.secret).get(LEADS), 401, "token_revoked")


def test_only_a_hash_and_a_prefix_of_the_token_are_kept(cast):
    made = make_token(cast.studio, cast.owner)
    row = ApiToken.objects.for_studio(cast.studio).get()
    assert row.token_hash == token_hash(made.secret) and made.secret not in row.token_hash
    assert made.secret.startswith(row.prefix) and len(row.prefix) < 12 < len(made.secret)


def test_an_agency_token_reaches_every_studio_while_its_maker_is_the_agency(cast):
    made = make_token(None, cast.agency)
    agency = ApiClient(made.secret)
    assert agency.get(LEADS).status_code == 200
    assert agency.get("/api/v1/studios/andere-studio/leads").status_code == 200
    _problem(agency.get("/api/v1/studios/bestaat-niet/leads"), 404, "not_found")
    cast.agency.is_agency = False
    cast.agency.save(update_fields=["is_agency"])
    _problem(agency.get(LEADS), 401, "token_revoked")


def test_a_studio_token_does_not_reach_a_switched_off_studio(cast):
    client = ApiClient(make_token(cast.studio, cast.owner).secret)
    cast.studio.is_active = False
    cast.studio.save(update_fields=["is_active"])
    _problem(client.get(LEADS), 404, "not_found")


def test_past_the_limit_a_token_gets_429_with_retry_after(cast, settings):
    settings.API_RATE_PER_MINUTE = 3
    client = ApiClient(make_token(cast.studio, cast.owner).secret)
    assert [client.get(LEADS).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(LEADS)
    _problem(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    # another token has its own count
    assert ApiClient(make_token(cast.studio, cast.owner).secret).get(LEADS).status_code == 200


def test_use_is_noted_on_the_token(cast):
    made = make_token(cast.studio, cast.owner)
    ApiClient(made.secret).get(LEADS)
    made.token.refresh_from_db()
    assert made.token.last_used_at is not None


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"email": "a@example.nl", "answers": ' + b'{"a":' * 50 + b"1" + b"}" * 50 + b"}", "invalid_body"),
        (b'{"email": "a@example.nl", "answers": {"n": 1e400}}', "invalid_body"),
        (b'{"email": "a@example.nl", "answers": {"n": ' + b"9" * 500 + b"}}", "invalid_body"),
        (b'{"email": "a@example.nl", "answers": {"n": NaN}}', "invalid_body"),
        (b"{not json", "invalid_body"),
        (b"\xff\xfe", "invalid_body"),
        (b"[1, 2]", "validation_failed"),
        (b'{"email": 12}', "validation_failed"),
        (b'{"email": "a@example.nl", "utm": {"x": {"y": 1}}}', "validation_failed"),
    ],
)
def test_hostile_bodies_get_a_clear_problem_and_write_nothing(cast, raw, code):
    client = ApiClient(make_token(cast.studio, cast.owner).secret)
    response = client.post(LEADS, raw=raw)
    assert response.status_code in (400, 422) and response.json()["code"] == code
    assert not Lead.objects.for_studio(cast.studio).exists()


def test_nul_bytes_and_lone_surrogates_are_cleaned_not_a_crash(cast):
    client = ApiClient(make_token(cast.studio, cast.owner).secret)
    raw = b'{"name": "Eva\\u0000 \\ud800de Vries", "email": "eva@example.nl", "answers": {"k\\u0000": "v\\udfff"}}'
    response = client.post(LEADS, raw=raw)
    assert response.status_code == 201, response.content
    assert "\x00" not in response.json()["name"]


@pytest.mark.parametrize(
    "path",
    [
        f"{LEADS}/99999999999999999999999999",
        f"{LEADS}/-1",
        f"{LEADS}/abc",
        f"{LEADS}?limit=100000000000000000000",
        f"{LEADS}?limit=0",
        f"{LEADS}?updated_since=%00",
        f"{LEADS}?updated_since=99999-01-01",
        f"{LEADS}?updated_since=9999-12-31T23:59:59-01:00",
        f"{LEADS}?updated_since=0001-01-01T00:00:00%2B01:00",
        f"{LEADS}?stage=%00",
        f"{LEADS}?source=%ED%A0%80",
        "/api/v1/studios/kracht%00utrecht/leads",
        "/api/v1/studios/%ED%A0%80/leads",
        "/api/v1/studios/kracht-utrecht/events?kind=%00",
        "/api/v1/bestaat-niet/",
    ],
)
def test_hostile_paths_and_queries_get_a_problem_never_a_500(cast, path):
    client = ApiClient(make_token(cast.studio, cast.owner).secret)
    response = client.client.get(path, headers=client.headers)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert response["Content-Type"] == "application/problem+json"


def test_a_moment_with_an_offset_beyond_postgresqls_range_is_read_in_utc(cast):
    """RFC 3339 allows offsets up to 23:59, PostgreSQL up to 15:59: the moment reaches the query in UTC."""
    client = ApiClient(make_token(cast.studio, cast.owner).secret)
    make_lead(cast.studio, name="Eva de Boer", email="eva@example.nl")
    # 2000-01-02T17:23 at +17:23 is midnight UTC on 2 January 2000: the lead of today is newer.
    response = client.client.get(f"{LEADS}?updated_since=2000-01-02T17:23:00%2B17:23", headers=client.headers)
    assert response.status_code == 200, response.content
    assert [lead["name"] for lead in response.json()["items"]] == ["Eva de Boer"]
    later = client.client.get(f"{LEADS}?updated_since=9998-01-01T00:00:00-23:59", headers=client.headers)
    assert later.status_code == 200 and later.json()["items"] == []


def test_a_method_the_path_does_not_take_is_a_405_problem(cast):
    client = ApiClient(make_token(cast.studio, cast.owner).secret)
    response = client.client.delete(LEADS, headers=client.headers)
    _problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_the_schema_and_the_reference_page_are_public_and_within_the_csp(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and "/api/v1/studios/{studio}/leads" in schema.json()["paths"]
    assert schema.json()["components"]["securitySchemes"]
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert "Capture a lead" in page.text and 'id="problem-rate_limited"' in page.text
    assert "<script" not in page.text and "cdn" not in page.text.lower() and "style=" not in page.text
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert client.get("/api/v1/")["Location"] == "/api/v1/docs/"
