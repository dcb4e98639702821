"""The day's work of one coach (or of the whole studio, for its owner), gathered from every step of the loop.

A read-only page on top of the other apps: it asks each app for what is due and changes nothing itself; every
button on it posts to the app that owns the work."""

from __future__ import annotations

from dataclasses import dataclass

from vollegym.core import clock
from vollegym.intake.models import Booking
from vollegym.intake.selectors import (
    bookings_later_today,
    bookings_later_today_count,
    bookings_to_record,
    bookings_to_record_count,
)
from vollegym.leads.models import Lead
from vollegym.leads.selectors import Clock, waiting_for_answer, waiting_for_answer_counts
from vollegym.payments.selectors import MissedRow, missed_to_follow, missed_to_follow_count
from vollegym.programs.models import RenewalTalk
from vollegym.programs.renewals import (
    PauseEnding,
    pauses_ending_soon,
    renewal_talks_due,
    renewal_talks_due_count,
)
from vollegym.referrals.selectors import ReferralRow, rewards_to_give, rewards_to_give_count
from vollegym.retention.models import ActivationCheck, Rating, Step
from vollegym.retention.risk_selectors import RiskRow, risk_calls_for
from vollegym.retention.selectors import (
    ratings_low_open,
    ratings_low_open_count,
    tasks_open,
    tasks_open_counts,
)
from vollegym.schedule.models import ClassSession
from vollegym.schedule.personal import PtMember, pt_members
from vollegym.schedule.selectors import sessions_today
from vollegym.studios.models import Studio, User


@dataclass(frozen=True)
class Day:
    leads: list[tuple[Lead, Clock]]
    later_today: list[Booking]
    to_record: list[Booking]
    classes: list[ClassSession]
    pt: list[PtMember]  # PT members without a training recorded today, longest ago first
    steps: list[Step]
    lead_steps: list[Step]
    risks: list[RiskRow]
    flags: list[ActivationCheck]
    low_ratings: list[Rating]
    talks: list[RenewalTalk]  # renewal conversations due
    pauses: list[PauseEnding]  # members back from a pause within the week
    rewards: list[ReferralRow]
    payments: list[MissedRow]  # debits failed or charged back, not yet paid nor decided on

    @property
    def late(self) -> int:
        return sum(1 for _lead, found in self.leads if found.state == "late")

    @property
    def conversations(self) -> int:
        return len(self.later_today) + len(self.to_record)

    @property
    def renewals(self) -> int:
        return len(self.talks) + len(self.pauses)

    @property
    def calls(self) -> int:
        return len(self.low_ratings) + len(self.risks) + len(self.flags)

    @property
    def total(self) -> int:
        return sum(
            len(part)
            for part in (
                self.leads, self.lead_steps, self.later_today, self.to_record, self.classes, self.steps, self.risks, self.flags, self.low_ratings,
                self.rewards, self.talks, self.pauses, self.payments,
            )
        )  # fmt: skip


def day_of(studio: Studio, user: User, *, mine: bool, role: str) -> Day:
    """What waits on this person today: with `mine`, only their own members, leads and conversations (and leads
    nobody has taken); otherwise the whole studio's. Rewards are handed out by the owner, so only owners see them."""
    coach = user if mine else None
    seen_as = "coach" if mine else role
    now = clock.now()
    tasks = tasks_open(studio, user, seen_as, now=now)
    # Members at risk whom nobody reached lately; one behind in their first month is one call, on the risk card.
    risks = [row for row in risk_calls_for(studio, coach=coach, as_of=now) if not row.reached_recently]
    at_risk = {row.member.pk for row in risks}
    return Day(
        leads=waiting_for_answer(studio, coach=coach),
        later_today=bookings_later_today(studio, coach=coach),
        to_record=bookings_to_record(studio, coach=coach),
        classes=sessions_today(studio, coach=coach),
        pt=[row for row in pt_members(studio, coach=coach) if not row.today],
        steps=tasks.steps,
        lead_steps=tasks.lead_steps,
        risks=risks,
        flags=[check for check in tasks.flags if check.member_id not in at_risk],
        low_ratings=ratings_low_open(studio, user, seen_as),
        rewards=rewards_to_give(studio) if role != "coach" else [],
        talks=renewal_talks_due(studio, coach=coach),
        pauses=pauses_ending_soon(studio, coach=coach),
        payments=missed_to_follow(studio, coach=coach, role=role),
    )


@dataclass(frozen=True)
class DayCounts:
    """How many of each kind of the Today page's work wait, counted in the database (for the overview's counts)."""

    late: int
    waiting: int  # leads still in time
    lead_steps: int
    later_today: int
    to_record: int
    calls: int
    steps: int
    talks: int
    rewards: int
    payments: int


def day_counts(studio: Studio, user: User, *, mine: bool, role: str) -> DayCounts:
    """The counts of `day_of`'s lists, a COUNT query per kind instead of the rows (the lists are capped; these not).
    Only the members at risk are found as on the Today page, since a flagged member on that list is one call."""
    coach = user if mine else None
    seen_as = "coach" if mine else role
    now = clock.now()
    risks = [row for row in risk_calls_for(studio, coach=coach, as_of=now) if not row.reached_recently]
    tasks = tasks_open_counts(studio, user, seen_as, now=now, leaving_out={row.member.pk for row in risks})
    late, waiting = waiting_for_answer_counts(studio, coach=coach)
    return DayCounts(
        late=late,
        waiting=waiting,
        lead_steps=tasks.lead_steps,
        later_today=bookings_later_today_count(studio, coach=coach),
        to_record=bookings_to_record_count(studio, coach=coach),
        calls=ratings_low_open_count(studio, user, seen_as) + len(risks) + tasks.flags,
        steps=tasks.steps,
        talks=renewal_talks_due_count(studio, coach=coach),
        rewards=rewards_to_give_count(studio) if role != "coach" else 0,
        payments=missed_to_follow_count(studio, coach=coach),
    )
