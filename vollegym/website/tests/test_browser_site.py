"""The public site in a real Chromium with JavaScript switched off: every page must read without it.

The journey follows links the way a visitor does (home, a service card, the kennisbank, a post, the intake),
on a phone and on a desktop, and checks what is on screen against the content files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, ViewportSize, expect

from vollegym.core import browser
from vollegym.core.browser import (
    DESKTOP,
    PHONE,
    LayoutReport,
    follow,
    screenshot,
    text_left,
)
from vollegym.website.site import current_site

if TYPE_CHECKING:
    from pytest_django.fixtures import Settings

    from vollegym.core.browser import NewPage

BUNDLED_CONTENT = Path(django_settings.BASE_DIR) / "website" / "content"


@pytest.fixture
def bundled_content(settings: Settings) -> None:
    """The journey walks the content that ships with the project, whatever VOLLEGYM_CONTENT_DIR says."""
    settings.VOLLEGYM_CONTENT_DIR = BUNDLED_CONTENT


@pytest.fixture
def agency_intake(transactional_db: None) -> None:
    """The site's "Doe de intake" opens the agency's own intake (the volle-gym tenant)."""
    from vollegym.intake.services import questionnaire_install
    from vollegym.studios.services import studio_create

    questionnaire_install(studio=studio_create(name="Volle Gym", slug="volle-gym"), kind="agency")


def check_intake_links(page: Page) -> None:
    header_link = page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Doe de intake")
    expect(header_link).to_be_visible()
    expect(header_link).to_have_attribute("href", "/intake/")
    for link in page.get_by_role("link", name="Doe de intake").all():
        expect(link).to_have_attribute("href", "/intake/")


def check_content_page(page: Page, path: str, layout: LayoutReport) -> None:
    """A page from the content folder: its title, every hero line visible and as written, the intake links."""
    source = current_site().page(path)
    assert source is not None, f"{path} is not a page of the bundled content"
    expect(page).to_have_title(source.meta.title)
    title = page.locator("h1.hero__title")
    expect(title).to_be_visible()
    lines = title.locator(".hero__line")
    expect(lines).to_have_count(len(source.hero_lines))
    for number, line in enumerate(source.hero_lines):
        shown = lines.nth(number)
        expect(shown).to_be_visible()
        expect(shown).to_have_text(line.text.strip())
        assert shown.text_content() == line.text, f"{path}: hero line {number + 1} lost its leading spaces"
    # A line written with leading spaces is indented on screen, not only in the HTML.
    first_left = text_left(lines.first)
    for number, line in enumerate(source.hero_lines):
        if line.indent:
            left = text_left(lines.nth(number))
            assert left > first_left, (
                f"{path}: indented hero line {number + 1} starts at x={left}, not right of line 1 (x={first_left})"
            )
    expect(page.locator(".hero__actions .button")).to_have_attribute("href", "/intake/")
    check_intake_links(page)
    layout.check(page)


@pytest.mark.browser
@pytest.mark.parametrize(
    ("viewport", "label", "screens"),
    [(PHONE, "phone", {"home", "service"}), (DESKTOP, "desktop", {"kennisbank", "post"})],
    ids=["phone", "desktop"],
)
def test_a_visitor_without_javascript_reads_home_service_kennisbank_and_post(
    bundled_content: None,
    agency_intake: None,
    new_page: NewPage,
    viewport: ViewportSize,
    label: str,
    screens: set[str],
) -> None:
    page = new_page(viewport=viewport, javascript=False)
    layout = LayoutReport()

    def shot(name: str) -> None:
        if name in screens:
            screenshot(page, f"site-{name}-{label}.png")

    response = page.goto("/")
    assert response is not None and response.status == 200
    home = current_site().page("/")
    assert home is not None and len(home.hero_lines) >= 3 and home.hero_lines[2].indent > 0, (
        "the journey expects the home page's third hero line to be indented"
    )
    check_content_page(page, "/", layout)
    expect(page.locator("h1.hero__title .hero__line").nth(2)).to_have_class("hero__line hero__line--indent")
    shot("home")

    service = follow(page, page.get_by_role("region", name="Onze aanpak").get_by_role("link").first)
    assert service in {p.url for p in current_site().services()}
    check_content_page(page, service, layout)
    shot("service")

    # The header's link on a wide screen; a phone may show only the footer's.
    follow(page, page.get_by_role("link", name="Kennisbank", exact=True).first)
    expect(page).to_have_title("Kennisbank voor PT- en small group studio's | Volle Gym")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kennisbank")
    cards = page.get_by_role("region", name="Artikelen").get_by_role("link")
    expect(cards).to_have_count(len(current_site().blogs()))
    check_intake_links(page)
    layout.check(page)
    shot("kennisbank")

    post = follow(page, cards.first)
    assert post.startswith("/kennisbank/")
    check_content_page(page, post, layout)
    expect(page.locator(".hero .eyebrow").get_by_role("link", name="Kennisbank")).to_be_visible()
    shot("post")

    follow(page, page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Doe de intake"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake voor studio-eigenaren")
    layout.check(page)
    layout.assert_clean()


def test_without_chromium_browser_tests_skip_or_fail_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "CHROMIUM_PATH", "/nonexistent/chromium")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert browser.find_chromium() is None

    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium not installed: apt-get install chromium"):
        browser.skip_or_fail(browser.CHROMIUM_MISSING)
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="Chromium not installed"):
        browser.skip_or_fail(browser.CHROMIUM_MISSING)
