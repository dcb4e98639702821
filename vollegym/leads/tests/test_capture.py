from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from vollegym.core.testing import make_staff, make_studio, run_tasks
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.leads.services import (
    CaptureError,
    ConsentInput,
    LeadInput,
    lead_capture,
    lead_log_contact,
    lead_move,
    lead_settings_for,
)
from vollegym.messaging.models import Message
from vollegym.people.models import ConsentEntry

pytestmark = pytest.mark.django_db

TUESDAY_10 = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def test_a_dutch_mobile_number_is_stored_in_e164(cast):
    lead = lead_capture(
        studio=cast.studio, data=LeadInput(source="website", name="Eva", phone="06 1234 5678")
    ).lead
    assert lead.phone == "+31612345678"
    assert lead.phone_as_given == "06 1234 5678" and not lead.phone_invalid


def test_an_invalid_number_is_kept_as_typed_and_flagged(cast):
    lead = lead_capture(
        studio=cast.studio, data=LeadInput(source="website", email="a@b.nl", phone="0612")
    ).lead
    assert lead.phone == "" and lead.phone_as_given == "0612" and lead.phone_invalid


def test_a_lead_needs_a_way_to_reach_them(cast):
    with pytest.raises(CaptureError, match="e-mail address or a phone number"):
        lead_capture(studio=cast.studio, data=LeadInput(source="website", name="Alleen naam"))
    with pytest.raises(CaptureError, match="not an e-mail address"):
        lead_capture(studio=cast.studio, data=LeadInput(source="website", email="geen-mail"))
    with pytest.raises(CaptureError, match="unknown source"):
        lead_capture(studio=cast.studio, data=LeadInput(source="tiktok", email="a@b.nl"))
    assert Lead.objects.for_studio(cast.studio).count() == 0


def test_a_second_submission_attaches_to_the_open_lead_by_phone_or_email(cast):
    first = lead_capture(
        studio=cast.studio, data=LeadInput(source="meta", name="Eva", phone="+31 6 12345678")
    )
    again = lead_capture(
        studio=cast.studio,
        data=LeadInput(
            source="website", email="eva@example.nl", phone="0612345678", answers={"doel": "sterker"}
        ),
    )
    assert not again.created and again.lead.pk == first.lead.pk
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.email == "eva@example.nl" and lead.answers == {"doel": "sterker"}
    assert [a.kind for a in Activity.objects.for_studio(cast.studio).filter(lead=lead)] == [
        "submission",
        "created",
    ]
    by_mail = lead_capture(studio=cast.studio, data=LeadInput(source="website", email="EVA@example.nl"))
    assert by_mail.lead.pk == lead.pk


def test_duplicates_are_merged_per_studio_only(cast):
    lead_capture(studio=cast.studio, data=LeadInput(source="website", email="eva@example.nl"))
    other = lead_capture(studio=cast.other_studio, data=LeadInput(source="website", email="eva@example.nl"))
    assert other.created


def test_a_closed_lead_does_not_swallow_a_new_request(cast):
    old = lead_capture(studio=cast.studio, data=LeadInput(source="website", email="eva@example.nl")).lead
    lead_move(lead=old, stage=Stage.LOST, by=cast.owner, lost_reason="te duur")
    new = lead_capture(studio=cast.studio, data=LeadInput(source="website", email="eva@example.nl"))
    assert new.created and new.lead.pk != old.pk


def test_consent_is_kept_with_its_wording(cast):
    wording = "Ja, Kracht Utrecht mag contact met mij opnemen over mijn aanvraag."
    lead = lead_capture(
        studio=cast.studio,
        data=LeadInput(
            source="website",
            email="eva@example.nl",
            consents=[ConsentInput("contact", wording, True, "email")],
        ),
    ).lead
    consent = ConsentEntry.objects.for_studio(cast.studio).get(person=lead.person)
    assert (
        consent.wording == wording and consent.given and consent.source == "email" and consent.how == "form"
    )


@time_machine.travel(TUESDAY_10, tick=False)
def test_a_new_lead_gets_a_deadline_a_coach_and_messages(cast):
    lead = lead_capture(
        studio=cast.studio, data=LeadInput(source="meta", name="Eva de Boer", email="eva@example.nl")
    ).lead
    assert lead.due_at == TUESDAY_10 + timedelta(minutes=60)
    assert lead.assigned_to == cast.coach
    messages = Message.objects.for_studio(cast.studio).filter(ref=f"lead:{lead.pk}")
    assert {(m.channel, m.purpose, m.to) for m in messages} == {
        ("app", "lead_new", cast.coach.email),
        ("email", "lead_new", cast.coach.email),
        ("email", "lead_ack", "eva@example.nl"),
    }
    ack = messages.get(purpose="lead_ack")
    assert ack.body.startswith("Hoi Eva,") and cast.coach.get_short_name() in ack.body


def test_leads_are_shared_round_robin_between_coaches(cast):
    second = make_staff(cast.studio, role="coach")
    assigned = [
        lead_capture(
            studio=cast.studio, data=LeadInput(source="website", email=f"p{i}@example.nl")
        ).lead.assigned_to
        for i in range(4)
    ]
    assert assigned == [cast.coach, second, cast.coach, second]


def test_a_studio_without_coaches_assigns_to_the_owner():
    studio = make_studio()
    owner = make_staff(studio, role="owner")
    lead = lead_capture(studio=studio, data=LeadInput(source="website", email="p@example.nl")).lead
    assert lead.assigned_to == owner


def test_the_first_personal_contact_sets_the_response_time(cast):
    with time_machine.travel(TUESDAY_10, tick=False):
        lead = lead_capture(studio=cast.studio, data=LeadInput(source="website", phone="0612345678")).lead
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=4), tick=False):
        lead_log_contact(lead=lead, kind="note", by=cast.coach, body="Eerst het profiel bekeken")
        assert Lead.objects.for_studio(cast.studio).get().first_contact_at is None
        lead_log_contact(lead=lead, kind="call", outcome="no_answer", by=cast.coach)
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=9), tick=False):
        lead_log_contact(lead=lead, kind="whatsapp", outcome="reached", by=cast.owner)
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.response_seconds == 4 * 60 and lead.first_contact_by == cast.coach
    assert lead.stage == Stage.CONTACTED


def test_a_lost_lead_needs_a_reason(cast):
    lead = lead_capture(studio=cast.studio, data=LeadInput(source="website", phone="0612345678")).lead
    with pytest.raises(CaptureError, match="reden"):
        lead_move(lead=lead, stage=Stage.LOST, by=cast.owner)
    lead_move(lead=lead, stage=Stage.LOST, by=cast.owner, lost_reason="Zoekt een goedkope sportschool")
    assert Lead.objects.for_studio(cast.studio).get().lost_reason == "Zoekt een goedkope sportschool"


def test_an_unanswered_lead_alerts_the_owner_once_when_the_clock_runs_out(cast, smtp):
    with time_machine.travel(TUESDAY_10, tick=False):
        lead = lead_capture(
            studio=cast.studio, data=LeadInput(source="website", name="Eva", email="eva@example.nl")
        ).lead
        run_tasks()
    assert len(smtp.to(cast.coach.email)) == 1 and len(smtp.to("eva@example.nl")) == 1
    assert smtp.to(cast.owner.email) == []
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=61), tick=False):
        run_tasks()
        run_tasks()
    alerts = smtp.to(cast.owner.email)
    assert len(alerts) == 1 and "wacht te lang" in str(alerts[0]["Subject"])
    assert Lead.objects.for_studio(cast.studio).get().escalated_at is not None
    assert Activity.objects.for_studio(cast.studio).filter(lead=lead, kind="escalated").count() == 1


def test_a_contacted_lead_is_not_escalated(cast, smtp):
    with time_machine.travel(TUESDAY_10, tick=False):
        lead = lead_capture(studio=cast.studio, data=LeadInput(source="website", email="eva@example.nl")).lead
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=20), tick=False):
        lead_log_contact(lead=lead, kind="call", outcome="reached", by=cast.coach)
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=90), tick=False):
        run_tasks()
    assert smtp.to(cast.owner.email) == []
    assert Lead.objects.for_studio(cast.studio).get().escalated_at is None


def test_the_sweep_recovers_a_lost_timer(cast, smtp):
    from django_tasks_db.models import DBTaskResult

    from vollegym.core.management.commands.worker import run_sweeps

    with time_machine.travel(TUESDAY_10, tick=False):
        lead_capture(studio=cast.studio, data=LeadInput(source="website", phone="0612345678"))
        run_tasks()
        DBTaskResult.objects.all().delete()  # the crash: every queued timer is gone
    with time_machine.travel(TUESDAY_10 + timedelta(hours=2), tick=False):
        run_tasks()
        assert smtp.to(cast.owner.email) == []
        run_sweeps()
        run_tasks()
    assert len(smtp.to(cast.owner.email)) == 1


def test_sla_minutes_are_per_studio(cast):
    settings = lead_settings_for(cast.studio)
    settings.sla_minutes = 15
    settings.save()
    with time_machine.travel(TUESDAY_10, tick=False):
        lead = lead_capture(studio=cast.studio, data=LeadInput(source="website", phone="0612345678")).lead
    assert lead.due_at == TUESDAY_10 + timedelta(minutes=15)
    assert timezone.is_aware(lead.due_at)


def test_the_late_alert_links_in_the_app_and_spells_the_link_out_in_the_mail(cast):
    from vollegym.leads.services import lead_escalate_if_late

    with time_machine.travel(TUESDAY_10, tick=False):
        lead = lead_capture(
            studio=cast.studio, data=LeadInput(source="meta", name="Eva", phone="0612345678")
        ).lead
    with time_machine.travel(TUESDAY_10 + timedelta(hours=2), tick=False):
        assert lead_escalate_if_late(lead_id=lead.pk)
    alerts = Message.objects.for_studio(cast.studio).filter(purpose="lead_late")
    app, mail = alerts.get(channel="app"), alerts.get(channel="email")
    assert app.url.endswith(f"/leads/{lead.pk}/") and "/leads/" not in app.body
    assert f"/leads/{lead.pk}/" in mail.body and "binnengekomen via Meta" in mail.body
