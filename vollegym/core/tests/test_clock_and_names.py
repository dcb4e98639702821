from datetime import UTC, date, datetime

import time_machine

from vollegym.core import clock
from vollegym.core.names import first_name


def test_a_typed_date_is_a_date_and_anything_else_is_none():
    assert clock.parse_day("2026-03-29") == date(2026, 3, 29)
    assert [clock.parse_day(v) for v in ("2026-02-30", "9999-12-31", "0001-01-01", "morgen", "", None)] == [
        None
    ] * 6


def test_today_is_read_on_the_studios_calendar():
    with time_machine.travel(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), tick=False):  # 00:30 in Utrecht
        assert clock.today() == date(2026, 3, 29)
        assert clock.today(UTC) == date(2026, 3, 28)


def test_a_person_is_addressed_by_first_name():
    assert first_name("Eva de Boer") == "Eva"
    assert first_name("  ") == "daar" and first_name("", "") == ""
