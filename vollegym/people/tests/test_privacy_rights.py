"""Privacy rights: a person planted in every place is exported whole and erased everywhere, and counts stay right."""

import json
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from vollegym.analytics.speed import speed_to_lead
from vollegym.core import clock
from vollegym.core.testing import client_for, run_tasks
from vollegym.intake.models import ConsultationType, IntakeResponse
from vollegym.intake.selectors import current_version, open_slots
from vollegym.intake.services import (
    WindowInput,
    availability_set,
    booking_attendance,
    booking_make,
    booking_outcome,
    intake_answer,
    intake_start,
    questionnaire_install,
)
from vollegym.leads.inbound import sign_generic
from vollegym.leads.models import InboundEvent, Lead
from vollegym.leads.services import lead_settings_for
from vollegym.people.models import AuditEntry, DomainEvent, Person, PrivacyRequest
from vollegym.people.rights import person_erase, person_export, privacy_request_open, retention_sweep
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.programs.services import enrolment_create, program_create
from vollegym.schedule.models import ClassSession, ClassTemplate, FixedSlot, SessionBooking, WaitlistEntry
from vollegym.schedule.services import session_book, sessions_generate

pytestmark = pytest.mark.django_db(transaction=False)

NAME, EMAIL, PHONE, E164 = "Evelien Zwaneveld", "evelien.zwaneveld@example.nl", "06 8765 4321", "+31687654321"
SECRETS = (NAME, "Zwaneveld", EMAIL, E164, "687654321", "knieoperatie-2019")
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=clock.AMSTERDAM)


def deliver(cast, external_id: str, **fields: str) -> None:
    """A signed delivery through the studio's generic webhook, processed as a worker would."""
    raw = json.dumps({"external_id": external_id, "source": "website", **fields}).encode()
    secret = lead_settings_for(cast.studio).webhook_secret
    response = Client().post(
        "/hooks/leads/kracht-utrecht/", raw, content_type="application/json",
        headers={"X-Vollegym-Signature": sign_generic(raw, secret)},
    )  # fmt: skip
    assert response.status_code == 202
    run_tasks()


def plant_everywhere(cast) -> Person:
    """The same human through every door: a webhook, the intake with health answers, a conversation, a membership
    with mats, and the messages all of that sends."""
    raw = json.dumps({
        "external_id": "zap-77", "name": NAME, "email": EMAIL, "phone": PHONE, "source": "website",
        "consent": [{"purpose": "contact", "text": "Ja, bel me maar.", "given": True}],
        "answers": {"doel": f"Sterker na mijn knieoperatie-2019, groet {NAME}"},
    }).encode()  # fmt: skip
    secret = lead_settings_for(cast.studio).webhook_secret
    response = Client().post(
        "/hooks/leads/kracht-utrecht/", raw, content_type="application/json",
        headers={"X-Vollegym-Signature": sign_generic(raw, secret)},
    )  # fmt: skip
    assert response.status_code == 202
    run_tasks()
    questionnaire_install(studio=cast.studio, kind="pt")
    version = current_version(cast.studio)
    assert version is not None
    intake = intake_start(studio=cast.studio, version=version, name=NAME, email=EMAIL, phone=PHONE, whatsapp=True,
                          address="203.0.113.9")  # fmt: skip
    for step, answers in (
        ("goal", {"goal": "sterker", "goal_words": "Weer traplopen zonder pijn na mijn knieoperatie-2019"}),
        ("why", {"why_now": "Mijn dochter trouwt"}),
        ("tried", {"tried": ["sportschool"], "stopped": "Geen begeleiding", "looking_for": "eigen_coach"}),
        ("availability", {"availability": ["ma_ochtend"]}),
        (
            "health",
            {
                "health": ["gewrichten"],
                "health_note": "knieoperatie-2019, linkerknie",
                "health_consent": True,
            },
        ),
        ("readiness", {"start": "binnen_2_weken", "commitment": 9, "investment": "200_300"}),
    ):
        intake = intake_answer(response=intake, step=step, answers=answers)
    lead = Lead.objects.for_studio(cast.studio).get()
    availability_set(studio=cast.studio, coach=cast.coach,
                     windows=[WindowInput(d, time(9), time(12)) for d in range(7)])  # fmt: skip
    kind = ConsultationType.objects.create(studio=cast.studio, name="Kennismaking", min_notice_hours=1)
    slot = open_slots(kind)[0]
    booking = booking_make(lead=lead, kind=kind, starts_at=slot.starts_at, response=intake)
    with time_machine.travel(slot.starts_at + timedelta(minutes=40), tick=False):
        booking_attendance(booking=booking, showed=True, by=cast.coach)
        booking_outcome(booking=booking, outcome="won", by=cast.coach)
        program = program_create(
            studio=cast.studio,
            program=Program(name="Small group", weeks=12, format="small_group"),
            price_cents=44900,
        )
        enrolment_create(lead=lead, program=program, starts_on=clock.today(), by=cast.owner)
        ClassTemplate.objects.create(
            studio=cast.studio, name="Kracht", weekday=(clock.today().weekday() + 2) % 7, starts=time(7),
            capacity=8, program=program,
        )  # fmt: skip
        sessions_generate(studio=cast.studio, weeks=2)
        member = Member.objects.for_studio(cast.studio).get()
        sessions = ClassSession.objects.for_studio(cast.studio).order_by("starts_at")
        session_book(session=sessions[0], member=member)
        # A fixed weekly place, and a place on the waitlist of a full session.
        FixedSlot.objects.create(
            studio=cast.studio, member=member, template=sessions[0].template, first_day=clock.today()
        )
        WaitlistEntry.objects.create(studio=cast.studio, session=sessions[1], member=member)
    run_tasks()
    return lead.person


def database_text() -> str:
    """Every row of every table, as text: what a dump of the database would hold."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def counts(cast) -> dict[str, object]:
    report = speed_to_lead(cast.studio, until=clock.now() + timedelta(days=400))
    return {
        "leads": Lead.objects.for_studio(cast.studio).count(),
        "report": (report.leads, [(r.label, r.leads, r.booked, r.showed, r.won) for r in report.by_source]),
        "enrolments": Enrolment.objects.for_studio(cast.studio).count(),
        "mats": SessionBooking.objects.for_studio(cast.studio).count(),
        "events": DomainEvent.objects.for_studio(cast.studio).exclude(kind="person.erased").count(),
    }


def test_a_person_in_every_place_is_exported_whole_and_erased_everywhere(cast, settings):
    settings.SITE_URL = "https://app.vollegym.example"
    person = plant_everywhere(cast)
    assert Person.objects.for_studio(cast.studio).count() == 1
    before = database_text()
    assert all(secret in before for secret in SECRETS), "the plant did not reach every value it should"

    request = privacy_request_open(person=person, kind=PrivacyRequest.Kind.EXPORT, by=cast.owner)
    assert request.due_on == clock.local(request.received_at + timedelta(days=30)).date()
    exported = person_export(person=person, by=cast.owner, request=request)
    assert exported["person"]["email"] == EMAIL and exported["person"]["phone"] == E164
    for section in ("leads", "lead_timeline", "deliveries", "intakes", "conversations", "memberships",
                    "enrolments", "sessions", "waitlist", "fixed_places", "messages", "consents",
                    "events"):  # fmt: skip
        assert exported[section], f"the export has nothing under {section}"
    text = json.dumps(exported, ensure_ascii=False)
    assert "knieoperatie-2019, linkerknie" in text and "zap-77" in text
    request.refresh_from_db()
    assert request.status == "done"

    counted = counts(cast)
    intake = IntakeResponse.objects.for_studio(cast.studio).get()
    link = f"/s/{cast.studio.slug}/intake/{intake.token}/{intake.step}/"
    assert Client().get(link).status_code == 200
    erased = person_erase(person=person, by=cast.owner)
    assert Client().get(link).status_code == 404, "an erased person's old intake link still opens"
    assert erased.rows > 0
    after = database_text()
    leaks = [secret for secret in SECRETS if secret in after]
    assert leaks == [], f"still in the database after erasure: {leaks}"
    assert counts(cast) == counted
    person.refresh_from_db()
    assert person.erased_at is not None and str(person).startswith("Persoon")
    actions = set(AuditEntry.objects.for_studio(cast.studio).values_list("action", flat=True))
    assert {"exported", "erased"} <= actions


def test_erasing_by_the_command_line_names_what_it_found(cast, capsys):
    deliver(cast, "x1", name=NAME, email=EMAIL)
    call_command("person_export", "kracht-utrecht", "--email", EMAIL.upper())
    exported = json.loads(capsys.readouterr().out)
    assert exported["person"]["name"] == NAME
    with pytest.raises(CommandError, match="nobody"):
        call_command("person_erase", "kracht-utrecht", "--email", "niemand@example.nl", "--yes")
    with pytest.raises(CommandError, match="andere-studio"):
        call_command("person_erase", "andere-studio", "--email", EMAIL, "--yes")
    call_command("person_erase", "kracht-utrecht", "--email", EMAIL, "--yes")
    assert "erased" in capsys.readouterr().out
    assert NAME not in database_text()
    assert InboundEvent.objects.for_studio(cast.studio).get().payload == {"erased": True}


def test_the_privacy_page_exports_and_erases_for_the_owner_only(cast):
    with time_machine.travel(MONDAY, tick=False):
        deliver(cast, "x2", name=NAME, email=EMAIL)
    person = Person.objects.for_studio(cast.studio).get()
    base = f"/app/kracht-utrecht/personen/{person.pk}/"
    owner = client_for(cast.owner)
    page = owner.get(base)
    assert page.status_code == 200 and NAME in page.text
    assert AuditEntry.objects.for_studio(cast.studio).filter(action="viewed", person=person).exists()
    download = owner.get(f"{base}export/")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/json")
    assert json.loads(download.content)["person"]["email"] == EMAIL
    assert client_for(cast.coach).post(f"{base}wissen/", {"confirm": NAME}).status_code == 404  # owners only
    assert client_for(cast.outsider).get(base).status_code == 404
    assert owner.post(f"{base}wissen/", {"confirm": "iemand anders"}).status_code == 200  # not confirmed
    assert Person.objects.for_studio(cast.studio).get().erased_at is None
    done = owner.post(f"{base}wissen/", {"confirm": NAME})
    assert done.status_code == 302
    assert Person.objects.for_studio(cast.studio).get().erased_at is not None


def test_leads_that_never_became_members_are_anonymised_after_the_studio_period(cast):
    old_day = date.today() - timedelta(days=400)
    with time_machine.travel(datetime.combine(old_day, time(10), tzinfo=clock.AMSTERDAM), tick=False):
        deliver(cast, "old", name=NAME, email=EMAIL)
    deliver(cast, "new", name="Nieuwe Naam", email="nieuw@example.nl")
    assert retention_sweep() >= 2  # the old person, and the old raw delivery
    people = {p.email or "gewist": p for p in Person.objects.for_studio(cast.studio)}
    assert set(people) == {"gewist", "nieuw@example.nl"}
    assert people["gewist"].erased_at is not None
    assert Lead.objects.for_studio(cast.studio).count() == 2  # the lead still counts
    delivery = InboundEvent.objects.for_studio(cast.studio).order_by("received_at").first()
    assert delivery is not None and delivery.payload in ({"purged": True}, {"erased": True})
    newest = InboundEvent.objects.for_studio(cast.studio).order_by("received_at").last()
    assert newest is not None and newest.payload["email"] == "nieuw@example.nl"


def test_a_person_who_asked_again_on_an_open_lead_is_not_erased_by_the_retention_period(cast):
    with time_machine.travel(clock.now() - timedelta(days=400), tick=False):
        deliver(cast, "o1", name=NAME, email=EMAIL)
    deliver(cast, "o2", name=NAME, email=EMAIL)
    assert Lead.objects.for_studio(cast.studio).count() == 1  # the open lead took the new question
    retention_sweep()
    assert Person.objects.for_studio(cast.studio).get().email == EMAIL
