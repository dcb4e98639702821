"""A worker's batch of deliveries: the same leads as one at a time, whatever the batch holds."""

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from vollegym.core.testing import make_cast, make_staff, run_tasks
from vollegym.leads.inbound import inbound_process_due, inbound_store, sign_generic
from vollegym.leads.models import Activity, InboundEvent, Lead
from vollegym.leads.services import LeadInput, lead_capture, lead_check, lead_settings_for, leads_capture
from vollegym.messaging.models import Message
from vollegym.people.models import ConsentEntry, DomainEvent, Person
from vollegym.studios.models import Studio

pytestmark = pytest.mark.django_db

TUESDAY_10 = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def post(studio: Studio, body: dict[str, object]) -> None:
    raw = json.dumps(body).encode()
    response = Client().post(
        f"/hooks/leads/{studio.slug}/", raw, content_type="application/json",
        headers={"X-Vollegym-Signature": sign_generic(raw, lead_settings_for(studio).webhook_secret)},
    )  # fmt: skip
    assert response.status_code == 202, response.content


def lead_body(n: int, **extra: object) -> dict[str, object]:
    return {
        "external_id": f"burst-{n}", "name": f"Eva {n}", "email": f"eva{n}@example.nl",
        "phone": f"0612345{n:03d}", "source": "website",
        "consent": [{"purpose": "contact", "text": "Ja, bel me maar.", "given": True}],
        "answers": {"doel": "sterker"}, **extra,
    }  # fmt: skip


def test_a_burst_of_twenty_deliveries_costs_the_statements_of_one(cast):
    for n in range(21):
        post(cast.studio, lead_body(n))
    assert inbound_process_due(limit=1) == 1  # warm: the studio's settings, the first coach
    with CaptureQueriesContext(connection) as captured:
        assert inbound_process_due(limit=20) == 20
    statements = [q["sql"] for q in captured.captured_queries]
    # In a test the worker's BEGIN … COMMIT is a savepoint, as is the batch's own; neither is a statement in
    # production. Everything else is counted: the claim, the capture and the events' update, for all twenty.
    counted = [sql for sql in statements if "SAVEPOINT" not in sql]
    assert len(counted) <= 13, "\n".join(counted)
    assert Lead.objects.for_studio(cast.studio).count() == 21
    assert Person.objects.for_studio(cast.studio).count() == 21
    assert ConsentEntry.objects.for_studio(cast.studio).count() == 21
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="lead.captured").count() == 21
    assert Message.objects.for_studio(cast.studio).filter(purpose="lead_ack").count() == 21
    assert not InboundEvent.objects.for_studio(cast.studio).exclude(status="processed").exists()
    assert all(e.lead_id for e in InboundEvent.objects.for_studio(cast.studio))


def test_one_bad_delivery_in_a_batch_fails_alone(cast):
    post(cast.studio, lead_body(1))
    # stored under an older rule of the door, say: the door refuses it today, the queue still holds it
    inbound_store(
        studio=cast.studio, provider="generic", dedupe_key=f"generic:{cast.studio.pk}:burst-2",
        payload=lead_body(2, email="niet-een-adres", phone=""),
    )  # fmt: skip
    post(cast.studio, lead_body(3))
    assert inbound_process_due(limit=10) == 3
    events = {e.dedupe_key.rsplit(":", 1)[-1]: e for e in InboundEvent.objects.for_studio(cast.studio)}
    assert events["burst-1"].status == events["burst-3"].status == "processed"
    assert events["burst-2"].status == "failed" and "e-mail" in events["burst-2"].error
    assert Lead.objects.for_studio(cast.studio).count() == 2


def test_a_batch_that_breaks_part_way_leaves_nothing_half_and_is_done_one_by_one(cast, monkeypatch):
    for n in range(3):
        post(cast.studio, lead_body(n))
    real = Activity.objects.bulk_create
    calls = {"n": 0}

    def broken_once(objs, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the database hiccups")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Activity.objects, "bulk_create", broken_once)
    assert inbound_process_due(limit=10) == 3
    assert Lead.objects.for_studio(cast.studio).count() == 3  # each once, none from the broken batch
    assert Activity.objects.for_studio(cast.studio).filter(kind="created").count() == 3
    assert set(InboundEvent.objects.for_studio(cast.studio).values_list("status", "attempts")) == {
        ("processed", 1)
    }


def test_the_same_person_twice_in_one_batch_keeps_one_person_and_one_lead(cast):
    post(cast.studio, lead_body(1))
    post(cast.studio, {**lead_body(2), "email": "eva1@example.nl", "phone": "", "answers": {"tijd": "avond"}})
    post(cast.studio, {**lead_body(3), "email": "ander@example.nl", "phone": "06 12345 001"})
    assert inbound_process_due(limit=10) == 3
    lead = Lead.objects.for_studio(cast.studio).get()
    assert Person.objects.for_studio(cast.studio).count() == 1
    assert lead.answers == {"doel": "sterker", "tijd": "avond"}
    assert Activity.objects.for_studio(cast.studio).filter(lead=lead, kind="submission").count() == 2
    # the same words once in the ledger, whichever delivery brought them
    assert ConsentEntry.objects.for_studio(cast.studio).count() == 1


def test_a_batch_shares_its_leads_round_robin_like_one_by_one():
    cast = make_cast()
    second = make_staff(cast.studio, role="coach")
    lead_capture(
        studio=cast.studio, data=LeadInput(source="website", email="eerst@example.nl")
    )  # to cast.coach
    captured = leads_capture(
        studio=cast.studio,
        leads=[lead_check(LeadInput(source="website", email=f"p{i}@example.nl")) for i in range(4)],
    )
    assert [c.lead.assigned_to for c in captured] == [second, cast.coach, second, cast.coach]


def test_a_returning_person_in_a_batch_keeps_their_record_and_ledger(cast):
    first = lead_capture(
        studio=cast.studio,
        data=LeadInput(source="website", name="Eva", email="eva1@example.nl", phone="0612345001"),
    ).lead
    first.stage = "lost"
    first.lost_reason = "later"
    first.save()
    post(cast.studio, lead_body(1))
    post(cast.studio, lead_body(2))
    assert inbound_process_due(limit=10) == 2
    eva = Person.objects.for_studio(cast.studio).get(email="eva1@example.nl")
    assert Lead.objects.for_studio(cast.studio).filter(person=eva).count() == 2
    assert Person.objects.for_studio(cast.studio).count() == 2
    returning = (
        DomainEvent.objects.for_studio(cast.studio).filter(kind="lead.captured", person=eva).latest("id")
    )
    assert returning.payload["returning"] is True


def test_leads_of_one_batch_are_watched_by_one_deadline_task(cast, smtp):
    with time_machine.travel(TUESDAY_10, tick=False):
        for n in range(3):
            post(cast.studio, lead_body(n))
        before = DBTaskResult.objects.count()
        inbound_process_due(limit=10)
        assert DBTaskResult.objects.count() == before + 1
        run_tasks()
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=61), tick=False):
        run_tasks()
    assert Lead.objects.for_studio(cast.studio).filter(escalated_at__isnull=False).count() == 3
