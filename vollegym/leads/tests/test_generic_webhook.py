import json
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from vollegym.core.testing import run_tasks
from vollegym.leads.inbound import sign_generic
from vollegym.leads.models import InboundEvent, Lead
from vollegym.leads.services import lead_settings_for
from vollegym.people.models import ConsentEntry

URL = "/hooks/leads/kracht-utrecht/"


def body(**fields):
    data = {
        "external_id": "zap-1",
        "name": "Eva de Boer",
        "email": "eva@example.nl",
        "phone": "06-12345678",
        "source": "website",
        "campaign": "najaar",
        "consent": [{"purpose": "contact", "text": "Ja, jullie mogen mij bellen.", "given": True}],
        "answers": {"doel": "sterker worden"},
    }
    data.update(fields)
    return json.dumps(data).encode()


def post(client, studio, raw, *, secret=None, timestamp=None, header=None):
    secret = secret if secret is not None else lead_settings_for(studio).webhook_secret
    signature = header if header is not None else sign_generic(raw, secret, timestamp)
    return client.post(URL, raw, content_type="application/json", headers={"X-Vollegym-Signature": signature})


@pytest.mark.django_db
def test_a_signed_lead_is_stored_then_processed_in_the_background(cast, client):
    response = post(client, cast.studio, body())
    assert response.status_code == 202 and response.json()["status"] == "accepted"
    assert InboundEvent.objects.for_studio(cast.studio).get().status == "pending"
    assert Lead.objects.for_studio(cast.studio).count() == 0  # not yet: the answer came first
    run_tasks()
    lead = Lead.objects.for_studio(cast.studio).get()
    assert (lead.name, lead.email, lead.phone, lead.source, lead.campaign) == (
        "Eva de Boer", "eva@example.nl", "+31612345678", "website", "najaar",
    )  # fmt: skip
    assert lead.answers == {"doel": "sterker worden"}
    assert (
        ConsentEntry.objects.for_studio(cast.studio).get(person=lead.person).wording
        == "Ja, jullie mogen mij bellen."
    )
    event = InboundEvent.objects.for_studio(cast.studio).get()
    assert event.status == "processed" and event.lead == lead


@pytest.mark.django_db
def test_a_replayed_delivery_makes_no_second_lead(cast, client):
    raw = body()
    assert post(client, cast.studio, raw).status_code == 202
    again = post(client, cast.studio, raw)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    run_tasks()
    assert Lead.objects.for_studio(cast.studio).count() == 1
    assert InboundEvent.objects.for_studio(cast.studio).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("", "must look like"),
        ("t=abc,v1=00", "must look like"),
        ("sha256=deadbeef", "must look like"),
    ],
)
def test_a_missing_or_malformed_signature_is_refused(cast, client, header, reason):
    response = post(client, cast.studio, body(), header=header)
    assert response.status_code == 403 and reason in response.json()["reason"]
    assert InboundEvent.all_studios.count() == 0


@pytest.mark.django_db
def test_a_wrong_secret_or_tampered_body_stores_nothing(cast, client):
    assert post(client, cast.studio, body(), secret="not-the-secret").status_code == 403
    raw = body()
    signature = sign_generic(raw, lead_settings_for(cast.studio).webhook_secret)
    tampered = raw.replace(b"Eva", b"Eve")
    response = post(client, cast.studio, tampered, header=signature)
    assert response.status_code == 403 and "does not match" in response.json()["reason"]
    # another studio's secret does not open this studio's door
    assert (
        post(
            client, cast.studio, body(), secret=lead_settings_for(cast.other_studio).webhook_secret
        ).status_code
        == 403
    )
    assert InboundEvent.all_studios.count() == 0


@pytest.mark.django_db
def test_a_stale_signature_is_refused(cast, client):
    response = post(client, cast.studio, body(), timestamp=int(time.time()) - 301)
    assert response.status_code == 403 and "seconds off" in response.json()["reason"]
    assert post(client, cast.studio, body(), timestamp=int(time.time()) - 200).status_code == 202


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"[]", "body"),
        (body(external_id=""), "external_id"),
        (body(email="geen-mail", phone=""), "not an e-mail address"),
        (body(email="", phone=""), "e-mail address or a phone number"),
        (body(source="tiktok"), "unknown source"),
        (body(consent=[{"purpose": "contact", "given": "ja"}]), "consent"),
        (body(answers=["a"]), "answers"),
    ],
)
def test_malformed_bodies_get_a_400_with_a_reason_and_are_kept_for_a_person(cast, client, raw, reason):
    response = post(client, cast.studio, raw)
    assert response.status_code == 400, response.content
    assert reason in response.json()["reason"]
    # Signed, so the studio's own sender: kept as failed (never as a lead), with the body as it came.
    event = InboundEvent.all_studios.get()
    assert (event.studio, event.status, event.payload["body"]) == (cast.studio, "failed", raw.decode())
    run_tasks()
    assert Lead.objects.for_studio(cast.studio).count() == 0


@pytest.mark.django_db
def test_an_unknown_studio_is_404_and_get_is_405(cast, client):
    raw = body()
    response = client.post("/hooks/leads/bestaat-niet/", raw, content_type="application/json")
    assert response.status_code == 404
    assert client.get(URL).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_five_identical_deliveries_at_once_make_one_lead(cast):
    raw = body(external_id="same-one")
    signature = sign_generic(raw, lead_settings_for(cast.studio).webhook_secret)
    statuses: list[int] = []
    start = threading.Barrier(5)

    def deliver():
        try:
            start.wait()
            response = Client().post(
                URL, raw, content_type="application/json", headers={"X-Vollegym-Signature": signature}
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 200, 200, 200, 202]
    run_tasks()
    assert Lead.objects.for_studio(cast.studio).count() == 1
    assert InboundEvent.objects.for_studio(cast.studio).count() == 1
