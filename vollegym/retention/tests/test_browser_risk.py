"""The churn-risk call list and its report in Chromium, on the demo: a coach on a phone opens their own list, reads
why each member is there, logs a call in a few taps and sees it on the card; the owner reads the report on a phone
and a desktop. Nothing scrolls sideways and every button is big enough for a thumb."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import DESKTOP, PHONE, SCREENS_DIR, LayoutReport, screenshot
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.retention.models import Outreach
from vollegym.retention.tests.test_browser_tasks import THUMB, sign_in
from vollegym.studios.demo import COACH_EMAIL, OWNER_EMAIL
from vollegym.studios.models import Studio

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from vollegym.core.browser import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_thumb_sized(page: Page) -> None:
    heights = page.locator(".risk .button").evaluate_all(
        "buttons => buttons.filter(b => b.offsetParent).map(b => b.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= THUMB, heights


def test_a_coach_logs_an_at_risk_call_on_a_phone_and_the_owner_reads_the_report(new_page: NewPage) -> None:
    load_demo_data()
    studio = Studio.objects.get(slug="demo")
    layout = LayoutReport()
    before = Outreach.objects.for_studio(studio).count()

    page = new_page(viewport=PHONE)
    sign_in(page, COACH_EMAIL)
    page.goto(f"/app/{studio.slug}/risico/")
    expect(page.get_by_role("heading", name="Wie dreigt te stoppen")).to_be_visible()
    expect(page.locator(".kinds__item.is-current")).to_have_text("Mijn leden")
    card = page.locator(".risk.task--flag").first
    expect(card.locator(".risk__reasons li").first).not_to_be_empty()
    expect(card.locator('a[href^="tel:+31"]')).to_be_visible()
    layout.check(page)
    assert_thumb_sized(page)
    screenshot(page, "risk-list-phone.png")

    name = card.locator(".task__title a").inner_text()
    card.locator(".risk__log summary").click()
    form = card.locator(".risk__form")
    expect(form).to_be_visible()
    form.get_by_label("Gebeld en gesproken").check()
    form.get_by_label("Uitkomst").select_option(label="Blijft trainen")
    form.get_by_label("Notitie").fill("Drukke weken op het werk; komt donderdag weer.")
    layout.check(page)
    card.scroll_into_view_if_needed()
    page.screenshot(path=SCREENS_DIR / "risk-log-phone.png", animations="disabled")  # the open form, as seen
    form.get_by_role("button", name="Vastleggen").click()
    expect(page.locator(".messages")).to_contain_text(f"Vastgelegd: {name}, gebeld en gesproken.")
    logged = page.locator(".risk--reached", has_text=name)
    expect(logged.locator(".risk__contact")).to_contain_text("Gebeld en gesproken op")
    expect(logged.locator(".risk__contact")).to_contain_text("komt donderdag weer")
    assert Outreach.objects.for_studio(studio).count() == before + 1

    owner = new_page(viewport=PHONE)
    sign_in(owner, OWNER_EMAIL)
    owner.goto(f"/app/{studio.slug}/risico/verslag/")
    expect(owner.get_by_role("heading", name="Bereikt, en gebleven?")).to_be_visible()
    expect(owner.locator(".risk__month").first).to_contain_text("Op de bellijst")
    layout.check(owner)
    screenshot(owner, "risk-report-phone.png")

    for path, name in ((f"/app/{studio.slug}/risico/", "risk-list-desktop.png"),
                       (f"/app/{studio.slug}/risico/verslag/", "risk-report-desktop.png")):  # fmt: skip
        desk = new_page(viewport=DESKTOP)
        sign_in(desk, OWNER_EMAIL)
        desk.goto(path)
        layout.check(desk)
        screenshot(desk, name)

    layout.assert_clean()
