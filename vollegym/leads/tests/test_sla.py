from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from vollegym.leads.models import default_opening_hours
from vollegym.leads.sla import deadline

AMS = ZoneInfo("Europe/Amsterdam")
HOURS = default_opening_hours()  # Mon-Fri 07-21, Sat 08-14, Sun closed


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


def test_during_opening_hours_the_clock_runs_an_hour():
    assert deadline(at("2026-11-24 10:15"), 60, HOURS, AMS) == at("2026-11-24 11:15")


def test_a_lead_at_night_is_due_an_hour_after_opening():
    assert deadline(at("2026-11-24 23:00"), 60, HOURS, AMS) == at("2026-11-25 08:00")


def test_the_clock_carries_over_closing_time():
    assert deadline(at("2026-11-24 20:30"), 60, HOURS, AMS) == at("2026-11-25 07:30")


def test_saturday_evening_waits_for_monday():
    assert deadline(at("2026-11-28 15:00"), 60, HOURS, AMS) == at("2026-11-30 08:00")


def test_dst_spring_forward_counts_real_minutes():
    always = {str(d): [["00:00", "23:59"]] for d in range(7)}
    # 29 March 2026: 02:00 becomes 03:00 in Amsterdam
    start = at("2026-03-29 01:30")
    due = deadline(start, 60, always, AMS)
    assert due - start == timedelta(minutes=60)
    assert due.astimezone(AMS).hour == 3 and due.astimezone(AMS).minute == 30


def test_without_opening_hours_the_clock_runs_around_the_clock():
    start = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
    assert deadline(start, 45, {}, AMS) == start + timedelta(minutes=45)


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=1, max_value=600),
)
def test_deadline_is_never_before_start_plus_minutes_and_falls_in_opening_hours(start, minutes):
    due = deadline(start, minutes, HOURS, AMS)
    assert due >= start + timedelta(minutes=minutes)
    local = due.astimezone(AMS)
    intervals = HOURS[str(local.weekday())]
    assert any(opens <= f"{local:%H:%M}" <= closes for opens, closes in intervals)
