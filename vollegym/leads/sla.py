"""The speed-to-lead clock: a deadline counted in the studio's opening hours, in its own time zone.

A lead at 23:00 with a 60-minute clock is due an hour after the studio opens the next morning. Minutes are real
elapsed minutes, so the hour lost or gained at a DST change is counted as it really passes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

OpeningHours = dict[str, list[list[str]]]

MAX_DAYS = 14


def _intervals(day: date, hours: OpeningHours, zone: tzinfo) -> list[tuple[datetime, datetime]]:
    found = []
    for opens, closes in hours.get(str(day.weekday()), []):
        start = datetime.combine(day, time.fromisoformat(opens), tzinfo=zone)
        end = datetime.combine(day, time.fromisoformat(closes), tzinfo=zone)
        if end > start:
            found.append((start, end))
    return sorted(found)


def deadline(start: datetime, minutes: int, hours: OpeningHours, zone: tzinfo) -> datetime:
    """The moment `minutes` of opening time have passed since `start` (aware; returned in UTC)."""
    remaining = timedelta(minutes=minutes)
    utc = UTC  # arithmetic on aware datetimes of one zone is wall-clock arithmetic; in UTC it is real time
    start = start.astimezone(utc)
    local_start = start.astimezone(zone)
    if not any(hours.get(str(d)) for d in range(7)):
        return start + remaining  # a studio without opening hours counts around the clock
    day = local_start.date()
    for _ in range(MAX_DAYS + 1):
        for opens, closes in _intervals(day, hours, zone):
            begin = max(opens, local_start)
            if begin >= closes:
                continue
            # Differences of aware datetimes in UTC are real elapsed time, DST included.
            available = closes.astimezone(utc) - begin.astimezone(utc)
            if remaining <= available:
                return (begin.astimezone(utc) + remaining).astimezone(utc)
            remaining -= available
        day += timedelta(days=1)
    return start + timedelta(minutes=minutes)  # opening hours too sparse to count in: fall back to wall time


def validate_opening_hours(hours: object) -> OpeningHours:
    """Checks the shape {"0".."6": [["HH:MM", "HH:MM"], …]}; raises ValueError with a reason."""
    if not isinstance(hours, dict):
        raise ValueError("opening hours must be an object of weekdays 0-6")
    for key, intervals in hours.items():
        if key not in {str(d) for d in range(7)}:
            raise ValueError(f"unknown weekday {key!r}: use 0 (Monday) to 6 (Sunday)")
        if not isinstance(intervals, list):
            raise ValueError(f"weekday {key}: a list of [opens, closes] pairs")
        for pair in intervals:
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(t, str) for t in pair)):
                raise ValueError(f'weekday {key}: each interval is ["HH:MM", "HH:MM"]')
            opens, closes = (time.fromisoformat(t) for t in pair)
            if closes <= opens:
                raise ValueError(f"weekday {key}: {pair[0]}-{pair[1]} closes before it opens")
    return hours
