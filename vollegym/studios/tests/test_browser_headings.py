"""Long names in headings on a phone: a studio's long name, a person's double-barrelled name and a Dutch compound
keep within the screen, and a word that fits on a line is never cut in two (only a word wider than the line may
be, and there the browser hyphenates Dutch where it knows how: the headings say they are Dutch)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect

from vollegym.core.browser import PHONE, assert_no_horizontal_overflow
from vollegym.core.testing import Cast, make_lead
from vollegym.intake.services import questionnaire_install
from vollegym.intake.tests.test_browser_booking import log_in

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser

LONG_STUDIO = "Personal Training Studio Krachtvoedingsdeskundigen Amersfoort-Noord"
LONG_PERSON = "Maximiliaan van Oldenbarnevelt-Hooghoudt tot Stoutenburg"

_CUT_WORDS = """el => {
  const cut = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.data.matchAll(/[^\\s-]+-?/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      const fitsOnALine = [...range.getClientRects()].reduce((w, r) => w + r.width, 0) <= el.clientWidth;
      if (lines.size > 1 && fitsOnALine) cut.push(word[0]);
    }
  }
  return cut;
}"""


def assert_reads_whole(page: Page, heading: Locator) -> None:
    """The heading is within the screen and no word that would fit on a line is split over two."""
    expect(heading).to_be_visible()
    box = heading.bounding_box()
    viewport = page.viewport_size
    assert box and viewport and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert heading.evaluate(_CUT_WORDS) == []
    assert heading.evaluate("el => el.closest('[lang]').lang") == "nl"


def test_long_names_keep_within_a_phone_and_break_between_words(cast: Cast, new_page: NewPage) -> None:
    cast.studio.name = LONG_STUDIO
    cast.studio.save(update_fields=["name"])
    questionnaire_install(studio=cast.studio, kind="pt")
    lead = make_lead(cast.studio, name=LONG_PERSON, phone="+31612345678")
    page = new_page(viewport=PHONE)

    page.goto("/s/kracht-utrecht/intake/")  # the studio's public page wears its name
    assert_no_horizontal_overflow(page)
    assert_reads_whole(page, page.locator(".site-header .brand"))

    log_in(page, "sanne@kracht.nl")
    assert_reads_whole(page, page.get_by_role("heading", level=1))
    assert_no_horizontal_overflow(page)

    page.goto(f"/app/kracht-utrecht/leads/{lead.pk}/")
    assert_reads_whole(page, page.get_by_role("heading", level=1))
    assert_no_horizontal_overflow(page)

    page.goto("/app/kracht-utrecht/gesprekken/")
    assert_reads_whole(page, page.get_by_role("heading", level=1))  # Kennismakingsgesprekken
