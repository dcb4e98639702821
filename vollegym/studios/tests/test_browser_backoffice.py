"""The back office in a real Chromium: logging in, the team's invite form, the 404 for outsiders, the studio switcher."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from vollegym.core.browser import (
    DESKTOP,
    PHONE,
    LayoutReport,
    assert_no_horizontal_overflow,
    screenshot,
)
from vollegym.core.testing import PASSWORD, Cast
from vollegym.studios.models import StaffMembership

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser


def at(path: str) -> re.Pattern[str]:
    """The browser's URL is this path on the live server (with any query string)."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + r"(\?.*)?$")


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    page.get_by_label("E-mailadres", exact=True).fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_owner_adds_a_coach_on_a_phone_and_an_outsider_gets_a_404(cast: Cast, new_page: NewPage) -> None:
    page = new_page(viewport=PHONE)
    layout = LayoutReport()

    page.goto("/app/")
    expect(page).to_have_url(re.compile(r"/app/login/\?next=/app/$"))
    layout.check(page)
    screenshot(page, "backoffice-login-phone.png")

    log_in(page, "sanne@kracht.nl")
    expect(page).to_have_url(at("/app/kracht-utrecht/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kracht Utrecht")
    expect(page.locator(".lead .badge")).to_have_text("Eigenaar")
    expect(page.get_by_role("combobox", name="Studio")).to_have_count(0)  # one studio: no switcher
    layout.check(page)
    screenshot(page, "backoffice-dashboard-phone.png")

    nav = page.get_by_role("navigation", name="Studio")
    page.get_by_role("link", name="Team beheren").click()  # the team is managed from the overview
    expect(page).to_have_url(at("/app/kracht-utrecht/team/"))
    nav.get_by_text("Meer").click()  # on a phone the overview is one of the places behind "Meer"
    expect(nav.get_by_role("link", name="Overzicht")).to_have_attribute("aria-current", "page")
    nav.get_by_text("Meer").click()
    layout.check(page)
    expect(page.get_by_label("Wachtwoord", exact=False)).to_have_count(0)  # the owner never types one
    page.get_by_label("Naam", exact=True).fill("Nina de Vries")
    page.get_by_label("Rol", exact=True).select_option(label="Coach")
    email = page.get_by_label("E-mailadres", exact=True)
    email.fill("nina@kracht.nl")
    expect(page.get_by_role("button", name="Uitnodigen", exact=True)).to_be_visible()
    # Submitted with the phone keyboard's Go key: a tap lands beside the button while a page that is
    # wider than the phone is shown zoomed out (the layout report names that problem).
    email.press("Enter")

    expect(page).to_have_url(at("/app/kracht-utrecht/team/"))
    expect(page.locator(".messages li")).to_have_text(
        "Nina de Vries is uitgenodigd: in de mail staat een link om zelf een wachtwoord te kiezen."
    )
    row = page.get_by_role("row").filter(has_text="nina@kracht.nl")
    expect(row).to_be_visible()
    expect(row.get_by_role("cell").nth(0)).to_contain_text("Nina de Vries")
    expect(row.get_by_role("cell").nth(1)).to_contain_text("Coach")
    expect(row.get_by_role("cell").nth(1)).to_contain_text("uitgenodigd")
    assert (
        StaffMembership.objects.for_studio(cast.studio)
        .filter(user__email="nina@kracht.nl", role="coach")
        .exists()
    )
    layout.check(page)
    screenshot(page, "backoffice-team-phone.png")

    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(at("/app/login/"))

    log_in(page, "eigenaar@andere.nl")
    expect(page).to_have_url(at("/app/andere-studio/"))
    response = page.goto("/app/kracht-utrecht/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze pagina bestaat niet")
    expect(page.get_by_text("Kracht Utrecht")).to_have_count(0)
    response = page.goto("/app/kracht-utrecht/team/")
    assert response is not None and response.status == 404
    layout.assert_clean()


def test_the_agency_sees_both_studios_and_switches_between_them(cast: Cast, new_page: NewPage) -> None:
    page = new_page(viewport=DESKTOP)
    page.goto("/app/")
    log_in(page, "bureau@vollegym.nl")

    expect(page).to_have_url(at("/app/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Studio's")
    studios = page.locator(".studio-list").get_by_role("link")
    expect(studios).to_have_count(2)
    expect(studios.filter(has_text="Kracht Utrecht")).to_have_attribute("href", "/app/kracht-utrecht/")
    expect(studios.filter(has_text="Andere Studio")).to_have_attribute("href", "/app/andere-studio/")
    switcher = page.get_by_role("combobox", name="Studio")
    studio_options = switcher.locator("option:not([disabled])")
    expect(studio_options).to_have_count(2)
    assert sorted(studio_options.all_text_contents()) == ["Andere Studio", "Kracht Utrecht"]
    expect(switcher.locator("option:checked")).to_have_text("Kies een studio…")  # none chosen yet
    expect(page.get_by_role("button", name="Wissel")).to_have_count(0)  # the <noscript> fallback, not with JS
    assert_no_horizontal_overflow(page)
    screenshot(page, "backoffice-studios-desktop.png")

    studios.filter(has_text="Kracht Utrecht").click()
    expect(page).to_have_url(at("/app/kracht-utrecht/"))
    expect(page.locator(".lead .badge")).to_have_text("Bureau")
    expect(switcher).to_have_value("kracht-utrecht")

    switcher.select_option(label="Andere Studio")  # submits its form on change
    expect(page).to_have_url(at("/app/andere-studio/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Andere Studio")
    expect(switcher).to_have_value("andere-studio")

    switcher.select_option(label="Kracht Utrecht")
    expect(page).to_have_url(at("/app/kracht-utrecht/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kracht Utrecht")


def test_without_javascript_the_switcher_has_a_button(cast: Cast, new_page: NewPage) -> None:
    page = new_page(viewport=PHONE, javascript=False)
    page.goto("/app/kracht-utrecht/")
    log_in(page, "bureau@vollegym.nl")
    expect(page).to_have_url(at("/app/kracht-utrecht/"))
    page.get_by_role("combobox", name="Studio").select_option(label="Andere Studio")
    expect(page).to_have_url(at("/app/kracht-utrecht/"))  # nothing happens on change without JS
    page.get_by_role("button", name="Wissel").click()
    expect(page).to_have_url(at("/app/andere-studio/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Andere Studio")
    assert_no_horizontal_overflow(page)
