"""The speed-to-lead report in a real Chromium: bars as long as the share they stand for, on a phone and a desktop."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.analytics.tests.test_speed import four_fast_all_booked_and_four_slower_three_booked
from vollegym.core import clock
from vollegym.core.browser import DESKTOP, PHONE, assert_no_horizontal_overflow, screenshot
from vollegym.core.testing import Cast
from vollegym.studios.tests.test_browser_backoffice import log_in

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser


def test_a_bar_of_75_percent_is_three_quarters_of_one_of_100(cast: Cast, new_page: NewPage) -> None:
    # Leads of the past weeks, in real time (a session cookie made in a travelled clock would be born expired).
    weeks_ago = clock.local(clock.now() - timedelta(days=20), cast.studio.zone).replace(hour=10, minute=0)
    four_fast_all_booked_and_four_slower_three_booked(cast, t0=weeks_ago)
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = new_page(viewport=viewport)
        page.goto("/app/login/?next=/app/kracht-utrecht/cijfers/snelheid/")
        log_in(page, "sanne@kracht.nl")
        expect(page.get_by_role("heading", name="Conversie per reactietijd")).to_be_visible()
        widths = []
        for label in ("< 5 min", "5–60 min"):
            row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))
            fill_box = row.locator(".speed-bar__fill").bounding_box()
            track_box = row.locator(".speed-bar__track").bounding_box()
            assert fill_box is not None and track_box is not None
            widths.append((fill_box["width"], track_box["width"]))
        (full, full_track), (three_quarters, track) = widths
        assert full == pytest.approx(full_track, abs=0.5) and full > 40, name
        assert three_quarters == pytest.approx(0.75 * track, abs=1), name
        assert track == pytest.approx(full_track, abs=0.5), name  # one scale for every row
        assert_no_horizontal_overflow(page)
        screenshot(page, f"analytics-speed-{name}.png")
