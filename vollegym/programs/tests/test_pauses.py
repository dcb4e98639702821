"""A pause moves the end of the run (and of every run set after it) by its days, within the studio's rules: from today
on, inside the run, not overlapping, at most the studio's weeks in all; taken back, the end moves back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from vollegym.messaging.models import Message
from vollegym.people.models import DomainEvent
from vollegym.programs.endings import enrolment_cancel, membership_rules_update, memberships_continue
from vollegym.programs.models import Pause, RenewalTalk
from vollegym.programs.pauses import enrolment_pause, pause_withdraw
from vollegym.programs.renewals import renewal_talks_plan
from vollegym.programs.services import ProgramError, enrolment_renew
from vollegym.programs.tests.endings_kit import at, enrol, membership, program, runs

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)
TODAY = date(2026, 3, 16)


def pause(enrolment, first: date, last: date, *, day: date = TODAY, by_member: bool = True, reason: str = ""):
    with time_machine.travel(at(day), tick=False):
        return enrolment_pause(
            enrolment=enrolment, starts_on=first, ends_on=last, by=None, by_member=by_member, reason=reason
        )


def test_a_pause_moves_the_end_and_every_run_after_it(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    with time_machine.travel(at(TODAY), tick=False):
        renewal = enrolment_renew(enrolment=run, by=None)
    end, renewal_start, renewal_end = run.ends_on, renewal.starts_on, renewal.ends_on
    made = pause(run, date(2026, 4, 6), date(2026, 4, 19), reason="Vakantie")
    assert made.days == 14 and made.by_member and made.reason == "Vakantie"
    first, second = runs(run)
    assert first.ends_on == end + timedelta(days=14)
    assert (second.starts_on, second.ends_on) == (
        renewal_start + timedelta(days=14),
        renewal_end + timedelta(days=14),
    )
    assert second.first_payment_due == second.starts_on
    event = DomainEvent.objects.for_studio(cast.studio).get(kind="member.paused")
    assert event.payload == {
        "member_id": run.member_id, "enrolment_id": run.pk, "pause_id": made.pk, "starts_on": "2026-04-06",
        "ends_on": "2026-04-19", "by_member": True,
    }  # fmt: skip
    mail = Message.objects.for_studio(cast.studio).get(purpose="pause")
    assert "6 april 2026 tot en met 19 april 2026 (14 dagen)" in mail.body and "7 juni 2026" in mail.body


def test_a_pause_in_a_later_term_belongs_to_that_term(cast):
    run = enrol(cast.studio, membership(cast.studio), START)
    with time_machine.travel(at(START), tick=False):
        memberships_continue()
    first, second = runs(run)
    made = pause(run, second.starts_on + timedelta(days=2), second.starts_on + timedelta(days=8))
    assert made.enrolment_id == second.pk
    again = runs(run)
    assert again[0].ends_on == first.ends_on and again[1].ends_on == second.ends_on + timedelta(days=7)


def test_a_renewal_talk_still_to_have_moves_with_the_end(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    renewal_talks_plan(now=at(run.ends_on - timedelta(days=14)))
    due = RenewalTalk.objects.for_studio(cast.studio).get().due_on
    pause(
        run,
        run.ends_on - timedelta(days=10),
        run.ends_on - timedelta(days=4),
        day=run.ends_on - timedelta(days=12),
    )
    assert RenewalTalk.objects.for_studio(cast.studio).get().due_on == due + timedelta(days=7)


@pytest.mark.parametrize(
    ("first", "last", "said"),
    [
        (date(2026, 3, 15), date(2026, 3, 20), "vandaag of later"),  # begins yesterday
        (date(2026, 3, 20), date(2026, 3, 19), "eindigt voor hij begint"),
        (
            date(2026, 5, 25),
            date(2026, 5, 30),
            "uiterlijk op de laatste dag",
        ),  # after the run's last day (24 May)
        (date(2026, 3, 20), date(2026, 5, 20), "8 weken"),  # 62 days: more than the studio's 8 weeks
    ],
)
def test_a_pause_outside_the_rules_is_refused_in_dutch(cast, first, last, said):
    run = enrol(cast.studio, program(cast.studio), START)
    with pytest.raises(ProgramError, match=said):
        pause(run, first, last)
    assert not Pause.objects.for_studio(cast.studio).exists()
    assert runs(run)[0].ends_on == date(2026, 5, 24)


def test_pauses_may_not_overlap_and_count_together_against_the_studios_weeks(cast):
    membership_rules_update(studio=cast.studio, pause_max_weeks=3, members_may_pause=True, win_back_weeks=6)
    run = enrol(cast.studio, program(cast.studio), START)
    pause(run, date(2026, 3, 23), date(2026, 4, 5))  # two weeks
    with pytest.raises(ProgramError, match="overlappen"):
        pause(run, date(2026, 4, 5), date(2026, 4, 6))
    with pytest.raises(ProgramError, match="nog 7 dagen pauze"):
        pause(run, date(2026, 4, 20), date(2026, 4, 27))  # eight days more: 22 of 21
    pause(run, date(2026, 4, 20), date(2026, 4, 26))  # seven: exactly three weeks in all
    assert runs(run)[0].ends_on == date(2026, 5, 24) + timedelta(days=21)


def test_a_member_pauses_only_where_the_studio_lets_members_pause(cast):
    membership_rules_update(studio=cast.studio, pause_max_weeks=8, members_may_pause=False, win_back_weeks=6)
    run = enrol(cast.studio, program(cast.studio), START)
    with pytest.raises(ProgramError, match="via de coach"):
        pause(run, date(2026, 3, 20), date(2026, 3, 25))
    assert pause(run, date(2026, 3, 20), date(2026, 3, 25), by_member=False).days == 6


def test_a_cancelled_run_is_not_paused(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    with time_machine.travel(at(TODAY), tick=False):
        enrolment_cancel(enrolment=run, by=None, by_member=True)
    with pytest.raises(ProgramError, match="opgezegd"):
        pause(run, date(2026, 3, 20), date(2026, 3, 25))


@pytest.mark.parametrize("reason", ["\x00", "x" * 201])
def test_a_hostile_reason_is_refused(cast, reason):
    run = enrol(cast.studio, program(cast.studio), START)
    with pytest.raises(ProgramError):
        pause(run, date(2026, 3, 20), date(2026, 3, 25), reason=reason)


def test_taking_back_a_pause_before_it_begins_undoes_it_and_one_going_on_ends_yesterday(cast):
    run = enrol(cast.studio, program(cast.studio), START)
    later = pause(run, date(2026, 4, 6), date(2026, 4, 12))
    with time_machine.travel(at(TODAY), tick=False):
        pause_withdraw(pause=later, by=None, by_member=True)
    later.refresh_from_db()
    assert later.withdrawn_at is not None and runs(run)[0].ends_on == date(2026, 5, 24)
    going = pause(run, date(2026, 3, 20), date(2026, 4, 2))  # 14 days
    assert runs(run)[0].ends_on == date(2026, 6, 7)
    with time_machine.travel(at(date(2026, 3, 25)), tick=False):  # back early: 20-24 March used, 9 days not
        pause_withdraw(pause=going, by=None, by_member=True)
    going.refresh_from_db()
    assert going.ends_on == date(2026, 3, 24) and going.withdrawn_at is None
    assert runs(run)[0].ends_on == date(2026, 5, 29)
    with time_machine.travel(at(date(2026, 3, 26)), tick=False), pytest.raises(ProgramError, match="voorbij"):
        pause_withdraw(pause=going, by=None, by_member=True)
    back = DomainEvent.objects.for_studio(cast.studio).filter(kind="member.pause_withdrawn").order_by("id")
    assert [e.payload["days_back"] for e in back] == [7, 9]


def test_a_membership_counts_its_pauses_over_twelve_months_not_per_monthly_term(cast):
    membership_rules_update(studio=cast.studio, pause_max_weeks=2, members_may_pause=True, win_back_weeks=6)
    run = enrol(cast.studio, membership(cast.studio), START)
    with time_machine.travel(at(START), tick=False):
        memberships_continue()
    _first, second = runs(run)
    pause(run, date(2026, 3, 16), date(2026, 3, 25), day=START)  # ten days in the first term
    with pytest.raises(ProgramError, match="nog 4 dagen pauze"):  # a new term does not start a new allowance
        pause(run, second.starts_on + timedelta(days=10), second.starts_on + timedelta(days=14), day=START)
    with pytest.raises(ProgramError, match="verder vooruit staat je lidmaatschap nog niet vast"):
        pause(run, date(2026, 12, 1), date(2026, 12, 2), day=START)
