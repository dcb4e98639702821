"""The back office's navigation on a phone and a desktop: on a phone the places used most and the unread count
are in sight at once, the rest one tap away behind "Meer" (with and without JavaScript); on a desktop every place
stands in one row. The page never scrolls sideways."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import DESKTOP, PHONE, assert_no_horizontal_overflow, screenshot
from vollegym.core.testing import Cast
from vollegym.intake.tests.test_browser_booking import log_in
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser

PLACES = ["Vandaag", "Overzicht", "Leads", "Berichten", "Intake", "Gesprekken", "Rooster", "Leden", "Programma's", "Cijfers",
          "Meldingen"]  # fmt: skip


def unread_for_owner(cast: Cast, n: int) -> None:
    for i in range(n):
        message_queue(
            studio=cast.studio, key=f"test:{i}", channel=Message.Channel.APP, to_user=cast.owner,
            to=cast.owner.email, purpose="lead_new", subject=f"Nieuwe lead {i}", body="Bel haar vandaag.",
        )  # fmt: skip


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_on_a_phone_the_badge_is_in_sight_and_the_rest_is_behind_meer(
    cast: Cast, new_page: NewPage, javascript: bool
) -> None:
    unread_for_owner(cast, 3)
    page = new_page(viewport=PHONE, javascript=javascript)
    log_in(page, "sanne@kracht.nl")
    nav = page.get_by_role("navigation", name="Studio")

    for name in ("Vandaag", "Leads"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_in_viewport()
    notifications = nav.get_by_role("link", name="Meldingen 3 ongelezen")
    expect(notifications).to_be_in_viewport()
    expect(notifications.locator(".count")).to_be_in_viewport()
    expect(nav.get_by_role("link", name="Rooster")).to_be_hidden()
    assert_no_horizontal_overflow(page)
    if javascript:
        screenshot(page, "backoffice-nav-phone.png")

    nav.get_by_text("Meer").click()
    for name in ("Overzicht", "Intake", "Gesprekken", "Rooster", "Leden", "Programma's", "Cijfers"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_in_viewport()
    assert_no_horizontal_overflow(page)
    if javascript:
        screenshot(page, "backoffice-nav-phone-meer.png")
    nav.get_by_role("link", name="Rooster").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rooster")
    # The page lives behind "Meer", so "Meer" is marked as where the owner is.
    expect(nav.locator("summary.is-current")).to_have_text("Meer")
    nav.get_by_text("Meer").click()
    expect(nav.get_by_role("link", name="Rooster")).to_have_attribute("aria-current", "page")


def test_on_a_desktop_every_place_stands_in_one_row(cast: Cast, new_page: NewPage) -> None:
    unread_for_owner(cast, 1)
    page = new_page(viewport=DESKTOP)
    log_in(page, "sanne@kracht.nl")
    nav = page.get_by_role("navigation", name="Studio")
    links = nav.get_by_role("link")
    expect(links).to_have_count(len(PLACES))
    assert [text.split()[0] for text in links.all_inner_texts()] == [p.split()[0] for p in PLACES]
    tops = {round(box["y"]) for box in (links.nth(n).bounding_box() for n in range(len(PLACES))) if box}
    assert len(tops) == 1, "all places in one row"
    expect(nav.get_by_role("link", name="Meldingen 1 ongelezen").locator(".count")).to_be_in_viewport()
    expect(nav.get_by_text("Meer")).to_be_hidden()
    assert_no_horizontal_overflow(page)
    screenshot(page, "backoffice-nav-desktop.png")
