import re
from datetime import datetime, timedelta

import pytest
import time_machine

from vollegym.analytics.speed import bucket_of, speed_to_lead
from vollegym.core.testing import client_for
from vollegym.leads.services import LeadInput, lead_capture, lead_log_contact, lead_move

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2026-06-02T10:00:00+02:00")  # a Tuesday, inside opening hours


def lead_answered_after(cast, n, minutes, *, by, source="website", booked=False, won=False, t0=T0):
    start = t0 + timedelta(days=n)
    with time_machine.travel(start, tick=False):
        lead = lead_capture(studio=cast.studio, data=LeadInput(source=source, email=f"p{n}@example.nl")).lead
    if minutes is not None:
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            lead_log_contact(lead=lead, kind="call", outcome="reached", by=by)
    if booked:
        lead_move(lead=lead, stage="intake_booked", by=by)
    if won:
        lead_move(lead=lead, stage="won", by=by)
    elif booked:
        lead_move(
            lead=lead, stage="lost", by=by, lost_reason="Toch niet"
        )  # booked once still counts as booked
    return lead


def test_buckets_split_at_5_minutes_an_hour_and_a_day():
    assert [bucket_of(s) for s in (0, 299, 300, 3599, 3600, 86399, 86400, None)] == [
        "< 5 min", "< 5 min", "5–60 min", "5–60 min", "1–24 uur", "1–24 uur", "> 24 uur", "nooit",
    ]  # fmt: skip


def test_conversion_per_response_time_bucket_and_per_coach(cast):
    lead_answered_after(cast, 0, 2, by=cast.coach, booked=True, won=True)
    lead_answered_after(cast, 1, 3, by=cast.coach, booked=True)
    lead_answered_after(cast, 2, 30, by=cast.owner, booked=True, source="meta")
    lead_answered_after(cast, 3, 45, by=cast.owner, source="meta")
    lead_answered_after(cast, 4, 60 * 3, by=cast.owner, source="meta")
    lead_answered_after(cast, 5, None, by=None)
    with time_machine.travel(T0 + timedelta(days=30)):
        report = speed_to_lead(cast.studio)
    rows = {r.label: r for r in report.by_bucket}
    assert (rows["< 5 min"].leads, rows["< 5 min"].booked, rows["< 5 min"].won) == (2, 2, 1)
    assert (rows["5–60 min"].leads, rows["5–60 min"].booked) == (2, 1)
    assert (rows["1–24 uur"].leads, rows["1–24 uur"].booked) == (1, 0)
    assert rows["nooit"].leads == 1
    coaches = {r.label: r for r in report.by_coach}
    assert coaches[cast.coach.get_short_name()].median_seconds == 150
    assert coaches[cast.coach.get_short_name()].within_hour == 2
    sources = {r.label: r for r in report.by_source}
    assert sources["Meta (Facebook/Instagram)"].leads == 3
    assert report.leads == 6 and report.within_hour_rate == pytest.approx(4 / 6)


def test_the_report_page_shows_the_studios_own_numbers_only(cast):
    lead_answered_after(cast, 0, 2, by=cast.coach, booked=True)
    with time_machine.travel(T0 + timedelta(days=3)):
        lead_capture(studio=cast.other_studio, data=LeadInput(source="website", email="ander@example.nl"))
        page = client_for(cast.owner).get("/app/kracht-utrecht/cijfers/snelheid/").text
    assert "Conversie per reactietijd" in page
    assert '<span class="stat__value">1</span>' in page  # one lead, not two


def test_bookings_and_their_outcome_follow_into_the_report(cast):
    from vollegym.intake.services import (
        WindowInput,
        availability_set,
        booking_attendance,
        booking_cancel,
        booking_make,
    )
    from vollegym.intake.tests.test_booking import make_kind

    availability_set(
        studio=cast.studio, coach=cast.coach,
        windows=[WindowInput(day, datetime.min.time().replace(hour=9), datetime.min.time().replace(hour=17))
                 for day in range(7)],
    )  # fmt: skip
    kind = make_kind(cast.studio, min_notice_hours=0)
    came, missed, called_off, _not_booked = (lead_answered_after(cast, n, 3, by=cast.coach) for n in range(4))
    at = T0 + timedelta(days=10)
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        bookings = [booking_make(lead=lead, kind=kind, starts_at=at + timedelta(hours=i)) for i, lead in
                    enumerate((came, missed, called_off))]  # fmt: skip
        booking_cancel(booking=bookings[2])
    with time_machine.travel(at + timedelta(hours=5), tick=False):
        booking_attendance(booking=bookings[0], showed=True, by=cast.coach)
        booking_attendance(booking=bookings[1], showed=False, by=cast.coach)
        report = speed_to_lead(cast.studio)
    fast = next(row for row in report.by_bucket if row.label == "< 5 min")
    # a cancelled conversation was still planned once; only the one who came counts as showed
    assert (fast.leads, fast.booked, fast.showed, fast.won) == (4, 3, 1, 0)


def four_fast_all_booked_and_four_slower_three_booked(cast, t0=T0):
    """100% booked after a fast answer, 75% after a slower one."""
    for n in range(4):
        lead_answered_after(cast, n, 2, by=cast.coach, booked=True, t0=t0)
    for n in range(4, 8):
        lead_answered_after(cast, n, 30, by=cast.coach, booked=n < 7, t0=t0)


def test_each_bar_is_as_long_as_its_share_and_says_it(cast):
    four_fast_all_booked_and_four_slower_three_booked(cast)
    with time_machine.travel(T0 + timedelta(days=30)):
        report = speed_to_lead(cast.studio)
        page = client_for(cast.owner).get("/app/kracht-utrecht/cijfers/snelheid/").text
    assert [(r.label, r.booked_percent) for r in report.by_bucket][:2] == [("< 5 min", 100), ("5–60 min", 75)]
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>.*?speed-bar__fill" width="(\d+)%".*?</svg> (\d+)%', page, re.S
    )
    assert rows[:2] == [("&lt; 5 min", "100", "100"), ("5–60 min", "75", "75")]  # length and label agree
    assert (
        'style="' not in page.split('<table class="table bars')[1].split("</table>")[0]
    )  # no inline style for CSP
