"""The growth simulator: members, revenue and fill month by month for three years, from a studio's own last twelve
months, and what pulling one lever (or the owner's own mix of them) does to that. Pure arithmetic: plain numbers
in, plain numbers out, no database. analytics/growth_inputs.py reads the studio's numbers into a `History`
(analytics/bootstrap.py), whose baseline this projects and whose resamples give the range.

The model, month by month (month 1 is the first month after today):

- New members: each source's leads per month × the share of that source's leads that became a member, plus the
  members who came without a lead.
- Staying: of the members who joined in month t, the share still a member k months later is the survival curve
  S(k) (Kaplan–Meier over the studio's own members, analytics/survival.py). Within a month the curve is read as a
  straight line, so they count in month t + k for (S(k) + S(k + 1)) / 2 of a member: over a whole life that adds up
  to the area under the curve, the average lifetime the members page shows. Past the months the curve reaches,
  members leave at one fixed rate a month (`Curve.tail`).
- Today's members go on from their own months of membership: someone ten months in leaves as members do after
  their tenth month.
- Revenue: member-months × what a member brings a month. Today's members keep the prices they agreed
  (grandfathering); new members pay today's prices.
- Capacity is a ceiling: the classes hold `places` members (mats a week / mats a member takes a week). Newcomers who
  would take the members past it wait: when places free up, the longest waiting go first, then that month's
  newcomers; whoever has waited `patience` months without a place gives up and is not counted again.
- Fill: members × mats a member takes a week / mats a week.

The levers (`Scenario`):

- retention r: "20% better retention" is 20% less churn: in every month of membership, the share of members who
  leave, the hazard h(k) = 1 − S(k + 1) / S(k), becomes (1 − r) × h(k), for new members and today's members alike.
  Read as "20% fewer cancellations" because a monthly retention of 95% cannot grow by 20% (114%), and an owner
  counts cancellations. On S = 1, 0.5, 0.25 (half leave each month) it gives 1, 0.6, 0.36.
- leads m: every source brings m times as many leads, each converting as before (members without a lead do not
  change); the capacity ceiling still holds.
- price p: new members pay p more for the same; today's members keep their prices; as many join as before (the raise
  earns nothing extra once more than p / (1 + p) of them stay away instead).
- fast: every lead gets a personal answer within five minutes and converts as the studio's own leads answered within
  five minutes did: a source's conversion × (conversion of all leads answered within five minutes) / (what its own
  mix of answer times would give at the conversion of each answer time), so a source already answered at once
  (a walk-in) hardly changes.
"""

from __future__ import annotations

import math
import operator
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

HORIZON = 36  # months projected
HORIZONS = (12, 24, 36)  # months the page compares
MIN_AT_RISK = (
    10  # the curve is read from the studio's own steps while this many members were followed that long
)
TAIL_MONTHS = 6  # the tail's rate is that of the last months the curve reaches
MIN_TAIL = 0.01  # members never leave at less than 1% a month: nobody stays forever
PATIENCE = 2  # months someone waits for a place before giving up


# ---- the survival curve ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """S(0..K): the share still a member after k whole months (S(0) = 1); past K a fixed share leaves each month."""

    survival: tuple[float, ...]
    tail: float  # the share of members that leaves in each month past the curve

    @property
    def reach(self) -> int:
        return len(self.survival) - 1

    def hazard(self, month: int) -> float:
        """The share of those still a member after `month` months that leaves in the month after."""
        if month >= self.reach:
            return self.tail
        before = self.survival[month]
        return 1.0 if before <= 0 else min(max(1 - self.survival[month + 1] / before, 0.0), 1.0)

    def hazards(self, count: int) -> list[float]:
        return [self.hazard(k) for k in range(count)]

    def at(self, month: int) -> float:
        if month <= self.reach:
            return self.survival[month]
        return self.survival[-1] * (1 - self.tail) ** (month - self.reach)

    def improved(self, retention: float) -> Curve:
        """The same curve with `retention` less churn in every month (negative: more churn), never past 0 or 1."""
        if not retention:
            return self
        factor = 1 - retention
        survival = [1.0]
        for k in range(self.reach):
            survival.append(survival[-1] * (1 - min(max(factor * self.hazard(k), 0.0), 1.0)))
        return Curve(tuple(survival), min(max(factor * self.tail, 0.0), 1.0))


def curve_from(lives: Iterable[tuple[float, bool]], *, min_at_risk: int = MIN_AT_RISK) -> Curve:
    """The monthly curve of (months a member, left) pairs: Kaplan–Meier while at least `min_at_risk` members were
    followed that long; past it, the rate at which members left after month K − 6 (leavers per member-month lived
    after it, a constant hazard: what a member still there is likely to do next), at least `MIN_TAIL` a month."""
    ordered = sorted(lives)
    return weighted_curve(ordered, [1] * len(ordered), min_at_risk=min_at_risk)


def weighted_curve(
    lives: Sequence[tuple[float, bool]], weights: Sequence[int], *, min_at_risk: int = MIN_AT_RISK
) -> Curve:
    """`curve_from` of lives sorted by time, each counted `weights[i]` times (a resample: how often it was drawn),
    in one walk; the same steps as analytics/survival.py's Kaplan–Meier (a test holds them together)."""
    total = sum(weights)
    count = len(lives)
    done = 0  # weight of the lives before the walk's place (their time is earlier)
    level, survival, i = 1.0, [1.0], 0
    month = 1
    while True:
        while i < count and lives[i][0] < month:
            i, done, level = _step(lives, weights, i, total - done, level, done)
        if total - done < max(min_at_risk, 1):  # followed at least `month` months: too few
            break
        while i < count and lives[i][0] == month:
            i, done, level = _step(lives, weights, i, total - done, level, done)
        survival.append(level)
        month += 1
    reach = len(survival) - 1
    since = max(reach - TAIL_MONTHS, 0)
    left = exposure = 0.0
    for (months, gone), weight in zip(lives, weights, strict=True):
        if months > since and weight:
            left += weight * gone
            exposure += weight * (months - since)
    rate = 1 - math.exp(-left / exposure) if exposure > 0 else 0.0
    return Curve(tuple(survival), max(rate, MIN_TAIL))


def _step(
    lives: Sequence[tuple[float, bool]], weights: Sequence[int], i: int, at_risk: int, level: float, done: int
) -> tuple[int, int, float]:
    """The lives at one time (those last seen then still count as at risk for those who left then)."""
    time, left, seen = lives[i][0], 0, 0
    while i < len(lives) and lives[i][0] == time:
        if lives[i][1]:
            left += weights[i]
        else:
            seen += weights[i]
        i += 1
    if left and at_risk:
        level *= 1 - left / at_risk
    return i, done + left + seen, level


# ---- inputs, levers and the projection --------------------------------------------------------------------------


@dataclass(frozen=True)
class Inflow:
    """One source of leads: how many a month, and the share that became a member (now, and answered within 5 min)."""

    key: str
    leads_per_month: float
    conversion: float
    fast_conversion: float


@dataclass(frozen=True)
class Baseline:
    """Everything the projection starts from: the studio's last twelve months, as plain numbers."""

    inflows: tuple[Inflow, ...]
    direct_per_month: float  # new members who came without a lead
    curve: Curve
    existing: tuple[tuple[int, int], ...]  # today's members: (whole months a member, how many)
    revenue_existing_cents: float  # what one of today's members brings a month (their own prices)
    revenue_new_cents: float  # what a new member brings a month at today's prices
    weekly_mats: int = 0  # places in all classes of a week
    mats_per_member: float = 0.0  # mats a member takes a week
    patience: int = PATIENCE

    @property
    def places(self) -> float | None:
        """How many members the classes hold; None without classes (no ceiling)."""
        if self.weekly_mats <= 0 or self.mats_per_member <= 0:
            return None
        return self.weekly_mats / self.mats_per_member

    @property
    def members_now(self) -> int:
        return sum(count for _months, count in self.existing)

    def fill_of(self, members: float) -> float | None:
        if self.weekly_mats <= 0 or self.mats_per_member <= 0:
            return None
        return members * self.mats_per_member / self.weekly_mats

    def newcomers(self, scenario: Scenario) -> float:
        """New members a month under a scenario, before the ceiling."""
        leads = sum(
            i.leads_per_month
            * scenario.leads
            * min(i.fast_conversion if scenario.fast else i.conversion, 1.0)
            for i in self.inflows
        )
        return leads + self.direct_per_month


@dataclass(frozen=True)
class Scenario:
    """The levers, each explicit: none pulled is the studio as it goes now."""

    key: str
    retention: float = 0.0  # 0.2: a fifth fewer leave, every month
    leads: float = 1.0  # 2.0: twice the leads of every source
    price: float = 0.0  # 0.1: new members pay a tenth more; today's members keep their prices
    fast: bool = False  # every lead answered within five minutes
    # The price advice once the classes are full: newcomers who join after the first month someone had to wait
    # pay this much more (on top of `price`); today's members and who joined before keep theirs.
    raise_when_full: float = 0.0


BASE = Scenario("basis")
RETENTION = Scenario("retentie", retention=0.2)
LEADS = Scenario("leads", leads=2.0)
PRICE = Scenario("prijs", price=0.1)
FAST = Scenario("snel", fast=True)
LEVERS = (RETENTION, LEADS, PRICE, FAST)


@dataclass(frozen=True)
class Month:
    month: int  # 1 is the first month after today
    joined: float
    waiting: float  # at the month's end, for a place
    gave_up: float  # in this month, after waiting `patience` months
    members: float  # the month's average
    revenue_cents: float
    fill: float | None


@dataclass(frozen=True)
class Projection:
    """A scenario month by month: lists indexed by month − 1."""

    scenario: Scenario
    baseline: Baseline
    joined: list[float]
    waiting: list[float]  # at the month's end, for a place
    gave_up: list[float]  # in the month, after waiting `patience` months
    members: list[float]  # the month's average
    revenue_cents: list[float]

    @cached_property
    def months(self) -> tuple[Month, ...]:
        return tuple(
            Month(t + 1, *values, self.baseline.fill_of(values[3]))
            for t, values in enumerate(
                zip(self.joined, self.waiting, self.gave_up, self.members, self.revenue_cents, strict=True)
            )
        )

    def month(self, n: int) -> Month:
        return self.months[n - 1]

    def revenue_until(self, n: int) -> float:
        """Revenue over the first `n` months, in cents."""
        return sum(self.revenue_cents[:n])

    def gave_up_until(self, n: int) -> float:
        return sum(self.gave_up[:n])

    def first_month(self, *, fill_at_least: float) -> int | None:
        """The first month whose fill reaches the share, if any."""
        return next((m.month for m in self.months if m.fill is not None and m.fill >= fill_at_least), None)

    @property
    def first_waiting(self) -> int | None:
        return next((t + 1 for t, count in enumerate(self.waiting) if count > 1e-9), None)


def _presence(hazards: Sequence[float], start: int, count: int) -> list[float]:
    """For a member `start` months in: the share of a member they count for in each of the next `count` months."""
    found, still = [], 1.0
    for k in range(start, start + count):
        after = still * (1 - hazards[k])
        found.append((still + after) / 2)
        still = after
    return found


@dataclass(frozen=True)
class Staying:
    """How members stay under one retention: today's members in each month, and what a newcomer counts for in each
    month after joining. The same for every scenario with that retention, so a resample works it out once."""

    existing: list[float]
    presence: list[float]


def staying(baseline: Baseline, retention: float, months: int = HORIZON) -> Staying:
    curve = baseline.curve.improved(retention)
    longest = max((m for m, _count in baseline.existing), default=0)
    hazards = curve.hazards(longest + months + 1)
    existing = [0.0] * months
    # A member `a` months in counts in month t for (S(a + t) + S(a + t + 1)) / 2 / S(a): with S from the hazards.
    survival = [1.0]
    for hazard in hazards:
        survival.append(survival[-1] * (1 - hazard))
    halves = list(map(operator.add, survival, survival[1:]))
    for start, count in baseline.existing:
        if survival[start] > 0:
            weight = count / 2 / survival[start]
            existing = list(map(operator.add, existing, (weight * h for h in halves[start : start + months])))
        else:  # gone for sure on the curve, yet still a member: then from their own month on
            existing = list(
                map(operator.add, existing, (count * p for p in _presence(hazards, start, months)))
            )
    return Staying(existing, _presence(hazards, 0, months))


def project(
    baseline: Baseline, scenario: Scenario, months: int = HORIZON, stay: Staying | None = None
) -> Projection:
    """Members, revenue and fill in each of the next `months` months under a scenario."""
    stay = stay or staying(baseline, scenario.retention, months)
    existing, presence = stay.existing, stay.presence
    first = presence[0]
    places = baseline.places
    arriving = baseline.newcomers(scenario)
    existing_rate = baseline.revenue_existing_cents
    new_rate = baseline.revenue_new_cents * (1 + scenario.price)
    raised = new_rate * (1 + scenario.raise_when_full)
    full = False  # someone waited: from the next month on newcomers pay the advised price
    joined: list[float] = []  # newcomers of each month
    paying: list[float] = []  # newcomers of each month × what they bring a month
    queue: deque[list[float]] = deque()  # [month they came, how many still waiting]
    waits, gone, members, revenue = [], [], [], []
    queued = 0.0  # all who wait now
    for t in range(months):
        # The newcomers of the months before, as they count now (presence[t - j] for month j), and what they bring.
        counts = presence[t:0:-1]
        earlier = sum(map(operator.mul, joined, counts))
        earlier_cents = sum(map(operator.mul, paying, counts))
        rate = raised if full else new_rate
        base = existing[t] + earlier
        queue.append([float(t), arriving])
        queued += arriving
        take = queued if places is None else min(max(places - base, 0.0) / first, queued)
        if take >= queued - 1e-12:
            queue.clear()
            take, queued = queued, 0.0
        else:
            queued -= take
            unplaced = take
            while unplaced > 1e-12:  # the longest waiting first
                placed = min(queue[0][1], unplaced)
                queue[0][1] -= placed
                unplaced -= placed
                if queue[0][1] <= 1e-12:
                    queue.popleft()
        gave_up = 0.0
        while queue and t - queue[0][0] + 1 >= baseline.patience:
            gave_up += queue.popleft()[1]
        queued = max(queued - gave_up, 0.0) if queue else 0.0
        full = full or queued + gave_up > 1e-9
        joined.append(take)
        paying.append(take * rate)
        waits.append(queued)
        gone.append(gave_up)
        members.append(base + take * first)
        revenue.append(existing[t] * existing_rate + earlier_cents + take * first * rate)
    return Projection(scenario, baseline, joined, waits, gone, members, revenue)


def with_places(baseline: Baseline, places: float | None) -> Baseline:
    """The same baseline with the classes holding `places` members (None: no ceiling); for comparisons."""
    if places is None:
        return replace(baseline, weekly_mats=0)
    return replace(baseline, weekly_mats=1, mats_per_member=1 / places)
