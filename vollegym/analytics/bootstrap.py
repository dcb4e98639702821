"""The range of the growth simulator's projections: the studio's own last twelve months as counts (a `History`),
and a bootstrap over them. Each draw takes the twelve months with replacement (for leads and conversion) and the
members with replacement (for the survival curve), and projects every scenario on that same draw, so scenarios can
be compared draw by draw; the 10th to 90th percentile is the range the page shows. Pure, like the simulator.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from vollegym.analytics.simulator import (
    BASE,
    HORIZONS,
    PATIENCE,
    Baseline,
    Inflow,
    Projection,
    Scenario,
    Staying,
    project,
    staying,
    weighted_curve,
)

SAMPLES = 200
SEED = 12  # the number: every page shows the same range for the same numbers

Tally = Mapping[
    tuple[str, str], tuple[int, int]
]  # (source, answer-time bucket): (leads, of them became a member)


@dataclass(frozen=True)
class History:
    """The studio's own last twelve months as counts, for the baseline and for resampling."""

    months: tuple[Tally, ...]  # oldest first
    direct: tuple[int, ...]  # per month: members who came without a lead
    lives: tuple[tuple[float, bool], ...]  # (months a member, left) of the members the curve is drawn from
    existing: tuple[tuple[int, int], ...]
    revenue_existing_cents: float
    revenue_new_cents: float
    fast_bucket: str  # the answer-time bucket "within five minutes"
    weekly_mats: int = 0
    mats_per_member: float = 0.0
    patience: int = PATIENCE

    @cached_property
    def _ordered(self) -> tuple[list[tuple[float, bool]], list[int]]:
        """The lives sorted by time, and where each of them went."""
        order = sorted(range(len(self.lives)), key=lambda i: self.lives[i])
        place = [0] * len(order)
        for position, i in enumerate(order):
            place[i] = position
        return [self.lives[i] for i in order], place

    def baseline(
        self, month_picks: Sequence[int] | None = None, life_picks: Sequence[int] | None = None
    ) -> Baseline:
        """The baseline of these months and lives, or of a resample of them (indexes, with repeats)."""
        picks = range(len(self.months)) if month_picks is None else month_picks
        count = max(len(picks), 1)
        totals: dict[tuple[str, str], list[int]] = {}
        for index in picks:
            for key, (leads, won) in self.months[index].items():
                pair = totals.setdefault(key, [0, 0])
                pair[0] += leads
                pair[1] += won
        ordered, place = self._ordered
        weights = [1] * len(ordered)
        if life_picks is not None:
            weights = [0] * len(ordered)
            for i in life_picks:
                weights[place[i]] += 1
        return Baseline(
            inflows=inflows_of(totals, months=count, fast_bucket=self.fast_bucket),
            direct_per_month=sum(self.direct[i] for i in picks) / count,
            curve=weighted_curve(ordered, weights),
            existing=self.existing,
            revenue_existing_cents=self.revenue_existing_cents,
            revenue_new_cents=self.revenue_new_cents,
            weekly_mats=self.weekly_mats,
            mats_per_member=self.mats_per_member,
            patience=self.patience,
        )


def _rate(won: int, leads: int) -> float:
    return won / leads if leads else 0.0


def bucket_rates(totals: Mapping[tuple[str, str], Sequence[int]]) -> dict[str, float]:
    """The share of leads that became a member per answer-time bucket, over all sources."""
    per_bucket: dict[str, list[int]] = {}
    for (_source, bucket), (leads, won) in totals.items():
        pair = per_bucket.setdefault(bucket, [0, 0])
        pair[0] += leads
        pair[1] += won
    return {bucket: _rate(won, leads) for bucket, (leads, won) in per_bucket.items()}


def inflows_of(
    totals: Mapping[tuple[str, str], Sequence[int]], *, months: int, fast_bucket: str
) -> tuple[Inflow, ...]:
    """Each source's leads a month and conversion; and its conversion if all its leads converted like the studio's
    leads answered within five minutes (scaled by its own mix of answer times, see the module's docstring)."""
    rates = bucket_rates(totals)
    fast = rates.get(fast_bucket, 0.0)
    per_source: dict[str, dict[str, tuple[int, int]]] = {}
    for (source, bucket), (leads, won) in totals.items():
        per_source.setdefault(source, {})[bucket] = (leads, won)
    found = []
    for source, buckets in sorted(per_source.items()):
        leads = sum(pair[0] for pair in buckets.values())
        won = sum(pair[1] for pair in buckets.values())
        conversion = _rate(won, leads)
        expected = sum(pair[0] * rates[bucket] for bucket, pair in buckets.items()) / leads if leads else 0.0
        found.append(
            Inflow(
                key=source,
                leads_per_month=leads / months,
                conversion=conversion,
                fast_conversion=min(conversion * fast / expected, 1.0) if expected > 0 else conversion,
            )
        )
    return tuple(found)


class Outcome(NamedTuple):
    """What one projection comes to at one horizon: members and fill in that month, revenue until then."""

    members: float
    revenue_cents: float
    fill: float | None


def outcome(projection: Projection, horizon: int) -> Outcome:
    members = projection.members[horizon - 1]
    return Outcome(members, projection.revenue_until(horizon), projection.baseline.fill_of(members))


@dataclass(frozen=True)
class Band:
    """The 10th and 90th percentile over the resamples."""

    low: float
    high: float


@dataclass
class Resampled:
    """Per scenario and horizon, the outcome of every resample (in the same order, so scenarios can be compared
    sample by sample: each sample holds the same months and members for every scenario)."""

    samples: int
    seed: int
    outcomes: dict[tuple[str, int], list[Outcome]] = field(default_factory=dict)

    def band(self, key: str, horizon: int, what: str) -> Band | None:
        values = [getattr(o, what) for o in self.outcomes.get((key, horizon), [])]
        known = [v for v in values if v is not None]
        return percentile_band(known) if known else None

    def extra_band(self, key: str, horizon: int) -> Band | None:
        """The range of the revenue a scenario adds to the studio as it goes, sample by sample."""
        gains = self.gains(key, horizon)
        return percentile_band(gains) if gains else None

    def gains(self, key: str, horizon: int) -> list[float]:
        """Per sample, the revenue a scenario adds to going on as now on the same draw."""
        found = self.outcomes.get((key, horizon), [])
        base = self.outcomes.get((BASE.key, horizon), [])
        if len(found) != len(base):
            return []
        return [o.revenue_cents - b.revenue_cents for o, b in zip(found, base, strict=True)]

    def share_ahead(self, first: str, second: str, horizon: int) -> float | None:
        """In which share of the samples the first scenario brings more revenue than the second."""
        ones, others = self.outcomes.get((first, horizon), []), self.outcomes.get((second, horizon), [])
        if not ones or len(ones) != len(others):
            return None
        pairs = list(zip(ones, others, strict=True))
        return sum(1 for a, b in pairs if a.revenue_cents > b.revenue_cents) / len(pairs)


def percentile_band(values: Sequence[float]) -> Band:
    if len(values) < 2:
        return Band(values[0], values[0])
    cuts = statistics.quantiles(values, n=10, method="inclusive")
    return Band(cuts[0], cuts[-1])


def resample(
    history: History,
    scenarios: Sequence[Scenario],
    *,
    samples: int = SAMPLES,
    seed: int = SEED,
    horizons: Sequence[int] = HORIZONS,
) -> Resampled:
    """Bootstrap: `samples` times, draw the twelve months (for inflow and conversion) and the members (for the
    curve) with replacement, and project every scenario on that draw. A fixed seed gives the same range each time."""
    rng = random.Random(seed)
    found = Resampled(samples=samples, seed=seed)
    months, lives = len(history.months), len(history.lives)
    longest = max(horizons)
    for _n in range(samples):
        month_picks = [int(rng.random() * months) for _m in range(months)]
        life_picks = [int(rng.random() * lives) for _l in range(lives)]
        baseline = history.baseline(month_picks, life_picks)
        stays: dict[float, Staying] = {}
        for scenario in scenarios:
            if scenario.retention not in stays:
                stays[scenario.retention] = staying(baseline, scenario.retention, longest)
            projection = project(baseline, scenario, longest, stays[scenario.retention])
            for horizon in horizons:
                found.outcomes.setdefault((scenario.key, horizon), []).append(outcome(projection, horizon))
    return found
