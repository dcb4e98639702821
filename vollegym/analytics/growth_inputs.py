"""What the growth simulator starts from, read from the studio's own rows and the other reports' figures: the last
twelve complete months of leads (the funnel's journeys, in the speed report's answer-time buckets), the members'
survival (the members page's lives), revenue per member-month at agreed and at today's prices, and the classes'
places. Read once per page; analytics/simulator.py does the arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db.models import Count, Sum

from vollegym.analytics.bootstrap import History
from vollegym.analytics.funnel import Journey, Row, funnel_total, journeys
from vollegym.analytics.money import Life, lives_of, months_between, per_member_month
from vollegym.analytics.money_forms import months_back
from vollegym.analytics.simulator import Curve
from vollegym.analytics.speed import BUCKETS, bucket_of
from vollegym.core import clock
from vollegym.leads.models import Source
from vollegym.programs.models import Enrolment, Member
from vollegym.programs.selectors import programs_overview
from vollegym.schedule.models import ClassSession, ClassTemplate, ScheduleSettings, SessionBooking
from vollegym.studios.models import Studio

FAST_BUCKET = BUCKETS[0][0]  # "< 5 min"
CURVE_MONTHS = (
    36  # the curve is drawn from the members who joined in the last three years (the members page's default)
)
FILL_WEEKS = 8  # the weeks over which the mats a member takes are counted (the fill page's default)
DEFAULT_THRESHOLD = 85


@dataclass(frozen=True)
class SourceFacts:
    key: str
    label: str
    leads: int
    won: int


@dataclass(frozen=True)
class Capacity:
    classes: int  # on the agenda now
    weekly_mats: int
    mats_per_member: float  # over the last weeks: mats taken / members a week
    fill: float | None  # over the last weeks: mats taken / mats
    threshold: float  # the studio's "full" for the price advice

    @property
    def places(self) -> float | None:
        return self.weekly_mats / self.mats_per_member if self.weekly_mats and self.mats_per_member else None


@dataclass(frozen=True)
class PriceFacts:
    program: str
    cents: int
    kind: str


@dataclass
class Inputs:
    """The History the simulator resamples, and the facts the page says in words."""

    history: History
    first_month: date
    last_month: date
    today: date
    funnel: Row  # the whole funnel of the twelve months
    sources: list[SourceFacts]
    fast: tuple[int, int]  # leads answered within five minutes, and of them became a member
    later: tuple[int, int]  # the other leads (answered later, or never)
    direct: int  # members who came without a lead in the twelve months
    curve_members: int
    curve_still: int
    capacity: Capacity
    price_index: float  # today's prices against the prices agreed over the twelve months
    prices: list[PriceFacts] = field(default_factory=list)

    @property
    def leads(self) -> int:
        return sum(s.leads for s in self.sources)

    @property
    def months(self) -> int:
        return len(self.history.months)

    @property
    def leads_per_month(self) -> float:
        return self.leads / self.months if self.months else 0.0

    @property
    def direct_per_month(self) -> float:
        return self.direct / self.months if self.months else 0.0

    @property
    def fast_rate(self) -> float | None:
        return self.fast[1] / self.fast[0] if self.fast[0] else None

    @property
    def later_rate(self) -> float | None:
        return self.later[1] / self.later[0] if self.later[0] else None

    @property
    def won_rate(self) -> float | None:
        return sum(s.won for s in self.sources) / self.leads if self.leads else None

    @property
    def enough(self) -> bool:
        """Enough history to project: members to draw a curve from, and leads or members coming in."""
        return self.curve_members >= 10 and (self.leads > 0 or self.direct > 0)


Tally = dict[tuple[str, str], tuple[int, int]]


def _tallies(studio: Studio, found: list[Journey], months: list[date]) -> list[Tally]:
    """Per month, (source, answer-time bucket) → (leads, of them became a member), from the funnel's journeys."""
    index = {month: i for i, month in enumerate(months)}
    per_month: list[dict[tuple[str, str], list[int]]] = [{} for _m in months]
    for journey in found:
        month = journey.day.replace(day=1)
        pair = per_month[index[month]].setdefault(
            (journey.source, bucket_of(journey.response_seconds)), [0, 0]
        )
        pair[0] += 1
        pair[1] += journey.won
    return [{key: (pair[0], pair[1]) for key, pair in tally.items()} for tally in per_month]


def _direct(studio: Studio, lives: list[Life], months: list[date]) -> list[int]:
    """Per month, the members who started without a lead (a walk-in enrolled at once, someone from before)."""
    without = set(Member.objects.for_studio(studio).filter(lead__isnull=True).values_list("id", flat=True))
    index = {month: i for i, month in enumerate(months)}
    found = [0] * len(months)
    for life in lives:
        month = life.joined.replace(day=1)
        if life.member_id in without and month in index:
            found[index[month]] += 1
    return found


def _price_index(studio: Studio, first: date, last: date) -> tuple[float, list[PriceFacts]]:
    """Revenue of the twelve months at today's prices / at the prices agreed: what a new member pays more (or less)
    for the same programs than the members who are there; and the prices for sale today."""
    today_cents: dict[int, int] = {}
    prices = []
    for row in programs_overview(studio):
        if row.price is not None:
            today_cents[row.program.pk] = row.price.amount_cents
            if row.program.is_active:
                prices.append(PriceFacts(row.program.name, row.price.amount_cents, row.program.kind))
    agreed = at_today = 0.0
    for program_id, cents, starts_on, ends_on in (
        Enrolment.objects.for_studio(studio)
        .exclude(status=Enrolment.Status.STOPPED)
        .filter(starts_on__lte=last, ends_on__gte=first)
        .values_list("program_id", "price_cents", "starts_on", "ends_on")
    ):
        share = ((min(ends_on, last) - max(starts_on, first)).days + 1) / ((ends_on - starts_on).days + 1)
        agreed += cents * share
        at_today += today_cents.get(program_id, cents) * share
    return (at_today / agreed if agreed else 1.0), prices


def _capacity(studio: Studio, lives: list[Life], today: date) -> Capacity:
    """The classes on the agenda now, and over the last complete weeks the mats taken per member and the fill."""
    templates = ClassTemplate.objects.for_studio(studio).filter(is_active=True)
    weekly = templates.aggregate(mats=Sum("capacity"), classes=Count("id"))
    monday = today - timedelta(days=today.weekday())
    first_monday = monday - timedelta(weeks=FILL_WEEKS)
    zone = studio.zone
    start = clock.wall_time(first_monday, time(0), zone) or clock.now()
    end = clock.wall_time(monday, time(0), zone) or clock.now()
    sessions = ClassSession.objects.for_studio(studio).filter(
        status=ClassSession.Status.SCHEDULED, starts_at__gte=start, starts_at__lt=end
    )
    mats = sessions.aggregate(total=Sum("capacity"))["total"] or 0
    taken = (
        SessionBooking.objects.for_studio(studio)
        .filter(session__in=sessions, status__in=SessionBooking.HOLDS_A_MAT)
        .count()
    )
    # Members a week: those who were a member on the week's Wednesday.
    member_weeks = sum(
        1
        for week in range(FILL_WEEKS)
        for life in lives
        if life.member_on(first_monday + timedelta(weeks=week, days=2))
    )
    rules = ScheduleSettings.objects.for_studio(studio).first()
    return Capacity(
        classes=weekly["classes"] or 0,
        weekly_mats=weekly["mats"] or 0,
        mats_per_member=taken / member_weeks if member_weeks else 0.0,
        fill=taken / mats if mats else None,
        threshold=(rules.full_threshold if rules else DEFAULT_THRESHOLD) / 100,
    )


def growth_inputs(studio: Studio) -> Inputs:
    """The studio's last twelve complete months, and its members and classes today, as the simulator needs them."""
    today = clock.local(clock.now(), studio.zone).date()
    first_month = months_back(today, 12)
    last_day = today.replace(day=1) - timedelta(days=1)
    months = months_between(first_month, last_day)
    found = journeys(studio, first_day=first_month, last_day=last_day)
    tallies = _tallies(studio, found, months)
    lives, _stopped_only = lives_of(studio, today)
    since = months_back(today, CURVE_MONTHS - 1)
    drawn = [life for life in lives if life.joined >= since]
    tenure: dict[int, int] = {}
    for life in lives:
        if not life.left_by(today):
            months_in = math.floor(life.months(today))
            tenure[months_in] = tenure.get(months_in, 0) + 1
    index, prices = _price_index(studio, first_month, last_day)
    per_month = per_member_month(lives, first_month, last_day) or 0.0
    capacity = _capacity(studio, lives, today)
    direct = _direct(studio, lives, months)
    history = History(
        months=tuple(tallies), direct=tuple(direct),
        lives=tuple((life.months(today), life.left_by(today)) for life in drawn),
        existing=tuple(sorted(tenure.items())), revenue_existing_cents=per_month,
        revenue_new_cents=per_month * index, fast_bucket=FAST_BUCKET,
        weekly_mats=capacity.weekly_mats, mats_per_member=capacity.mats_per_member,
    )  # fmt: skip
    per_source: dict[str, list[int]] = {}
    fast, later = [0, 0], [0, 0]
    for tally in tallies:
        for (source, bucket), (leads, won) in tally.items():
            pair = per_source.setdefault(source, [0, 0])
            pair[0] += leads
            pair[1] += won
            both = fast if bucket == FAST_BUCKET else later
            both[0] += leads
            both[1] += won
    sources = [
        SourceFacts(key, str(Source(key).label) if key in Source.values else key, leads, won)
        for key, (leads, won) in sorted(per_source.items(), key=lambda kv: -kv[1][0])
    ]
    return Inputs(
        history=history, first_month=first_month, last_month=months[-1], today=today,
        funnel=funnel_total(found), sources=sources,
        fast=(fast[0], fast[1]), later=(later[0], later[1]), direct=sum(direct), curve_members=len(drawn),
        curve_still=sum(1 for life in drawn if not life.left_by(today)), capacity=capacity, price_index=index,
        prices=prices,
    )  # fmt: skip


def curve_of(inputs: Inputs) -> Curve:
    return inputs.history.baseline().curve
