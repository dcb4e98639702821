"""The weekly fill table in Chromium: on a phone each class is a card whose figures each stand under their week
(none stacked without a label), and the page does not scroll sideways; on a desktop it is a table with the weeks
as column headers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import DESKTOP, PHONE, assert_no_horizontal_overflow, screenshot
from vollegym.core.testing import Cast
from vollegym.intake.tests.test_browser_booking import log_in
from vollegym.schedule.tests.test_capacity_pricing import MONDAY, fill_weeks, members, weekly_class

if TYPE_CHECKING:
    from collections.abc import Iterator

    import time_machine

    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser

FILL = "/app/kracht-utrecht/rooster/bezetting/"
# The eight weeks of 5 January .. 23 February 2026, as the page names them.
WEEK_NAMES = ["5 jan", "12 jan", "19 jan", "26 jan", "2 feb", "9 feb", "16 feb", "23 feb"]


@pytest.fixture
def monday() -> Iterator[time_machine.Traveller]:
    import time_machine

    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def filled(cast: Cast, monday: time_machine.Traveller) -> None:
    people = members(cast.studio, 8)
    fill_weeks(weekly_class(cast.studio, None, capacity=8), [8, 7, 8, 6, 8, 8, 4, 8], people)
    fill_weeks(weekly_class(cast.studio, None, capacity=8, weekday=3, name="Mobiliteit"), [2, 3] * 4, people)


def test_on_a_phone_every_figure_stands_under_its_week(cast: Cast, filled: None, new_page: NewPage) -> None:
    page = new_page(viewport=PHONE)
    log_in(page, "sanne@kracht.nl")
    page.goto(FILL)
    assert_no_horizontal_overflow(page)
    row = page.locator(".fill-table tbody tr", has_text="Kracht & conditie (di 07:00)")
    cells = row.locator("td")
    expect(cells).to_have_count(9)  # eight weeks and the average
    figures = ["100%", "88%", "100%", "75%", "100%", "100%", "50%", "100%"]
    for n, (week, figure) in enumerate(zip(WEEK_NAMES, figures, strict=True)):
        label = cells.nth(n).locator(".fill__week")
        expect(label).to_be_visible()
        expect(label).to_have_text(week)
        assert cells.nth(n).inner_text().split() == [*week.split(), figure]
        label_box, cell_box = label.bounding_box(), cells.nth(n).bounding_box()
        assert label_box and cell_box and label_box["y"] < cell_box["y"] + cell_box["height"] / 2, (
            "week on top"
        )
    expect(cells.nth(8)).to_contain_text("Gem.")
    expect(cells.nth(8)).to_contain_text("89%")
    # The weeks go four to a line, not each on a line of its own.
    tops = [round(cells.nth(n).bounding_box()["y"]) for n in range(8)]  # type: ignore[index]
    assert tops[0] == tops[3] and tops[4] == tops[7] and tops[0] < tops[4]
    screenshot(page, "agenda-fill-phone.png")


def test_on_a_desktop_the_weeks_are_the_columns_of_a_table(
    cast: Cast, filled: None, new_page: NewPage
) -> None:
    page = new_page(viewport=DESKTOP)
    log_in(page, "sanne@kracht.nl")
    page.goto(FILL)
    assert_no_horizontal_overflow(page)
    table = page.locator(".fill-table")
    headers = table.locator("thead th")
    expect(headers).to_have_text(["Les", *WEEK_NAMES, "Gem."], ignore_case=True)
    for n in range(9):
        expect(headers.nth(n)).to_be_visible()
    row = page.get_by_role("row", name="Mobiliteit (do 07:00)")
    expect(row.locator(".fill__week").first).to_be_hidden()  # the header names the week
    expect(row.get_by_role("cell").first).to_have_text("25%", use_inner_text=True)
    tops = {round(c.bounding_box()["y"]) for c in row.get_by_role("cell").all()}  # type: ignore[index]
    assert len(tops) == 1, "one line per class"
    screenshot(page, "agenda-fill-desktop.png")
