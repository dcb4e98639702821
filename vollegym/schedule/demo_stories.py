"""The demo's members, each with a story of how they came to their sessions: steady, fading, gone, come back.

Most members are steady: they come to their fixed places, now and then cancel in time or miss one. Of those who left
(their last run ended with nothing after it) most faded first: over their last three to seven weeks they came less
and less, cancelling their fixed place or simply not turning up; some left without warning (a move, a new job). Some
who stayed had a dip of a few weeks and came back. Some new members started slowly and skipped most of their first
three weeks. Members whose time ends in the coming weeks without a next run may be fading now.

The stories are drawn from their own seed, so the rest of the agenda's draws stay as they were; the agenda asks
`skips(member, day)` for each past session a member holds or could take.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

STORY_SEED = 2311
FADING_SHARE = 0.7  # of the members who left, how many faded first
ENDING_FADING_SHARE = 0.35  # of those whose time ends in the coming weeks without a next run
ENDING_WITHIN = timedelta(weeks=5)
DIP_SHARE = 0.12  # of the members who stay
SLOW_START_SHARE = 0.2  # of the members who started within the agenda's history
SLOW_START = timedelta(weeks=3)

STEADY, FADING, ABRUPT, DIP = "steady", "fading", "abrupt", "dip"


@dataclass(frozen=True)
class Story:
    kind: str
    start: date | None = None  # the fade or the dip
    end: date | None = None
    slow_until: date | None = None  # a slow start: skipped most sessions before this day
    gone_from: date | None = None  # after the fade: hardly seen any more

    def keep(self, day: date) -> float:
        """The chance the member comes to a session they hold on the day."""
        if self.slow_until is not None and day < self.slow_until:
            return 0.25
        if self.gone_from is not None and day > self.gone_from:
            return 0.05
        if self.start is None or self.end is None or not self.start <= day <= self.end:
            return 1.0
        if self.kind == DIP:
            return 0.15
        if self.kind == FADING:
            span = max((self.end - self.start).days, 1)
            return 0.85 - 0.7 * (day - self.start).days / span
        return 1.0


@dataclass(frozen=True)
class Tenure:
    """What a story is drawn from: the member's first day in a group and the last day of all their runs."""

    member_id: int
    first_day: date
    last_day: date


class Stories:
    def __init__(self, members: Iterable[Tenure], *, history_from: date, today: date) -> None:
        self.rng = random.Random(STORY_SEED)
        self.today = today
        self.of: dict[int, Story] = {}
        self._skips: dict[tuple[int, date], bool] = {}
        for member in sorted(members, key=lambda m: m.member_id):
            self.of[member.member_id] = self._draw(member, history_from)

    def _draw(self, member: Tenure, history_from: date) -> Story:
        rng = self.rng
        slow = (
            member.first_day + SLOW_START
            if member.first_day >= history_from and rng.random() < SLOW_START_SHARE
            else None
        )
        if member.last_day < self.today + ENDING_WITHIN:
            share = FADING_SHARE if member.last_day < self.today else ENDING_FADING_SHARE
            if rng.random() < share:
                # They stop coming some weeks before their last run runs out (the notice they gave, the sessions
                # left on a card), after weeks of coming less and less.
                end = member.last_day - timedelta(days=rng.randint(5, 21))
                start = max(end - timedelta(weeks=rng.randint(3, 8)), member.first_day + timedelta(weeks=2))
                return Story(FADING, start, end, slow, gone_from=end)
            return Story(ABRUPT, slow_until=slow)
        earliest = member.first_day + timedelta(weeks=5)
        latest = self.today - timedelta(days=10)
        if earliest < latest and rng.random() < DIP_SHARE:
            start = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
            return Story(DIP, start, start + timedelta(weeks=rng.randint(2, 4)), slow)
        return Story(STEADY, slow_until=slow)

    def skips(self, member_id: int, day: date) -> bool:
        """Whether the member stays away from their sessions that day (drawn once per member and day)."""
        key = (member_id, day)
        if key not in self._skips:
            story = self.of.get(member_id)
            keep = story.keep(day) if story is not None else 1.0
            self._skips[key] = keep < 1.0 and self.rng.random() > keep
        return self._skips[key]
