"""Domain events: written with the change they record, typed, and derived once for history from before."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import transaction
from pydantic import ValidationError

from vollegym.core import clock
from vollegym.leads.models import Activity
from vollegym.leads.services import ConsentInput, LeadInput, lead_capture, lead_log_contact, lead_move
from vollegym.people.backfill import events_backfill
from vollegym.people.events import Enrolled, LeadCaptured, event_payload, event_record
from vollegym.people.models import DomainEvent
from vollegym.programs.models import Program
from vollegym.programs.services import enrolment_create, enrolment_mark_paid, program_create

pytestmark = pytest.mark.django_db


def kinds(studio) -> list[str]:
    return list(DomainEvent.objects.for_studio(studio).order_by("at", "id").values_list("kind", flat=True))


def test_the_way_from_lead_to_member_leaves_one_event_per_step(cast):
    lead = lead_capture(
        studio=cast.studio,
        data=LeadInput(
            source="meta",
            name="Eva",
            phone="0612345678",
            campaign="Najaar 40+",
            consents=[ConsentInput("contact", "Ja, bel me maar.", True, "form")],
        ),
    ).lead
    lead_log_contact(lead=lead, kind=Activity.Kind.CALL, by=cast.coach, outcome=Activity.Outcome.REACHED)
    lead_log_contact(lead=lead, kind=Activity.Kind.CALL, by=cast.coach, outcome=Activity.Outcome.REACHED)
    program = program_create(
        studio=cast.studio, program=Program(name="Transformatie 12 weken", weeks=12), price_cents=119500,
        by=cast.owner,
    )  # fmt: skip
    enrolment = enrolment_create(lead=lead, program=program, starts_on=clock.today(), by=cast.owner)
    enrolment_mark_paid(enrolment=enrolment, by=cast.owner)
    enrolment_mark_paid(enrolment=enrolment, by=cast.owner)  # twice: one payment
    assert kinds(cast.studio) == [
        "lead.captured", "consent.changed", "lead.first_contact", "lead.stage_changed", "program.price_changed",
        "member.enrolled", "lead.stage_changed", "member.first_payment",
    ]  # fmt: skip
    rows = DomainEvent.objects.for_studio(cast.studio)
    captured = event_payload(rows.get(kind="lead.captured"))
    assert isinstance(captured, LeadCaptured) and captured.campaign == "Najaar 40+" and not captured.returning
    enrolled = event_payload(rows.get(kind="member.enrolled"))
    assert isinstance(enrolled, Enrolled) and enrolled.price_cents == 119500
    assert rows.get(kind="member.enrolled").person_id == lead.person_id
    assert [e.payload["after"] for e in rows.filter(kind="lead.stage_changed").order_by("at", "id")] == [
        "contacted", "won",
    ]  # fmt: skip
    assert not DomainEvent.objects.for_studio(cast.other_studio).exists()


def test_an_event_with_a_wrong_payload_is_refused_before_it_is_written(cast):
    with pytest.raises(ValidationError):
        LeadCaptured(lead_id="not a number", source="meta")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        LeadCaptured(lead_id=1, source="meta", secret="x")  # type: ignore[call-arg]
    event_record(studio=cast.studio, event=LeadCaptured(lead_id=1, source="meta"))
    assert DomainEvent.objects.for_studio(cast.studio).get().lead_id == 1


def test_a_rollback_takes_the_event_with_it(cast):
    lead = lead_capture(studio=cast.studio, data=LeadInput(source="website", email="eva@example.nl")).lead
    before = DomainEvent.objects.for_studio(cast.studio).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        lead_move(lead=lead, stage="lost", by=cast.owner, lost_reason="Te ver weg")
        assert DomainEvent.objects.for_studio(cast.studio).count() == before + 1
        raise RuntimeError("the change fails after the event was written")
    assert DomainEvent.objects.for_studio(cast.studio).count() == before


def test_history_from_before_events_is_derived_once(cast):
    lead = lead_capture(studio=cast.studio, data=LeadInput(source="website", email="eva@example.nl")).lead
    lead_move(lead=lead, stage="lost", by=cast.owner, lost_reason="Te ver weg")
    DomainEvent.objects.for_studio(cast.studio).delete()
    written = events_backfill(apps, [cast.studio.pk])
    assert written == 2 and kinds(cast.studio) == ["lead.captured", "lead.stage_changed"]
    assert events_backfill(apps, [cast.studio.pk]) == 0
    assert (
        DomainEvent.objects.for_studio(cast.studio).get(kind="lead.stage_changed").payload["after"] == "lost"
    )


def test_the_demo_history_has_its_events(db):
    from vollegym.core.management.commands.demo import load_demo_data
    from vollegym.studios.models import Studio

    load_demo_data()
    studio = Studio.objects.get(slug="demo")
    found = set(DomainEvent.objects.for_studio(studio).values_list("kind", flat=True).distinct())
    assert {
        "lead.captured", "lead.first_contact", "lead.stage_changed", "intake.completed", "conversation.booked",
        "conversation.recorded", "member.enrolled", "session.booked", "session.marked", "consent.changed",
    } <= found  # fmt: skip
    year_ago = clock.now() - timedelta(days=300)
    assert DomainEvent.objects.for_studio(studio).filter(kind="lead.captured", at__lt=year_ago).exists()
