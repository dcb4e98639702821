"""Free moments for a kennismakingsgesprek: weekly windows in local time, minus days off, taken time and notice.

Windows are wall-clock times in the studio's zone (Europe/Amsterdam). A slot is a real moment: it is built from the
local date and time and then turned into UTC, so 10:00 on the last Sunday of March is 08:00 UTC and on the last Sunday
of October 09:00 UTC. A wall-clock time that does not exist (02:30 on the night the clocks go forward) is skipped;
a time that exists twice (02:30 when they go back) is the first of the two. Lengths are real minutes, not wall-clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from vollegym.core.clock import wall_time
from vollegym.intake.models.consultations import UNIT_MINUTES

UNIT = timedelta(minutes=UNIT_MINUTES)
# Slots start every half hour within a window: enough choice, still readable on a phone.
STEP = timedelta(minutes=30)


@dataclass(frozen=True)
class Window:
    coach_id: int
    weekday: int
    starts: time
    ends: time


@dataclass(frozen=True)
class DayOff:
    coach_id: int | None  # None: the whole studio
    first_day: date
    last_day: date
    starts: time | None = None
    ends: time | None = None


@dataclass(frozen=True)
class Rules:
    duration: timedelta
    buffer: timedelta
    min_notice: timedelta
    horizon_days: int


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    coach_ids: tuple[int, ...] = field(default=())


def units(starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """The units of time from start to end (the end not included); both fall on the unit grid."""
    taken = []
    moment = starts_at
    while moment < ends_at:
        taken.append(moment)
        moment += UNIT
    return taken


def claimed_span(starts_at: datetime, rules: Rules) -> tuple[datetime, datetime]:
    """What a booking takes of the coach's time: the conversation and the rest after it."""
    return starts_at, starts_at + rules.duration + rules.buffer


def _off(day_offs: Iterable[DayOff], coach_id: int, start: datetime, end: datetime, zone: tzinfo) -> bool:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    for off in day_offs:
        if off.coach_id not in (None, coach_id):
            continue
        if not (
            off.first_day <= local_start.date() <= off.last_day
            or off.first_day <= local_end.date() <= off.last_day
        ):
            continue
        if off.starts is None or off.ends is None:
            return True
        off_start = wall_time(local_start.date(), off.starts, zone) or start
        off_end = wall_time(local_start.date(), off.ends, zone) or end
        if start < off_end and off_start < end:
            return True
    return False


def _candidates(window: Window, day: date, rules: Rules, zone: tzinfo) -> Iterator[tuple[datetime, datetime]]:
    window_end = wall_time(day, window.ends, zone)
    if window_end is None:
        return
    wall = datetime.combine(day, window.starts)
    while wall.date() == day:
        start = wall_time(day, wall.time(), zone)
        if start is not None:
            end = start + rules.duration
            if end > window_end:
                return
            yield start, end
        wall += STEP


def open_slots(
    *,
    rules: Rules,
    windows: Iterable[Window],
    day_offs: Iterable[DayOff],
    busy: dict[int, set[datetime]],
    now: datetime,
    zone: tzinfo,
    days: Iterable[date] | None = None,
) -> list[Slot]:
    """Every bookable moment within the horizon (or on the given local days), with the coaches free for it."""
    earliest = now + rules.min_notice
    first_day = earliest.astimezone(zone).date()
    last_day = now.astimezone(zone).date() + timedelta(days=rules.horizon_days)
    if days is None:
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    windows, day_offs = list(windows), list(day_offs)
    free: dict[tuple[datetime, datetime], list[int]] = {}
    for day in days:
        if not first_day <= day <= last_day:
            continue
        for window in windows:
            if window.weekday != day.weekday():
                continue
            for start, end in _candidates(window, day, rules, zone):
                if start < earliest or _off(day_offs, window.coach_id, start, end, zone):
                    continue
                taken = busy.get(window.coach_id, set())
                if any(unit in taken for unit in units(*claimed_span(start, rules))):
                    continue
                coaches = free.setdefault((start, end), [])
                if window.coach_id not in coaches:
                    coaches.append(window.coach_id)
    return [Slot(start, end, tuple(coaches)) for (start, end), coaches in sorted(free.items())]
