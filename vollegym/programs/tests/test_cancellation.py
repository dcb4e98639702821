"""Cancelling by the Dutch rules: a program runs to its end, a contract made at a distance stops at once within 14
days, a membership ends with its first term and after that with the month going on (Wet Van Dam); what was set
after it does not go on; a confirmation by mail (over SMTP), a notice to the coach, an event, never twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from vollegym.core.testing import run_tasks
from vollegym.messaging.models import Message
from vollegym.people.models import DomainEvent, Purpose
from vollegym.people.rights import person_erase, person_export
from vollegym.people.services import consent_record
from vollegym.programs.endings import enrolment_cancel, memberships_continue
from vollegym.programs.models import Cancellation, Enrolment, Pause, RenewalTalk
from vollegym.programs.pauses import enrolment_pause
from vollegym.programs.renewals import renewal_talks_plan
from vollegym.programs.runs import ending_if_cancelled
from vollegym.programs.services import ProgramError, enrolment_renew
from vollegym.programs.tests.endings_kit import at, enrol, membership, program, runs

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)  # a Monday


def cancel(enrolment: Enrolment, day: date, **kwargs) -> Cancellation:
    kwargs.setdefault("by", None)
    kwargs.setdefault("by_member", True)
    with time_machine.travel(at(day), tick=False):
        return enrolment_cancel(enrolment=enrolment, **kwargs)


def test_a_program_runs_to_its_agreed_end_and_the_renewal_not_begun_does_not_go_on(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    with time_machine.travel(at(START + timedelta(days=40)), tick=False):
        renewal = enrolment_renew(enrolment=run, by=cast.owner)
    cancellation = cancel(run, START + timedelta(days=50), reason="money", reason_text="Even krap dit jaar")
    assert cancellation.effective_on == run.ends_on == date(2026, 5, 24)
    assert cancellation.rule == Cancellation.Rule.PROGRAM_END and cancellation.by_member
    first, second = runs(run)
    assert first.status == "active" and first.ends_on == date(2026, 5, 24)  # trains on until the end
    assert second == renewal and second.status == "stopped"
    kinds = list(DomainEvent.objects.for_studio(cast.studio).values_list("kind", flat=True))
    assert kinds.count("member.cancelled") == 1 and kinds.count("member.stopped") == 1
    event = DomainEvent.objects.for_studio(cast.studio).get(kind="member.cancelled")
    assert event.payload["effective_on"] == "2026-05-24" and event.payload["reason"] == "money"


def test_within_14_days_of_signing_at_a_distance_it_stops_at_once(cast):
    run = enrol(
        cast.studio, program(cast.studio), START, signed_on=START - timedelta(days=3), at_distance=True
    )
    day = START + timedelta(days=10)  # 13 days after signing
    with time_machine.travel(at(day), tick=False):
        ending = ending_if_cancelled(run)
    assert ending is not None and ending.immediately and ending.cooling_off_until == date(2026, 3, 13)
    cancellation = cancel(run, day)
    assert cancellation.rule == "cooling_off" and cancellation.effective_on == day
    run.refresh_from_db()
    assert run.status == "stopped" and run.ends_on == day


def test_the_cooling_off_is_14_days_and_only_for_a_contract_at_a_distance(cast):
    offer = program(cast.studio)
    late = enrol(cast.studio, offer, START, name="Tom Bakker", at_distance=True)
    in_studio = enrol(cast.studio, offer, START, name="Ilse Jansen")
    assert cancel(late, START + timedelta(days=15)).rule == "program_end"  # day 15: too late to undo
    assert cancel(in_studio, START + timedelta(days=1)).rule == "program_end"


def test_a_cooling_off_before_the_start_stops_a_run_that_never_began(cast):
    run = enrol(
        cast.studio, program(cast.studio), START, signed_on=START - timedelta(days=5), at_distance=True
    )
    cancellation = cancel(run, START - timedelta(days=2))
    run.refresh_from_db()
    assert cancellation.effective_on == START - timedelta(days=2)
    assert run.status == "stopped" and run.ends_on == START  # a run never ends before it starts


def test_a_membership_ends_with_its_first_term_then_with_the_month_going_on(cast):
    group = membership(cast.studio, weeks=12, price_cents=39000)  # a first term of twelve weeks
    run = enrol(cast.studio, group, START)
    with time_machine.travel(at(START), tick=False):
        memberships_continue()  # the next term is set once the first has begun
    first, second = runs(run)
    assert first.continues and second.continues and second.origin == "continued"
    assert (second.ends_on - second.starts_on).days + 1 == 28  # after the first term: four weeks at a time
    assert second.price_cents == 13000  # its share of the twelve weeks' price
    with time_machine.travel(at(START + timedelta(days=20)), tick=False):
        ending = ending_if_cancelled(run)
    assert ending is not None and ending.rule == "first_term" and ending.last_day == first.ends_on
    assert ending.stops == (second,)
    # In the monthly part: cancelled today, a member until the end of the term going on, at most four weeks on.
    day = first.ends_on + timedelta(days=10)
    with time_machine.travel(at(day), tick=False):
        memberships_continue()
        ending = ending_if_cancelled(run)
    assert ending is not None and ending.rule == "monthly" and ending.run == second
    assert ending.last_day == second.ends_on and (ending.last_day - day).days < 31
    third = runs(run)[2]
    cancellation = cancel(run, day)
    assert cancellation.enrolment_id == second.pk and cancellation.effective_on == second.ends_on
    second.refresh_from_db()
    third.refresh_from_db()
    assert not second.continues and second.status == "active" and third.status == "stopped"
    with time_machine.travel(at(second.ends_on), tick=False):
        assert memberships_continue() == 0  # a cancelled membership does not go on


def test_cancelling_twice_or_what_ended_is_refused(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    cancel(run, START + timedelta(days=3))
    with pytest.raises(ProgramError, match="al opgezegd"):
        cancel(run, START + timedelta(days=4))
    old = enrol(cast.studio, program(cast.studio, name="Kort", weeks=1), START, name="Tom Bakker")
    with pytest.raises(ProgramError, match="niets meer"):
        cancel(old, START + timedelta(days=30))
    assert Cancellation.objects.for_studio(cast.studio).count() == 1


@pytest.mark.parametrize(
    ("reason", "text", "said"),
    [
        ("geen-reden", "", "uit de lijst"),
        ("money", "nul\x00byte", "teken"),
        ("money", "x" * 501, "501 tekens"),
        ("money", "\ud800", "teken"),
    ],
)
def test_hostile_reasons_are_refused_in_dutch(cast, reason, text, said):
    run = enrol(cast.studio, program(cast.studio), START)
    with pytest.raises(ProgramError, match=said):
        cancel(run, START + timedelta(days=3), reason=reason, reason_text=text)
    assert not Cancellation.objects.for_studio(cast.studio).exists()


def test_the_member_gets_a_confirmation_by_mail_and_the_coach_a_notice(cast, smtp, settings):
    settings.SITE_URL = "https://app.vollegym.test"
    run = enrol(cast.studio, membership(cast.studio), START)
    member = run.member
    member.coach = cast.coach
    member.save()
    cancel(run, START + timedelta(days=5), reason="moving")
    with time_machine.travel(at(START + timedelta(days=5)), tick=False):
        run_tasks()
    (mail,) = smtp.to("eva@example.nl")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert str(mail["Subject"]) == "Je opzegging bij Kracht Utrecht is binnen"
    assert "je bent lid tot en met 29 maart 2026" in body
    assert "Je gaf als reden: Ik ga verhuizen." in body
    assert "nog één keer een bericht" in body  # the win-back, and how to say no to it
    assert "https://app.vollegym.test/s/kracht-utrecht/leden/" in body
    assert "/s/kracht-utrecht/berichten/" in body  # the person's own page of what they get
    notice = Message.objects.for_studio(cast.studio).get(channel="app", to_user=cast.coach)
    assert "Eva de Boer zegde op (zelf, online)" in notice.body and "29 maart 2026" in notice.body


def test_the_confirmation_goes_even_to_someone_who_wants_no_more_contact(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    consent_record(person=run.member.person, purpose=Purpose.CONTACT, given=False, how="form", wording="Nee")
    cancellation = cancel(run, START + timedelta(days=5))
    message = Message.objects.for_studio(cast.studio).get(purpose="cancellation")
    assert cancellation.message == message and message.status == Message.Status.QUEUED


def test_an_open_renewal_talk_is_answered_by_the_cancellation(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    renewal_talks_plan(now=at(run.ends_on - timedelta(days=10)))
    cancel(run, run.ends_on - timedelta(days=9), reason="time")
    talk = RenewalTalk.objects.for_studio(cast.studio).get()
    assert talk.status == "declined" and talk.reason == "time"


def test_export_holds_the_pause_and_the_cancellation_and_erasure_removes_their_words(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    with time_machine.travel(at(START + timedelta(days=1)), tick=False):
        enrolment_pause(enrolment=run, starts_on=START + timedelta(days=7), ends_on=START + timedelta(days=9),
                        by=None, by_member=True, reason="Mijn knie")  # fmt: skip
    cancel(run, START + timedelta(days=2), reason="health", reason_text="Mijn knie wil niet meer")
    person = run.member.person
    data = person_export(person=person, by=cast.owner)
    assert data["pauses"][0]["reason"] == "Mijn knie"
    assert data["cancellations"][0]["reason_text"] == "Mijn knie wil niet meer"
    assert (
        data["cancellations"][0]["member_until"] == "2026-05-27"
    )  # the twelve weeks and the three days' pause
    person_erase(person=person, by=cast.owner)
    cancellation = Cancellation.objects.for_studio(cast.studio).get()
    assert cancellation.reason_text == "" and cancellation.reason == "health"
    assert Pause.objects.for_studio(cast.studio).get().reason == ""
