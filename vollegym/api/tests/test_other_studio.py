"""Every studio-scoped operation, walked with another studio's token and ids: a 404 problem, never data."""

import json

import pytest

from vollegym.api.tests.kit import ApiClient, make_token, plant_world
from vollegym.api.v1 import api as ninja_api
from vollegym.leads.models import Lead
from vollegym.people.models import DomainEvent

pytestmark = pytest.mark.django_db

# A body each write accepts, so the 404 comes from the studio or the id, not from the body.
BODIES = {
    "leads": {"email": "indringer@example.nl"},
    "stage": {"stage": "lost", "lost_reason": "weg"},
    "contacts": {"kind": "call", "outcome": "reached"},
    "outcome": {"outcome": "won"},
}


def _operations():
    schema = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    for path, item in schema["paths"].items():
        for method in item:
            yield method, path


def _url(path, slug, ids):
    url = path.replace("{studio}", slug)
    if "/conversations/" in path:  # a conversation's id is named booking_id too: the intake's booking
        url = url.replace("{booking_id}", str(ids["conversation"]))
    for name, value in ids.items():
        url = url.replace("{" + name + "}", str(value))
    assert "{" not in url, url
    return url


def _call(client, method, path, url):
    if method == "get":
        return client.get(url)
    return client.post(url, BODIES[path.rstrip("/").rsplit("/", 1)[-1]])


def test_the_walk_covers_every_operation():
    operations = list(_operations())
    assert len(operations) >= 25
    assert all("/studios/{studio}/" in path for _method, path in operations)


def test_every_operation_is_404_for_another_studios_token_and_for_its_ids(cast):
    victim = plant_world(cast.studio, cast.coach)
    own = plant_world(cast.other_studio, cast.outsider)
    outsider = ApiClient(make_token(cast.other_studio, cast.outsider).secret)
    events_before = DomainEvent.objects.for_studio(cast.studio).count()
    for method, path in _operations():
        # their token, the victim's studio in the path, the victim's ids
        response = _call(outsider, method, path, _url(path, cast.studio.slug, victim))
        assert response.status_code == 404, f"{method} {path}: {response.status_code}"
        assert (
            response["Content-Type"] == "application/problem+json" and response.json()["code"] == "not_found"
        )
        # their token, their own studio in the path, the victim's ids
        if "_id}" in path:
            mixed = {**own, **victim}
            response = _call(outsider, method, path, _url(path, cast.other_studio.slug, mixed))
            assert response.status_code == 404, (
                f"{method} {path} with the victim's ids: {response.status_code}"
            )
            assert "eva@kracht-utrecht.nl" not in response.text
    # and nothing of the victim's changed through the writes
    assert DomainEvent.objects.for_studio(cast.studio).count() == events_before
    lead = Lead.objects.for_studio(cast.studio).get(pk=victim["lead_id"])
    assert lead.stage == "new" and lead.first_contact_at is None
    assert not Lead.objects.for_studio(cast.studio).filter(person__email="indringer@example.nl").exists()


def test_the_owner_token_reads_its_own_world(cast):
    mine = plant_world(cast.studio, cast.coach)
    client = ApiClient(make_token(cast.studio, cast.owner).secret)
    for method, path in _operations():
        if method != "get":
            continue
        response = client.get(_url(path, cast.studio.slug, mine))
        assert response.status_code == 200, f"{path}: {response.status_code} {response.content[:300]}"
        body = response.json()
        if "items" in body:
            assert body["items"], f"{path} lists nothing"
    payments = client.get("/api/v1/studios/kracht-utrecht/payments").json()["items"]
    assert payments[0]["amount_cents"] == 99500 and payments[0]["mollie_id"] == "tr_kracht-utrecht"
    assert json.loads(json.dumps(payments))  # plain JSON all the way down
