"""Members and money: monthly cohorts and how long they stay, lifetime value, and revenue, recurring revenue, churn
and growth per month, all from the enrolments at their locked prices.

- A member's life runs from the start of their first enrolment to the end of their last; while a run is still going
  on (or one is set to start) they are a member today, and the survival curve counts them as censored, not gone.
- A stopped enrolment does not count: the day it stopped is not kept (the funnel and the overview do the same).
- Revenue is what was agreed: each enrolment's price spread evenly over the days it runs, so a 12-week program counts
  in each month by the days it runs in that month.
- Collected revenue, where the studio takes payments through Mollie: what was paid in a month, less what was refunded
  and charged back in it (payments/books.py); absent for a studio that never took a payment through Mollie.
- Recurring revenue at a month's end: the memberships running that day at their price per average month
  (a 4-week period at € 139 is € 151,10 a month: 365,25 / 12 days at € 139 per 28 days).
- Churn in a month: the members whose last run ended in it, of the members there at its first day.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property

from vollegym.analytics.survival import Step, at_risk_at, kaplan_meier, restricted_mean, survival_at
from vollegym.core import clock
from vollegym.payments.books import collected_per_month, takes_payments
from vollegym.programs.models import Enrolment, Program
from vollegym.studios.models import Studio

MONTH_DAYS = 365.25 / 12  # an average month, so a 31-day month does not make a lifetime longer


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of every month from `first`'s month to `last`'s, both included."""
    found, month = [], month_start(first)
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found


@dataclass(frozen=True)
class Run:
    member_id: int
    starts_on: date
    ends_on: date
    price_cents: int
    membership: bool

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def days_within(self, first: date, last: date) -> int:
        return max((min(self.ends_on, last) - max(self.starts_on, first)).days + 1, 0)

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass
class Life:
    """One member's runs, from the first start to the last end. Read once its runs are all there."""

    member_id: int
    runs: list[Run] = field(default_factory=list)

    @cached_property
    def joined(self) -> date:
        return min(r.starts_on for r in self.runs)

    @cached_property
    def last_day(self) -> date:
        return max(r.ends_on for r in self.runs)

    @cached_property
    def stretches(self) -> list[tuple[date, date]]:
        """The days they were a member as unbroken stretches (runs that touch or overlap joined)."""
        found: list[tuple[date, date]] = []
        for run in sorted(self.runs, key=lambda r: r.starts_on):
            if found and run.starts_on <= found[-1][1] + timedelta(days=1):
                found[-1] = (found[-1][0], max(found[-1][1], run.ends_on))
            else:
                found.append((run.starts_on, run.ends_on))
        return found

    def left_by(self, today: date) -> bool:
        return self.last_day < today

    def months(self, today: date) -> float:
        """How long they have been a member: until their last day, or until today while they still are."""
        return ((min(self.last_day, today) - self.joined).days + 1) / MONTH_DAYS

    def member_on(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.stretches)

    def days_within(self, first: date, last: date) -> int:
        """Days they were a member from `first` to `last` (runs that overlap count once)."""
        return sum(max((min(end, last) - max(start, first)).days + 1, 0) for start, end in self.stretches)


def lives_of(studio: Studio, today: date) -> tuple[list[Life], int]:
    """Every member who has started, with their runs; and how many members only have stopped runs (left out)."""
    lives: dict[int, Life] = {}
    stopped: set[int] = set()
    for member_id, starts_on, ends_on, price_cents, kind, status in (
        Enrolment.objects.for_studio(studio)
        .order_by("starts_on", "id")
        .values_list("member_id", "starts_on", "ends_on", "price_cents", "program__kind", "status")
    ):
        if status == Enrolment.Status.STOPPED:
            stopped.add(member_id)
            continue
        run = Run(member_id, starts_on, ends_on, price_cents, kind == Program.Kind.MEMBERSHIP)
        lives.setdefault(member_id, Life(member_id)).runs.append(run)
    started = [life for life in lives.values() if life.joined <= today]
    return started, len(stopped - set(lives))


@functools.lru_cache(maxsize=4096)
def _month_span(first_month: date, last_month: date) -> tuple[date, ...]:
    return tuple(months_between(first_month, last_month))


@functools.lru_cache(maxsize=1024)
def _last_of(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def _months_of(first: date, last: date) -> tuple[date, ...]:
    """The first days of the months from `first`'s to `last`'s (empty when `last` is before `first`). Runs of a
    studio start and end in the same few dozen months, so each span is worked out once."""
    return _month_span(month_start(first), month_start(last)) if first <= last else ()


def revenue_per_month(runs: list[Run], months: list[date]) -> dict[date, float]:
    """Each run's agreed price spread over the days it runs, added up per month (cents, unrounded)."""
    found = dict.fromkeys(months, 0.0)
    for run in runs:
        for month in _months_of(run.starts_on, run.ends_on):
            if month in found:
                found[month] += run.price_cents * run.days_within(month, _last_of(month)) / run.days
    return found


def recurring_on(runs: list[Run], day: date) -> float:
    """The memberships running on `day`, each at its price per average month (cents)."""
    return sum(r.price_cents * MONTH_DAYS / r.days for r in runs if r.membership and r.covers(day))


@dataclass(frozen=True)
class MonthRow:
    month: date
    at_start: int  # members on the month's first day
    joined: int
    left: int  # whose last run ended this month (and who have no run after it)
    at_end: int  # members on the month's last day (today, for this month)
    revenue_cents: int
    recurring_cents: int  # at the month's end (today, for this month)
    running: bool  # this month: not over yet
    collected_cents: int | None = None  # paid through Mollie, less refunds and charge-backs; None: no Mollie

    @property
    def net(self) -> int:
        return self.joined - self.left

    @property
    def churn(self) -> float | None:
        return self.left / self.at_start if self.at_start else None


def month_rows(lives: list[Life], months: list[date], today: date) -> list[MonthRow]:
    """Each month up to this one: members at its start and end, who joined and left, agreed and recurring revenue.

    Each life and run is walked once over the months it touches, so a studio of thousands stays quick.
    """
    shown = [month for month in months if month <= today]
    end_of = {month: min(next_month(month) - timedelta(days=1), today) for month in shown}
    at_start, at_end, joined, left = (dict.fromkeys(shown, 0) for _n in range(4))
    recurring = dict.fromkeys(shown, 0.0)
    for life in lives:
        for start, end in life.stretches:
            for month in _months_of(start, end):
                if month in end_of:
                    at_start[month] += start <= month <= end
                    at_end[month] += start <= end_of[month] <= end
        if month_start(life.joined) in joined:
            joined[month_start(life.joined)] += 1
        if life.left_by(today) and month_start(life.last_day) in left:
            left[month_start(life.last_day)] += 1
        for run in life.runs:
            if run.membership:
                for month in _months_of(run.starts_on, run.ends_on):
                    if month in end_of and run.covers(end_of[month]):
                        recurring[month] += run.price_cents * MONTH_DAYS / run.days
    revenue = revenue_per_month([run for life in lives for run in life.runs], shown)
    return [
        MonthRow(
            month=month,
            at_start=at_start[month],
            joined=joined[month],
            left=left[month],
            at_end=at_end[month],
            revenue_cents=round(revenue[month]),
            recurring_cents=round(recurring[month]),
            running=end_of[month] >= today,
        )
        for month in shown
    ]


def per_member_month(lives: list[Life], first: date, last: date) -> float | None:
    """Agreed revenue per member per month of membership from `first` to `last`: what a month of a member brings."""
    runs = [run for life in lives for run in life.runs]
    revenue = sum(r.price_cents * r.days_within(first, last) / r.days for r in runs)
    member_days = sum(life.days_within(first, last) for life in lives)
    return revenue / member_days * MONTH_DAYS if member_days else None


@dataclass(frozen=True)
class CurvePoint:
    month: int
    survival: float
    at_risk: int  # members observed this long


@dataclass(frozen=True)
class Cohort:
    month: date
    size: int
    survival: list[
        float | None
    ]  # per month since joining; None where nobody in the cohort has been there yet


@dataclass(frozen=True)
class MoneyReport:
    first_day: date
    last_day: date
    today: date
    members: int  # in the cohorts of the period
    still: int  # of them still a member today (censored)
    stopped_only: int  # members left out: only stopped runs
    steps: list[Step]
    curve: list[CurvePoint]
    horizon: int  # whole months the curve reaches
    lifetime_months: float | None  # restricted mean up to the horizon
    per_month_cents: float | None  # agreed revenue per member-month over the period
    cohorts: list[Cohort]
    months: list[MonthRow]
    collects: bool = False  # the studio takes payments through Mollie: the months have collected revenue too

    @property
    def ltv_cents(self) -> float | None:
        if self.lifetime_months is None or self.per_month_cents is None:
            return None
        return self.per_month_cents * self.lifetime_months

    @property
    def gone(self) -> int:
        return self.members - self.still


def _curve(steps: list[Step], horizon: int) -> list[CurvePoint]:
    return [
        CurvePoint(m, survival_at(steps, m * 1.0), at_risk_at(steps, m * 1.0)) for m in range(horizon + 1)
    ]


def _cohorts(lives: list[Life], today: date) -> list[Cohort]:
    by_month: dict[date, list[Life]] = defaultdict(list)
    for life in lives:
        by_month[month_start(life.joined)].append(life)
    found = []
    for month in sorted(by_month):
        group = by_month[month]
        steps = kaplan_meier((life.months(today), life.left_by(today)) for life in group)
        reach = int(max(life.months(today) for life in group))
        found.append(Cohort(month, len(group), [survival_at(steps, m) for m in range(reach + 1)]))
    return found


def money_report(studio: Studio, *, first_day: date, last_day: date) -> MoneyReport:
    """The cohorts of members who joined from `first_day` to `last_day`, and the studio's months in that period."""
    today = clock.local(clock.now(), studio.zone).date()
    lives, stopped_only = lives_of(studio, today)
    cohort = [life for life in lives if first_day <= life.joined <= last_day]
    steps = kaplan_meier((life.months(today), life.left_by(today)) for life in cohort)
    horizon = int(max((life.months(today) for life in cohort), default=0))
    lifetime = restricted_mean(steps, float(horizon)) if cohort and horizon else None
    until = min(last_day, today)
    # The months before the first member ever started say nothing: the table starts at that month.
    since = max([first_day, month_start(min(life.joined for life in lives))] if lives else [first_day])
    months = month_rows(lives, months_between(since, last_day), today)
    collects = takes_payments(studio)
    if collects and months:
        collected = collected_per_month(studio, months[0].month, months[-1].month)
        months = [replace(row, collected_cents=collected.get(row.month, 0)) for row in months]
    return MoneyReport(
        first_day=first_day, last_day=last_day, today=today, members=len(cohort),
        still=sum(1 for life in cohort if not life.left_by(today)), stopped_only=stopped_only,
        steps=steps, curve=_curve(steps, horizon) if cohort else [], horizon=horizon, lifetime_months=lifetime,
        per_month_cents=per_member_month(lives, first_day, until) if first_day <= until else None,
        cohorts=_cohorts(cohort, today), months=months, collects=collects,
    )  # fmt: skip
