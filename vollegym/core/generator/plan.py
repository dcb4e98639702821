"""A studio's history as plain Python: the plan the apps write, and the truth a test holds the pages against.

Everything is indexes into the plan's own lists (a lead's `person` is an index into `people`, a run's `member` into
`members`), so the plan needs no database; the apps' writers turn indexes into ids. Times are aware UTC datetimes,
days are the studio's (Europe/Amsterdam) calendar days. Nothing in the plan lies after `now`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from vollegym.core import clock
from vollegym.core.generator.spec import StudioSpec

ZONE = clock.AMSTERDAM
T = TypeVar("T")


@dataclass
class Person:
    name: str
    email: str
    phone: str
    created_at: datetime
    marketing: bool = False


@dataclass
class Conversation:
    """The kennismakingsgesprek: `status` booked (still to come, or to record), showed or no_show."""

    created_at: datetime
    starts_at: datetime
    ends_at: datetime
    coach: int
    status: str = "booked"
    outcome: str = ""  # won / lost, for one who showed
    recorded_at: datetime | None = None
    lost_reason: str = ""


@dataclass
class Lead:
    index: int
    person: int
    created_at: datetime
    source: str
    coach: int
    campaign: str = ""
    ad: str = ""
    form: str = ""
    utm: dict[str, str] = field(default_factory=dict)
    goal: str = ""
    contacted_at: datetime | None = None
    channel: str = ""  # call / whatsapp / email / in_person
    intake_started_at: datetime | None = None
    intake_completed_at: datetime | None = None  # None with a start: left halfway
    quality: str = "warm"  # hot / warm / cold: how the intake answers read
    conversation: Conversation | None = None
    won_at: datetime | None = None  # the conversation said yes
    member: int | None = None
    stage: str = "new"
    lost_reason: str = ""
    closed_at: datetime | None = None
    referrer: int | None = None  # the member whose link brought them

    @property
    def response_seconds(self) -> float | None:
        return None if self.contacted_at is None else (self.contacted_at - self.created_at).total_seconds()


@dataclass
class Price:
    effective_from: date
    cents: int
    created_at: datetime
    reason: str = ""


@dataclass
class Program:
    key: str
    name: str
    kind: str
    format: str
    weeks: int
    per_week: int
    promise: str
    created_at: datetime
    prices: list[Price] = field(default_factory=list)

    def price_on(self, day: date) -> int:
        """The index of the price in force on `day`."""
        found = 0
        for n, price in enumerate(self.prices):
            if price.effective_from <= day:
                found = n
        return found


@dataclass
class Run:
    """An enrolment: a member in a program from `starts_on` to `ends_on`, at the price agreed when it was made."""

    index: int
    member: int
    program: str
    price: int  # index into the program's prices
    cents: int
    starts_on: date
    ends_on: date
    created_at: datetime
    sessions_total: int
    renewal_of: int | None = None
    paid_at: datetime | None = None
    sessions_used: int = 0


@dataclass
class Member:
    index: int
    person: int
    created_at: datetime
    coach: int
    lead: int | None = None
    lifetime: int = 1  # periods of four weeks they meant to stay
    runs: list[int] = field(default_factory=list)
    attendance: float = 0.85  # the share of their group sessions they come to
    measured: bool = False

    @property
    def joined(self) -> date:
        return clock.local(self.created_at, ZONE).date()


@dataclass
class Slot:
    """A member's fixed weekly place in a class from `first_day` to `last_day` (None: still going)."""

    member: int
    cls: int
    first_day: date
    last_day: date | None
    until: date  # the last day it books (the last day of their group runs made so far)
    created_at: datetime


@dataclass
class Mat:
    member: int
    status: str  # booked / attended / no_show / cancelled
    created_at: datetime
    cancelled_at: datetime | None = None

    @property
    def held(self) -> bool:
        return self.status != "cancelled"


@dataclass
class Session:
    cls: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    mats: list[Mat] = field(default_factory=list)

    @property
    def taken(self) -> int:
        return sum(1 for mat in self.mats if mat.held)


@dataclass
class Rating:
    member: int
    run: int
    moment: str  # day_30 / program_end
    asked_at: datetime
    score: int | None = None
    answered_at: datetime | None = None
    called_at: datetime | None = None
    comment: str = ""


@dataclass
class Referral:
    referrer: int  # member
    lead: int
    created_at: datetime
    member_since: date | None = None
    earned_at: datetime | None = None
    given_at: datetime | None = None


@dataclass
class Measurement:
    member: int
    day: date
    kilograms: float


@dataclass
class Spend:
    """What one campaign cost on one platform (meta / google) in one month (its first day)."""

    platform: str
    campaign: str
    month: date
    cents: int


@dataclass
class TeamMember:
    role: str  # owner / coach
    full_name: str
    login: str  # the part of the e-mail address before the @


@dataclass
class StudioPlan:
    spec: StudioSpec
    now: datetime
    first_day: date  # the Monday the lead history starts
    team: list[TeamMember]
    programs: dict[str, Program]
    people: list[Person] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)
    spend: list[Spend] = field(default_factory=list)

    @property
    def today(self) -> date:
        return clock.local(self.now, ZONE).date()

    def covered(self, member: Member, day: date) -> bool:
        """Whether one of the member's runs goes on that day."""
        return any(self.runs[r].starts_on <= day <= self.runs[r].ends_on for r in member.runs)

    def last_day(self, member: Member) -> date:
        return max(self.runs[r].ends_on for r in member.runs)

    def first_start(self, member: Member) -> date:
        return min(self.runs[r].starts_on for r in member.runs)


# --- helpers of the simulation ------------------------------------------------------------------------------------


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """The moment the studio's clock shows hour:minute on `day` (an hour later in the night the clocks skip)."""
    found = clock.wall_time(day, time(hour, minute), ZONE) or clock.wall_time(
        day, time(hour + 1, minute), ZONE
    )
    assert found is not None
    return found


def local_day(moment: datetime) -> date:
    return clock.local(moment, ZONE).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rounded(value: float) -> int:
    """Half up, not to even: 2.5 leads going on is 3."""
    return math.floor(value + 0.5)


def quota(
    rng: random.Random,
    items: Sequence[T],
    rate: float,
    *,
    weight: Callable[[T], float] = lambda _item: 1.0,
    cohort: Callable[[T], Hashable] = lambda _item: 0,
) -> set[int]:
    """Positions of the items that go on: in each cohort exactly the rate times its size (rounded), chosen at random
    with the weights (weighted sampling without replacement, Efraimidis and Spirakis)."""
    groups: dict[Hashable, list[int]] = {}
    for n, item in enumerate(items):
        groups.setdefault(cohort(item), []).append(n)
    chosen: set[int] = set()
    for positions in groups.values():
        wanted = rounded(rate * len(positions))
        keyed = sorted(positions, key=lambda n: -(rng.random() ** (1.0 / max(weight(items[n]), 1e-9))))
        chosen.update(keyed[:wanted])
    return chosen


def lognormal(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    return min(max(math.exp(rng.gauss(math.log(median), sigma)), low), high)
