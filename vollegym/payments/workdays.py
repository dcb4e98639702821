"""Dutch working days: not a Saturday or Sunday, nor a national holiday (the days banks and most offices close)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


def easter(year: int) -> date:
    """Easter Sunday (the Gregorian computus, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def holidays(year: int) -> frozenset[date]:
    """New Year, Easter Monday, King's Day, Liberation Day (in lustrum years), Ascension, Whit Monday, Christmas."""
    sunday = easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)  # on a Sunday it moves to the Saturday before
    days = {
        date(year, 1, 1), sunday + timedelta(days=1), kings_day, sunday + timedelta(days=39),
        sunday + timedelta(days=50), date(year, 12, 25), date(year, 12, 26),
    }  # fmt: skip
    if year % 5 == 0:
        days.add(date(year, 5, 5))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def working_days_after(day: date, count: int) -> date:
    """The date `count` working days after `day` (day itself not counted)."""
    found = day
    while count > 0:
        found += timedelta(days=1)
        if is_working_day(found):
            count -= 1
    return found
