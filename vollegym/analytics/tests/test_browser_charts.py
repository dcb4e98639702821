"""The reports' charts in a real Chromium under the site's Content-Security-Policy: pygal's SVG shown as an image
draws (its own <style> applies), nothing is refused or thrown, and each chart keeps its table; phone and desktop."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.analytics.tests.test_money import run
from vollegym.core import clock
from vollegym.core.browser import DESKTOP, PHONE, assert_no_horizontal_overflow, csp_violations, screenshot
from vollegym.core.testing import Cast, make_member
from vollegym.programs.models import Program
from vollegym.programs.tests.test_prices_and_enrolment import make_program
from vollegym.studios.tests.test_browser_backoffice import log_in

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser


def test_the_members_charts_draw_under_the_policy_beside_their_tables(cast: Cast, new_page: NewPage) -> None:
    # Runs of the past months in real time (a session cookie made in a travelled clock would be born expired).
    today = clock.local(clock.now(), cast.studio.zone).date()
    membership = make_program(cast.studio, name="Small group", price_cents=13900, weeks=4,
                              kind=Program.Kind.MEMBERSHIP, format=Program.Format.SMALL_GROUP)  # fmt: skip
    for i in range(6):
        member = make_member(cast.studio, name=f"Lid {i}")
        start = today - timedelta(weeks=4 * (8 - i))
        for period in range(1 + i % 3 * 2):
            run(cast.studio, member, membership, start + timedelta(weeks=4 * period))
    thrown: list[str] = []
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = new_page(viewport=viewport)
        refused = csp_violations(page)
        page.on("pageerror", lambda error: thrown.append(str(error)))
        page.goto(f"/app/login/?next=/app/{cast.studio.slug}/cijfers/leden/")
        log_in(page, "sanne@kracht.nl")
        expect(page.get_by_role("heading", name="Hoe lang leden blijven")).to_be_visible()
        charts = page.locator("img.chart-image")
        expect(charts).to_have_count(2)
        for chart in charts.all():
            chart.scroll_into_view_if_needed()
            drawn = chart.evaluate(
                "img => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width"
            )
            assert drawn and drawn > 250, name  # drawn, and as wide as a phone's card
            assert chart.get_attribute("alt")
        expect(page.get_by_role("table", name="Leden, verloop en omzet per maand")).to_be_attached()
        assert_no_horizontal_overflow(page)
        assert refused == [] and thrown == [], name
        screenshot(page, f"analytics-members-{name}.png")
