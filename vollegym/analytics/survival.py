"""Kaplan–Meier: the share of members still a member after t, when some of them are still members today.

A member still training is not gone: they count as "at risk" up to the day they have been a member so far, and
then drop out of the count without lowering the curve (censored). Only members who left lower it, each time by the
share of those still at risk who left then. The restricted mean is the area under the curve up to a horizon: the
average time a member stays within that horizon; while the curve has not reached zero the true mean is longer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """The curve at one time that something happened: who was at risk, who left, who was last seen then."""

    time: float
    at_risk: int  # observed at least this long
    left: int
    censored: int
    survival: float  # the share still a member just after `time`


def kaplan_meier(observations: Iterable[tuple[float, bool]]) -> list[Step]:
    """The Kaplan–Meier steps of (time, left) pairs: left False means still a member after `time` (censored).

    At a time where some left and others were last seen, those last seen still count as at risk for the ones who
    left (the usual convention: they were members at that moment).
    """
    left: Counter[float] = Counter()
    seen: Counter[float] = Counter()
    for time, gone in observations:
        if time < 0:
            raise ValueError("a time before joining")
        (left if gone else seen)[time] += 1
    at_risk = sum(left.values()) + sum(seen.values())
    survival = 1.0
    steps = []
    for time in sorted(set(left) | set(seen)):
        if left[time]:
            survival *= 1 - left[time] / at_risk
        steps.append(Step(time, at_risk, left[time], seen[time], survival))
        at_risk -= left[time] + seen[time]
    return steps


def survival_at(steps: list[Step], time: float) -> float:
    """The share still a member at `time` (a step counts from its own time on)."""
    found = 1.0
    for step in steps:
        if step.time > time:
            break
        found = step.survival
    return found


def at_risk_at(steps: list[Step], time: float) -> int:
    """How many were observed at least until `time`."""
    return sum(step.left + step.censored for step in steps if step.time >= time)


def restricted_mean(steps: list[Step], horizon: float) -> float:
    """The area under the curve from 0 to `horizon`: the mean time a member stays, counted up to the horizon."""
    area, before, level = 0.0, 0.0, 1.0
    for step in steps:
        if step.time >= horizon:
            break
        area += level * (step.time - before)
        before, level = step.time, step.survival
    return area + level * max(horizon - before, 0.0)
