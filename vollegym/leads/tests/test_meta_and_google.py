import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from vollegym.core import clock
from vollegym.core.testing import run_tasks
from vollegym.leads.models import GoogleLeadForm, InboundEvent, Lead
from vollegym.leads.services import meta_page_connect
from vollegym.leads.tests.graph_stub import start_graph_stub
from vollegym.people.models import ConsentEntry

pytestmark = pytest.mark.django_db

APP_SECRET = "meta-app-secret"


@pytest.fixture
def graph(settings):
    stub, server = start_graph_stub()
    settings.META_GRAPH_URL = stub.url
    settings.META_APP_SECRET = APP_SECRET
    settings.META_VERIFY_TOKEN = "verify-me"
    yield stub
    server.shutdown()


def delivery(*changes):
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {"id": page, "time": 1764000000, "changes": [{"field": "leadgen", "value": {
                    "leadgen_id": leadgen, "page_id": page, "form_id": "777", "ad_id": "238", "created_time": 1764000000,
                }}]}
                for page, leadgen in changes
            ],
        }
    ).encode()  # fmt: skip


def post_meta(client, raw, secret=APP_SECRET, header=None):
    signature = (
        header
        if header is not None
        else "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    )
    return client.post(
        "/hooks/meta/", raw, content_type="application/json", headers={"X-Hub-Signature-256": signature}
    )


def test_handshake_echoes_the_challenge_only_with_the_right_token(client, graph):
    ok = client.get(
        "/hooks/meta/",
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = client.get(
        "/hooks/meta/", {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403


def test_a_signed_delivery_fetches_the_answers_and_makes_a_lead(cast, client, graph):
    meta_page_connect(studio=cast.studio, page_id="1001", page_token=graph.token)
    graph.add_lead(
        "L1",
        full_name="Eva de Boer",
        email="eva@example.nl",
        phone_number="+31612345678",
        doel="Sterker worden",
    )
    response = post_meta(client, delivery(("1001", "L1")))
    assert response.status_code == 200
    run_tasks()
    lead = Lead.objects.for_studio(cast.studio).get()
    assert (lead.name, lead.email, lead.phone, lead.source) == (
        "Eva de Boer",
        "eva@example.nl",
        "+31612345678",
        "meta",
    )
    assert (lead.campaign, lead.ad, lead.form) == ("Herfstcampagne", "Najaar 40+", "777")
    assert lead.answers == {"doel": "Sterker worden"}
    assert ConsentEntry.objects.for_studio(cast.studio).get(person=lead.person).given
    assert "access_token=page-token-1" in graph.requests[0]


def test_unsigned_or_badly_signed_deliveries_store_nothing(cast, client, graph):
    meta_page_connect(studio=cast.studio, page_id="1001", page_token=graph.token)
    raw = delivery(("1001", "L1"))
    assert post_meta(client, raw, header="").status_code == 403
    assert post_meta(client, raw, secret="wrong").status_code == 403
    assert post_meta(client, raw, header="sha1=abc").status_code == 403
    assert InboundEvent.all_studios.count() == 0


def test_a_batch_with_an_unknown_page_routes_what_it_can(cast, client, graph):
    meta_page_connect(studio=cast.studio, page_id="1001", page_token=graph.token)
    meta_page_connect(studio=cast.other_studio, page_id="2002", page_token=graph.token)
    graph.add_lead("A", full_name="Anna", email="anna@example.nl")
    graph.add_lead("B", first_name="Bram", last_name="Bos", phone_number="0612345678")
    response = post_meta(client, delivery(("1001", "A"), ("2002", "B"), ("9999", "C")))
    assert response.status_code == 200
    routed = {e["leadgen_id"]: e["routed"] for e in response.json()["events"]}
    assert routed == {"A": True, "B": True, "C": False}
    run_tasks()
    assert [lead.name for lead in Lead.objects.for_studio(cast.studio)] == ["Anna"]
    assert [(lead.name, lead.phone) for lead in Lead.objects.for_studio(cast.other_studio)] == [
        ("Bram Bos", "+31612345678")
    ]
    unroutable = InboundEvent.all_studios.get(dedupe_key="C")
    assert unroutable.status == "unroutable" and unroutable.studio is None


def test_meta_retries_make_no_second_lead(cast, client, graph):
    meta_page_connect(studio=cast.studio, page_id="1001", page_token=graph.token)
    graph.add_lead("L1", full_name="Eva", email="eva@example.nl")
    raw = delivery(("1001", "L1"))
    for _ in range(3):
        assert post_meta(client, raw).status_code == 200
    run_tasks()
    assert Lead.objects.for_studio(cast.studio).count() == 1
    assert InboundEvent.all_studios.count() == 1


def test_a_graph_outage_is_retried_later(cast, client, graph):
    meta_page_connect(studio=cast.studio, page_id="1001", page_token=graph.token)
    graph.add_lead("L1", full_name="Eva", email="eva@example.nl")
    graph.fail_next = 1
    post_meta(client, delivery(("1001", "L1")))
    run_tasks()
    event = InboundEvent.all_studios.get()
    assert event.status == "pending" and event.attempts == 1 and "500" in event.error  # waits, then again
    assert Lead.objects.for_studio(cast.studio).count() == 0
    with time_machine.travel(clock.now() + timedelta(minutes=1)):
        run_tasks()
    event.refresh_from_db()
    assert event.status == "processed" and Lead.objects.for_studio(cast.studio).count() == 1


def test_a_wrong_page_token_fails_visibly_without_retry(cast, client, graph):
    meta_page_connect(studio=cast.studio, page_id="1001", page_token="stale-token")
    graph.add_lead("L1", full_name="Eva", email="eva@example.nl")
    post_meta(client, delivery(("1001", "L1")))
    run_tasks()
    event = InboundEvent.all_studios.get()
    assert event.status == "failed" and "Invalid OAuth access token" in event.error


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{", "not JSON"),
        (b'{"object": "user", "entry": []}', "expected"),
        (
            b'{"object": "page", "entry": [{"id": "1", "changes": [{"field": "leadgen", "value": {}}]}]}',
            "leadgen_id",
        ),
    ],
)
def test_malformed_meta_bodies_get_a_400(client, graph, raw, reason):
    response = post_meta(client, raw)
    assert response.status_code == 400 and reason in response.json()["reason"]


def test_connect_meta_command_and_a_page_belongs_to_one_studio(cast, graph):
    call_command("connect_meta", "kracht-utrecht", page_id="1001", page_token="tok")
    with pytest.raises(CommandError, match="another studio"):
        call_command("connect_meta", "andere-studio", page_id="1001", page_token="tok")
    with pytest.raises(CommandError, match="numeric"):
        call_command("connect_meta", "andere-studio", page_id="abc", page_token="tok")


# Google Ads lead forms ---------------------------------------------------------------------------------


def google_body(**overrides):
    body = {
        "lead_id": "G1", "api_version": "1.0", "form_id": 40, "campaign_id": 5, "google_key": "form-key",
        "is_test": False, "gcl_id": "abc", "adgroup_id": 7, "creative_id": 9,
        "user_column_data": [
            {"column_name": "Full Name", "string_value": "Eva de Boer", "column_id": "FULL_NAME"},
            {"column_name": "User Email", "string_value": "eva@example.nl", "column_id": "EMAIL"},
            {"column_name": "User Phone", "string_value": "06 12345678", "column_id": "PHONE_NUMBER"},
            {"column_name": "Wat is je doel?", "string_value": "Afvallen", "column_id": "doel"},
        ],
    }  # fmt: skip
    body.update(overrides)
    return body


def test_google_lead_with_the_forms_key_becomes_a_lead(cast, client):
    GoogleLeadForm.objects.create(studio=cast.studio, form_id="40", key="form-key")
    response = client.post("/hooks/google/kracht-utrecht/", google_body(), content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    run_tasks()
    lead = Lead.objects.for_studio(cast.studio).get()
    assert (lead.name, lead.email, lead.phone, lead.source, lead.form) == (
        "Eva de Boer", "eva@example.nl", "+31612345678", "google", "40",
    )  # fmt: skip
    assert lead.answers == {"Wat is je doel?": "Afvallen"} and lead.utm["gclid"] == "abc"


def test_google_wrong_key_or_another_studios_key_is_refused(cast, client):
    GoogleLeadForm.objects.create(studio=cast.studio, form_id="40", key="form-key")
    GoogleLeadForm.objects.create(studio=cast.other_studio, form_id="", key="other-key")
    for key in ("wrong", "other-key"):
        response = client.post(
            "/hooks/google/kracht-utrecht/", google_body(google_key=key), content_type="application/json"
        )
        assert response.status_code == 403
    assert InboundEvent.all_studios.count() == 0


def test_google_is_idempotent_on_lead_id_and_keeps_test_leads_apart(cast, client):
    GoogleLeadForm.objects.create(studio=cast.studio, form_id="", key="form-key")
    for _ in range(2):
        client.post("/hooks/google/kracht-utrecht/", google_body(), content_type="application/json")
    client.post(
        "/hooks/google/kracht-utrecht/",
        google_body(lead_id="T1", is_test=True),
        content_type="application/json",
    )
    run_tasks()
    assert Lead.objects.for_studio(cast.studio).real().count() == 1
    test_lead = Lead.objects.for_studio(cast.studio).get(is_test=True)
    assert test_lead.due_at is None  # no clock, no coach, no messages for Google's test button


def test_google_malformed_body_is_400(cast, client):
    GoogleLeadForm.objects.create(studio=cast.studio, form_id="", key="form-key")
    response = client.post("/hooks/google/kracht-utrecht/", {"lead_id": "x"}, content_type="application/json")
    assert response.status_code == 400 and "google_key" in response.json()["reason"]
    no_contact = google_body(user_column_data=[{"column_id": "FULL_NAME", "string_value": "Eva"}])
    response = client.post("/hooks/google/kracht-utrecht/", no_contact, content_type="application/json")
    assert response.status_code == 400 and "phone number" in response.json()["reason"]
