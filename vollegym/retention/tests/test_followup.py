"""The follow-up of leads on the playbook engine: each step once, on its day at its hour in the studio's zone, only
with consent; stopped at the first reply, booking, no or membership; a no-show's "new moment?"; one check-in for who
went quiet, never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.testing import client_for, make_staff
from vollegym.intake.models import ConsultationType
from vollegym.intake.services import WindowInput, availability_set, booking_attendance, booking_make
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.leads.services import ConsentInput, LeadInput, lead_capture, lead_log_contact, lead_move
from vollegym.messaging.models import Message
from vollegym.messaging.services import outbox_deliver_due
from vollegym.people.models import DomainEvent, Person
from vollegym.people.services import consent_record
from vollegym.programs.models import Member
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_program
from vollegym.retention import sweeps
from vollegym.retention.followup import months_before
from vollegym.retention.models import Playbook, Run, Sequence, Step, StopReason, Touchpoint
from vollegym.retention.services import lead_run_start, run_stop, steps_carry_out
from vollegym.studios.models import StaffMembership

pytestmark = pytest.mark.django_db

# Friday 20 March 2026 at noon in Amsterdam; the clocks go forward on Sunday 29 March, so day 7 (27 March) is in
# winter time and day 14 (3 April) in summer time.
START = date(2026, 3, 20)
CAPTURED = datetime(2026, 3, 20, 11, 0, tzinfo=UTC)


def at_utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.AMSTERDAM)


def captured(studio, name: str = "Eva", *, at: datetime = CAPTURED, consents=(), phone: str = "") -> Lead:
    """A lead from the studio's form (the real door: a clock, a coach, a first answer)."""
    data = LeadInput(
        source="website", name=f"{name} de Boer", email=f"{name.lower()}@example.nl", phone=phone,
        consents=[ConsentInput(purpose=p, wording=w, given=True) for p, w in consents],
    )  # fmt: skip
    with time_machine.travel(at, tick=False):
        return lead_capture(studio=studio, data=data).lead


def sweep_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        sweeps.run()


def followups(studio) -> list[Message]:
    return list(Message.objects.for_studio(studio).filter(purpose="followup").order_by("created_at", "id"))


def steps_of(lead: Lead, sequence: str = Sequence.NOT_BOOKED) -> dict[int, Step]:
    return {
        s.touchpoint.day: s
        for s in Step.objects.for_studio(lead.studio_id)
        .filter(run__lead=lead, run__sequence=sequence)
        .select_related("touchpoint", "message")
    }


def message_of(step: Step) -> Message:
    assert step.message is not None, step
    return step.message


def run_of(lead: Lead, sequence: str = Sequence.NOT_BOOKED) -> Run:
    return Run.objects.for_studio(lead.studio_id).get(lead=lead, sequence=sequence)


@pytest.fixture
def kind(cast) -> ConsultationType:
    every_day = [WindowInput(weekday=d, starts=time(9, 0), ends=time(17, 0)) for d in range(7)]
    availability_set(studio=cast.studio, coach=cast.coach, windows=every_day)
    return ConsultationType.objects.create(
        studio=cast.studio, name="Kennismaking", duration_minutes=30, buffer_minutes=15, min_notice_hours=2,
        horizon_days=21,
    )  # fmt: skip


class TestOnSchedule:
    def test_days_1_3_7_and_14_each_once_at_the_studio_hour_across_the_change_to_summer_time(self, cast):
        lead = captured(cast.studio)
        for day in range(17):
            for hour, minute in ((6, 59), (7, 29), (7, 30), (8, 29), (8, 30), (8, 59), (9, 0), (13, 0)):
                sweep_at(at_utc(START + timedelta(days=day), hour, minute))
        sent = followups(cast.studio)
        # 09:30 in Amsterdam is 08:30 UTC in winter time (day 3) and 07:30 UTC in summer time (day 14).
        assert [m.created_at for m in sent] == [
            at_utc(date(2026, 3, 23), 8, 30),
            at_utc(date(2026, 4, 3), 7, 30),
        ]
        assert {clock.local(m.created_at).time() for m in sent} == {time(9, 30)}
        assert len({m.key for m in sent}) == 2 and all(m.status == Message.Status.QUEUED for m in sent)
        assert sent[0].subject == "Even over je aanvraag, Eva" and sent[0].body.startswith("Hoi Eva,")
        # No intake yet: the link is the studio's intake from the start.
        assert "/s/kracht-utrecht/intake/" in sent[0].body
        assert sent[0].ref == f"lead:{lead.pk}" and not sent[0].marketing
        steps = steps_of(lead)
        assert sorted(steps) == [1, 3, 7, 14]
        # The tasks came up at 10:00 on their day, winter and summer time alike (no run crossed a change here).
        assert [clock.local(steps[d].due_at) for d in (1, 7)] == [
            local(date(2026, 3, 21), 10),
            local(date(2026, 3, 27), 10),
        ]
        assert steps[1].status == steps[7].status == Step.Status.OPEN
        assert steps[3].status == steps[14].status == Step.Status.SENT
        assert run_of(lead).stopped_at is None
        # The timeline of the lead says what went out; the events say it once each.
        bodies = list(
            Activity.objects.for_studio(cast.studio)
            .filter(lead=lead, kind="message")
            .order_by("at")
            .values_list("body", flat=True)
        )
        assert len(bodies) == 2 and "dag 3" in bodies[0] and "per e-mail" in bodies[0]
        assert (
            DomainEvent.objects.for_studio(cast.studio)
            .filter(kind="touchpoint.sent", lead_id=lead.pk)
            .count()
            == 2
        )
        assert DomainEvent.objects.for_studio(cast.studio).filter(kind="followup.started").count() == 1

    def test_a_task_shows_its_reason_to_the_leads_coach_and_not_to_another_coach(self, cast):
        lead = captured(cast.studio)
        other = make_staff(cast.studio)
        Lead.objects.for_studio(cast.studio).filter(pk=lead.pk).update(assigned_to=cast.coach)
        sweep_at(CAPTURED + timedelta(minutes=1))
        sweep_at(local(date(2026, 3, 21), 10, 1))
        with time_machine.travel(local(date(2026, 3, 21), 10, 5), tick=False):
            mine = client_for(cast.coach).get(f"/app/{cast.studio.slug}/taken/").content.decode()
            theirs = client_for(other).get(f"/app/{cast.studio.slug}/taken/").content.decode()
            owner = client_for(cast.owner).get(f"/app/{cast.studio.slug}/taken/").content.decode()
        assert "Nabellen: nog geen gesprek gepland" in mine and "Eva de Boer" in mine
        assert "Dag 1 na de aanvraag (20 mrt, Website): nog niet gesproken en geen gesprek gepland" in mine
        assert "Eva vroeg gisteren iets aan" in mine  # {voornaam} filled in
        assert "Nabellen" not in theirs and "Nabellen" in owner
        step = steps_of(lead)[1]
        done = client_for(cast.coach).post(
            f"/app/{cast.studio.slug}/taken/{step.pk}/gedaan/", {"terug": "lead"}
        )
        assert done.status_code == 302 and done["Location"] == f"/app/{cast.studio.slug}/leads/{lead.pk}/"
        step.refresh_from_db()
        assert step.status == Step.Status.DONE and step.done_by == cast.coach
        event = DomainEvent.objects.for_studio(cast.studio).get(kind="touchpoint.done")
        assert event.lead_id == lead.pk and event.payload["lead_id"] == lead.pk

    def test_a_lead_without_a_name_reads_hoi_daar_and_the_coach_sees_their_address(self, cast):
        with time_machine.travel(CAPTURED, tick=False):
            lead = lead_capture(
                studio=cast.studio, data=LeadInput(source="meta", email="anoniem@example.nl")
            ).lead
        sweep_at(CAPTURED + timedelta(minutes=1))
        sweep_at(local(date(2026, 3, 23), 9, 31))
        assert message_of(steps_of(lead)[3]).body.startswith("Hoi daar,")
        with time_machine.travel(local(date(2026, 3, 23), 9, 32), tick=False):
            page = client_for(cast.owner).get(f"/app/{cast.studio.slug}/taken/").content.decode()
        assert "anoniem@example.nl vroeg gisteren iets aan" in page

    def test_a_lead_already_answered_when_the_sweep_comes_gets_no_sequence(self, cast):
        lead = captured(cast.studio)
        with time_machine.travel(CAPTURED + timedelta(seconds=30), tick=False):
            lead_log_contact(lead=lead, kind="call", outcome="reached", by=cast.coach)
        sweep_at(CAPTURED + timedelta(minutes=1))
        assert not Run.objects.for_studio(cast.studio).filter(lead=lead).exists()

    def test_an_imported_list_and_a_test_lead_get_no_sequence(self, cast):
        with time_machine.travel(CAPTURED, tick=False):
            old = lead_capture(
                studio=cast.studio, data=LeadInput(source="import", email="oud@example.nl"), announce=False
            ).lead
            test = lead_capture(
                studio=cast.studio, data=LeadInput(source="website", email="test@example.nl", is_test=True)
            ).lead
        sweep_at(CAPTURED + timedelta(minutes=1))
        assert not Run.objects.for_studio(cast.studio).filter(lead__in=[old, test]).exists()


def _reply(lead, cast, kind) -> None:
    """Each way a lead's first answer reaches the studio."""
    client_for(cast.coach).post(
        f"/app/{cast.studio.slug}/leads/{lead.pk}/contact/", {"quick": "call:reached"}
    )


def _moved_to_spoken(lead, cast, kind) -> None:
    client_for(cast.coach).post(f"/app/{cast.studio.slug}/leads/{lead.pk}/stage/", {"stage": "contacted"})


def _inbound(lead, cast, kind) -> None:
    Person.objects.for_studio(cast.studio).filter(pk=lead.person_id).update(last_inbound_at=clock.now())


def _books(lead, cast, kind) -> None:
    booking_make(lead=lead, kind=kind, starts_at=local(date(2026, 3, 25), 10))


def _says_no(lead, cast, kind) -> None:
    lead_move(lead=lead, stage=Stage.LOST, by=cast.coach, lost_reason="Past niet in het rooster")


def _becomes_member(lead, cast, kind) -> None:
    enrolment_create(
        lead=lead, program=make_program(cast.studio, format="pt"), starts_on=date(2026, 3, 30), by=cast.coach
    )


class TestStops:
    @pytest.mark.parametrize(
        ("act", "reason"),
        [
            (_reply, StopReason.REPLIED),
            (_moved_to_spoken, StopReason.REPLIED),
            (_inbound, StopReason.REPLIED),
            (_books, StopReason.BOOKED),
            (_says_no, StopReason.SAID_NO),
            (_becomes_member, StopReason.MEMBER),
        ],
        ids=["reached-by-phone", "moved-to-spoken", "message-from-the-lead", "booked", "said-no", "member"],
    )
    def test_the_first_reply_booking_no_or_membership_stops_what_was_still_to_come(
        self, cast, kind, act, reason
    ):
        lead = captured(cast.studio)
        sweep_at(CAPTURED + timedelta(minutes=1))
        sweep_at(local(date(2026, 3, 21), 10, 1))  # the day-1 call is on the coach's list
        moment = local(date(2026, 3, 22), 12)
        with time_machine.travel(moment, tick=False):
            act(lead, cast, kind)
        # The next step asks for itself when its moment comes, before any sweep stopped the run.
        with time_machine.travel(local(date(2026, 3, 23), 9, 31), tick=False):
            assert steps_carry_out() == 1
        run = run_of(lead)
        assert (run.stop_reason, run.stopped_at) == (reason, moment)
        steps = steps_of(lead)
        assert all(
            steps[d].status == Step.Status.SKIPPED and steps[d].reason == reason for d in (1, 3, 7, 14)
        )
        for day in range(3, 20):
            sweep_at(at_utc(START + timedelta(days=day), 9))
        assert followups(cast.studio) == []
        stopped = DomainEvent.objects.for_studio(cast.studio).get(kind="followup.stopped")
        assert stopped.payload["reason"] == reason and stopped.at == moment
        page = client_for(cast.owner).get(f"/app/{cast.studio.slug}/leads/{lead.pk}/").content.decode()
        assert "gestopt op 22 mrt 12:00" in page and str(StopReason(reason).label) in page

    def test_a_sweep_stops_the_sequence_within_a_minute_and_takes_the_open_call_off_the_list(self, cast):
        lead = captured(cast.studio)
        sweep_at(CAPTURED + timedelta(minutes=1))
        sweep_at(local(date(2026, 3, 21), 10, 1))
        with time_machine.travel(local(date(2026, 3, 21), 11), tick=False):
            _reply(lead, cast, None)
        sweep_at(local(date(2026, 3, 21), 11, 1))
        assert steps_of(lead)[1].status == Step.Status.SKIPPED
        with time_machine.travel(local(date(2026, 3, 21), 11, 2), tick=False):
            page = client_for(cast.owner).get(f"/app/{cast.studio.slug}/taken/").content.decode()
        assert "Nabellen" not in page

    def test_a_call_without_an_answer_is_not_a_reply(self, cast):
        lead = captured(cast.studio)
        sweep_at(CAPTURED + timedelta(minutes=1))
        with time_machine.travel(local(date(2026, 3, 21), 10, 30), tick=False):
            client_for(cast.coach).post(
                f"/app/{cast.studio.slug}/leads/{lead.pk}/contact/", {"quick": "call:no_answer"}
            )
            client_for(cast.coach).post(
                f"/app/{cast.studio.slug}/leads/{lead.pk}/contact/", {"quick": "whatsapp:sent"}
            )
        sweep_at(local(date(2026, 3, 23), 9, 31))
        assert run_of(lead).stopped_at is None and len(followups(cast.studio)) == 1

    def test_a_run_stops_once_and_a_lead_gets_a_sequence_once(self, cast):
        lead = captured(cast.studio)
        with time_machine.travel(CAPTURED + timedelta(minutes=1), tick=False):
            first = lead_run_start(lead=lead, sequence=Sequence.NOT_BOOKED, since=CAPTURED, starts_on=START)
            assert first is not None
            assert (
                lead_run_start(lead=lead, sequence=Sequence.NOT_BOOKED, since=CAPTURED, starts_on=START)
                is None
            )
            assert run_stop(run=first, reason=StopReason.REPLIED, at=clock.now())
            assert not run_stop(run=first, reason=StopReason.BOOKED, at=clock.now())
        assert run_of(lead).stop_reason == StopReason.REPLIED
        assert DomainEvent.objects.for_studio(cast.studio).filter(kind="followup.stopped").count() == 1


class TestConsent:
    def test_without_whatsapp_consent_a_whatsapp_step_is_kept_as_not_sent_with_the_reason(self, cast):
        playbook = Playbook.objects.for_studio(cast.studio).filter(sequence=Sequence.NOT_BOOKED).first()
        assert playbook is None  # installed on first use, below, with our defaults
        client_for(cast.owner).get(f"/app/{cast.studio.slug}/leads/opvolging/")
        day3 = Touchpoint.objects.for_studio(cast.studio).get(
            version__playbook__sequence=Sequence.NOT_BOOKED, day=3
        )
        response = client_for(cast.owner).post(
            f"/app/{cast.studio.slug}/leads/opvolging/geen-gesprek/{day3.pk}/",
            {f"t{day3.pk}-day": 3, f"t{day3.pk}-at": "09:30", f"t{day3.pk}-kind": "whatsapp",
             f"t{day3.pk}-title": "Even over je aanvraag", f"t{day3.pk}-text": "Hoi {voornaam}, kies hier: {intakelink}"},
        )  # fmt: skip
        assert response.status_code == 302, response.content.decode()
        lead = captured(cast.studio, phone="0612345678")
        sweep_at(CAPTURED + timedelta(minutes=1))
        sweep_at(local(date(2026, 3, 23), 9, 31))
        step = steps_of(lead)[3]
        assert step.status == Step.Status.NOT_SENT and message_of(step).channel == "whatsapp"
        assert (
            message_of(step).status == Message.Status.CANCELLED
            and "no consent for WhatsApp" in message_of(step).last_error
        )
        event = DomainEvent.objects.for_studio(cast.studio).get(kind="touchpoint.sent")
        assert "no consent for WhatsApp" in event.payload["refused"]
        page = client_for(cast.owner).get(f"/app/{cast.studio.slug}/leads/{lead.pk}/").content.decode()
        assert "Niet verstuurd" in page and "no consent for WhatsApp" in page
        assert not Activity.objects.for_studio(cast.studio).filter(lead=lead, kind="message").exists()

    def test_a_lead_who_refused_contact_gets_no_mail(self, cast):
        lead = captured(cast.studio)
        consent_record(person=lead.person, purpose="contact", given=False, how="staff")
        sweep_at(CAPTURED + timedelta(minutes=1))
        sweep_at(local(date(2026, 3, 23), 9, 31))
        step = steps_of(lead)[3]
        assert step.status == Step.Status.NOT_SENT and "withdrew consent" in message_of(step).last_error


class TestNoShow:
    def test_a_no_show_gets_the_new_moment_sequence_which_stops_when_they_book_again(self, cast, kind, smtp):
        lead = captured(cast.studio)
        sweep_at(CAPTURED + timedelta(minutes=1))
        with time_machine.travel(CAPTURED + timedelta(hours=1), tick=False):
            booking = booking_make(lead=lead, kind=kind, starts_at=local(date(2026, 3, 24), 10))
        sweep_at(CAPTURED + timedelta(hours=1, minutes=1))
        assert run_of(lead).stop_reason == StopReason.BOOKED
        with time_machine.travel(local(date(2026, 3, 24), 11), tick=False):
            booking_attendance(booking=booking, showed=False, by=cast.coach)
        sweep_at(local(date(2026, 3, 24), 11, 1))
        run = run_of(lead, Sequence.NO_SHOW)
        assert run.starts_on == date(2026, 3, 24)
        sweep_at(local(date(2026, 3, 24), 18, 1))
        with time_machine.travel(local(date(2026, 3, 24), 18, 2), tick=False):
            outbox_deliver_due()
        mails = [m for m in smtp.to("eva@example.nl") if m["Subject"] == "Zullen we een nieuw moment kiezen?"]
        assert len(mails) == 1
        mail = mails[0]
        assert "/s/kracht-utrecht/intake/" in mail.get_content() and "Hoi Eva," in mail.get_content()
        sweep_at(local(date(2026, 3, 25), 10, 1))
        assert steps_of(lead, Sequence.NO_SHOW)[1].status == Step.Status.OPEN
        with time_machine.travel(local(date(2026, 3, 26), 9), tick=False):
            booking_make(lead=lead, kind=kind, starts_at=local(date(2026, 3, 27), 15))
        for day in (26, 27, 28, 29):
            sweep_at(local(date(2026, 3, day), 10, 1))
        steps = steps_of(lead, Sequence.NO_SHOW)
        assert steps[0].status == Step.Status.SENT
        assert (
            steps[1].status == steps[4].status == Step.Status.SKIPPED and steps[4].reason == StopReason.BOOKED
        )
        assert [m.subject for m in followups(cast.studio)] == ["Zullen we een nieuw moment kiezen?"]


def _quiet_lead(studio, name: str, *, lost_at: datetime, marketing: bool) -> Lead:
    consents = [("marketing", "Ja, ik wil nieuws van Kracht Utrecht per e-mail.")] if marketing else []
    lead = captured(studio, name, at=lost_at - timedelta(days=3), consents=consents)
    with time_machine.travel(lost_at - timedelta(days=2), tick=False):
        lead_log_contact(lead=lead, kind="call", outcome="reached", by=None)
    with time_machine.travel(lost_at, tick=False):
        lead_move(lead=lead, stage=Stage.LOST, by=None, lost_reason="Wil eerst zelf proberen")
    return lead


class TestGoneQuiet:
    LOST = datetime(2025, 11, 14, 10, 0, tzinfo=UTC)

    def test_one_check_in_after_four_months_only_with_consent_for_news_and_never_twice(self, cast):
        yes = _quiet_lead(cast.studio, "Eva", lost_at=self.LOST, marketing=True)
        no = _quiet_lead(cast.studio, "Tom", lost_at=self.LOST, marketing=False)
        sweep_at(self.LOST + timedelta(days=119))  # not four months yet
        assert not Run.objects.for_studio(cast.studio).filter(sequence=Sequence.GONE_QUIET).exists()
        four_months = datetime(2026, 3, 14, 10, 1, tzinfo=UTC)
        sweep_at(four_months)
        assert set(
            Run.objects.for_studio(cast.studio)
            .filter(sequence=Sequence.GONE_QUIET)
            .values_list("lead_id", flat=True)
        ) == {yes.pk, no.pk}
        sweep_at(four_months + timedelta(minutes=1))
        eva, tom = steps_of(yes, Sequence.GONE_QUIET)[0], steps_of(no, Sequence.GONE_QUIET)[0]
        assert eva.status == Step.Status.SENT and message_of(eva).marketing
        assert "Meld je af" in message_of(eva).body and message_of(eva).subject == "Hoe gaat het nu, Eva?"
        assert (
            tom.status == Step.Status.NOT_SENT
            and "no consent for news and offers" in message_of(tom).last_error
        )
        for days in (1, 2, 20, 60):
            sweep_at(four_months + timedelta(days=days))
        assert Run.objects.for_studio(cast.studio).filter(sequence=Sequence.GONE_QUIET).count() == 2
        # Eva asks again in May, and goes quiet again: still no second check-in for her.
        again = captured(cast.studio, "Eva", at=datetime(2026, 5, 1, 10, tzinfo=UTC))
        assert again.pk != yes.pk and again.person_id == yes.person_id
        sweep_at(datetime(2026, 5, 1, 10, 1, tzinfo=UTC))
        with time_machine.travel(datetime(2026, 5, 2, 10, tzinfo=UTC), tick=False):
            lead_move(lead=again, stage=Stage.LOST, by=None, lost_reason="Toch niet")
        sweep_at(datetime(2026, 9, 3, 10, tzinfo=UTC))
        assert (
            not Run.objects.for_studio(cast.studio).filter(lead=again, sequence=Sequence.GONE_QUIET).exists()
        )
        assert (
            len(
                [
                    m
                    for m in followups(cast.studio)
                    if m.status == Message.Status.QUEUED and "Hoe gaat" in m.subject
                ]
            )
            == 1
        )

    def test_members_and_people_who_asked_again_get_no_check_in(self, cast):
        member = _quiet_lead(cast.studio, "Eva", lost_at=self.LOST, marketing=True)
        Member.objects.create(studio=cast.studio, person_id=member.person_id)  # trains here, walked in once
        back = _quiet_lead(cast.studio, "Tom", lost_at=self.LOST, marketing=True)
        captured(cast.studio, "Tom", at=self.LOST + timedelta(days=60))  # a new question: its own follow-up
        sweep_at(datetime(2026, 3, 14, 10, 1, tzinfo=UTC))
        assert (
            not Run.objects.for_studio(cast.studio)
            .filter(lead__in=[member, back], sequence=Sequence.GONE_QUIET)
            .exists()
        )

    def test_the_owner_chooses_the_months_and_a_coach_cannot(self, cast):
        lead = _quiet_lead(cast.studio, "Eva", lost_at=self.LOST, marketing=True)
        url = f"/app/{cast.studio.slug}/leads/opvolging/maanden/"
        assert client_for(cast.coach).post(url, {"months": "2"}).status_code == 404
        for hostile in ("0", "25", "-1", "abc", "2\x00", "99999999999999999999999", ""):
            response = client_for(cast.owner).post(url, {"months": hostile}, follow=True)
            assert (
                response.status_code == 200 and "Kies 1 tot en met 24 maanden" in response.content.decode()
            ), hostile
        assert Playbook.objects.for_studio(cast.studio).get(sequence=Sequence.GONE_QUIET).quiet_months == 4
        assert client_for(cast.owner).post(url, {"months": "2"}).status_code == 302
        assert Playbook.objects.for_studio(cast.studio).get(sequence=Sequence.GONE_QUIET).quiet_months == 2
        sweep_at(datetime(2026, 1, 14, 10, 1, tzinfo=UTC))  # two months after the no
        assert run_of(lead, Sequence.GONE_QUIET).starts_on == date(2026, 1, 14)


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(date(2026, 3, 14), 4) == date(2025, 11, 14)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 5, 31), 3) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 10), 24) == date(2024, 1, 10)


class TestEditor:
    BASE = "/app/kracht-utrecht/leads/opvolging/"

    def test_the_overview_shows_the_three_sequences_with_their_steps(self, cast):
        page = client_for(cast.owner).get(self.BASE)
        html = page.content.decode()
        assert page.status_code == 200
        for text in (
            "Nog geen gesprek gepland",
            "Niet verschenen",
            "Stil geworden",
            "Nabellen: nog geen gesprek gepland",
            "Zullen we een nieuw moment kiezen?",
            "Hoe gaat het nu, {voornaam}?",
            "Check-in na hoeveel maanden stilte?",
        ):
            assert text in html, text  # fmt: skip
        coach = client_for(cast.coach).get(self.BASE).content.decode()
        assert "Stappen bekijken" in coach and "Check-in na hoeveel maanden" not in coach

    def test_lead_placeholders_are_the_leads_and_an_unknown_one_is_refused(self, cast):
        owner = client_for(cast.owner)
        add = self.BASE + "geen-gesprek/nieuw/"
        fields = {"nieuw-day": 2, "nieuw-at": "09:00", "nieuw-kind": "email", "nieuw-title": "Hoi {voornaam}"}
        refused = owner.post(add, {**fields, "nieuw-text": "Je startdatum is {startdatum}"})
        assert refused.status_code == 400 and "Onbekende invulplek {startdatum}" in refused.content.decode()
        assert "{intakelink}" in refused.content.decode()
        assert owner.post(add, {**fields, "nieuw-text": "Kies een moment: {intakelink}"}).status_code == 302
        titles = (
            Touchpoint.objects.for_studio(cast.studio)
            .filter(version__playbook__sequence=Sequence.NOT_BOOKED, version__number=2)
            .values_list("day", "title")
        )
        assert (2, "Hoi {voornaam}") in list(titles)
        # A program's playbook has no booking link to fill in.
        program = make_program(cast.studio, format="pt")
        response = owner.post(
            f"/app/{cast.studio.slug}/programmas/{program.pk}/playbook/nieuw/",
            {**fields, "nieuw-text": "{intakelink}", "nieuw-condition": ""},
        )
        assert response.status_code == 400 and "Onbekende invulplek {intakelink}" in response.content.decode()

    def test_hostile_input_is_refused_in_dutch_and_changes_nothing(self, cast):
        owner = client_for(cast.owner)
        owner.get(self.BASE)
        add = self.BASE + "niet-verschenen/nieuw/"
        fields = {
            "nieuw-day": 2,
            "nieuw-at": "09:00",
            "nieuw-kind": "task",
            "nieuw-title": "Bellen",
            "nieuw-text": "",
        }
        for change in ({"nieuw-title": "Bel\x00len"}, {"nieuw-day": "99999999999999999999"}, {"nieuw-day": 91},
                       {"nieuw-kind": "sms"}, {"nieuw-at": "25:00"}, {"nieuw-text": "{0.__class__}"},
                       {"nieuw-title": "x" * 500}):  # fmt: skip
            assert owner.post(add, {**fields, **change}).status_code == 400, change
        assert (
            owner.post(add, {**fields, "nieuw-condition": "no_visit_7d"}).status_code == 302
        )  # ignored for leads
        versions = Touchpoint.objects.for_studio(cast.studio).filter(
            version__playbook__sequence=Sequence.NO_SHOW
        )
        assert versions.filter(condition="").count() == versions.count()
        assert owner.get(self.BASE + "bestaat-niet/").status_code == 404
        assert owner.post(self.BASE + "bestaat-niet/nieuw/", fields).status_code == 404
        # Another studio's touchpoint, through this studio's address: refused as a change to an older version.
        client_for(cast.outsider).get(f"/app/{cast.other_studio.slug}/leads/opvolging/")
        foreign = (
            Touchpoint.objects.for_studio(cast.other_studio)
            .filter(version__playbook__sequence=Sequence.NO_SHOW)
            .first()
        )
        assert foreign is not None
        before = Touchpoint.objects.for_studio(cast.other_studio).count()
        response = owner.post(self.BASE + f"niet-verschenen/{foreign.pk}/verwijderen/", follow=True)
        assert "intussen gewijzigd" in response.content.decode()
        assert Touchpoint.objects.for_studio(cast.other_studio).count() == before

    def test_every_new_url_refuses_another_studio_and_coaches_where_owner_only(self, cast):
        from vollegym.core.testing import assert_other_studio_gets_404

        client_for(cast.owner).get(self.BASE)
        touchpoint = (
            Touchpoint.objects.for_studio(cast.studio)
            .filter(version__playbook__sequence=Sequence.NOT_BOOKED)
            .first()
        )
        assert touchpoint is not None
        sequence = self.BASE + "geen-gesprek/"
        everyone = [self.BASE, sequence]
        owners = [self.BASE + "maanden/", sequence + "nieuw/", f"{sequence}{touchpoint.pk}/",
                  f"{sequence}{touchpoint.pk}/verwijderen/", f"{sequence}{touchpoint.pk}/verplaatsen/"]  # fmt: skip
        for url in everyone + owners:
            assert_other_studio_gets_404(url, cast.outsider, method="get")
            assert_other_studio_gets_404(url, cast.outsider, method="post")
        for url in owners:
            assert client_for(cast.coach).post(url).status_code == 404
        assert client_for(cast.coach).get(sequence).status_code == 200
        # A lead's task of another studio is not found through this studio's address either.
        other = captured(cast.other_studio, "Ander")
        sweep_at(CAPTURED + timedelta(minutes=1))
        sweep_at(local(date(2026, 3, 21), 10, 1))
        foreign = steps_of(other)[1]
        assert (
            client_for(cast.owner).post(f"/app/{cast.studio.slug}/taken/{foreign.pk}/gedaan/").status_code
            == 404
        )
        foreign.refresh_from_db()
        assert foreign.status == Step.Status.OPEN


def test_a_coach_sees_the_sequences_but_the_role_decides_who_edits(cast):
    assert StaffMembership.objects.for_studio(cast.studio).get(user=cast.coach).role == "coach"
    page = client_for(cast.coach).get("/app/kracht-utrecht/leads/opvolging/niet-verschenen/").content.decode()
    assert "Alleen de eigenaar past de opvolging aan." in page


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_start_a_lead_on_a_sequence_once_and_stop_it_once(monkeypatch):
    import threading

    from django.db import connection

    from vollegym.core.races import BARRIER_TIMEOUT, meet_before
    from vollegym.core.testing import make_cast
    from vollegym.retention import services
    from vollegym.retention.services import lead_runs_start, lead_runs_stop

    cast = make_cast()
    lead = captured(cast.studio)

    def together(name: str, work) -> list[int]:
        barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
        meet_before(monkeypatch, services, name, barrier)
        done: list[int] = []
        errors: list[BaseException] = []

        def sweeper() -> None:
            try:
                done.append(work())
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=sweeper) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        monkeypatch.undo()
        assert not errors, errors
        return done

    assert sorted(
        together("lead_run_start", lambda: lead_runs_start(now=CAPTURED + timedelta(minutes=1)))
    ) == [0, 1]
    with time_machine.travel(local(date(2026, 3, 21), 12), tick=False):
        lead_log_contact(lead=lead, kind="call", outcome="reached", by=cast.coach)
    assert sorted(together("run_stop", lambda: lead_runs_stop(now=local(date(2026, 3, 21), 12, 1)))) == [0, 1]
    assert Run.objects.for_studio(cast.studio).filter(lead=lead).count() == 1
    events = DomainEvent.objects.for_studio(cast.studio).filter(kind__startswith="followup.")
    assert sorted(events.values_list("kind", flat=True)) == ["followup.started", "followup.stopped"]


@pytest.mark.django_db
def test_a_switched_off_studio_starts_no_follow_up(cast):
    from vollegym.studios.models import Studio

    lead = captured(cast.studio)
    Studio.objects.filter(pk=cast.studio.pk).update(is_active=False)
    sweep_at(CAPTURED + timedelta(minutes=2))
    assert not Run.objects.for_studio(cast.studio).filter(lead=lead).exists()
    Studio.objects.filter(pk=cast.studio.pk).update(is_active=True)
    sweep_at(CAPTURED + timedelta(minutes=3))
    assert Run.objects.for_studio(cast.studio).filter(lead=lead).exists()
