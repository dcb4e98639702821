"""Fixtures and helpers for the end-to-end journeys: Playwright's sync API driving Debian's Chromium.

Never a browser that Playwright downloads: the journeys use /usr/bin/chromium (or `chromium` on the PATH).
Without it they are skipped with a message, or fail when REQUIRE_BROWSER=1 (CI sets that, so a missing
browser cannot pass unnoticed). Every journey runs against pytest-django's `live_server`, so the data a
test creates through the ORM (on a transactional database) is what the server thread sees.

Use from a test module:

    pytestmark = pytest.mark.browser

    def test_something(new_page: NewPage) -> None:
        page = new_page(viewport=PHONE, javascript=False)
        page.goto("/")
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Protocol
from urllib.parse import urlsplit

import pytest
from django.db import connections

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, ViewportSize
    from pytest_django.live_server_helper import LiveServer

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_MISSING = "Chromium not installed: apt-get install chromium"
PLAYWRIGHT_MISSING = "Playwright not installed: pip install -e '.[dev]'"
SCREENS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screens"
TIMEOUT_MS = 10_000

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


def find_chromium() -> str | None:
    """Debian's Chromium: /usr/bin/chromium, else `chromium` on the PATH; None when neither exists."""
    if os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK):
        return CHROMIUM_PATH
    return shutil.which("chromium")


def skip_or_fail(reason: str) -> NoReturn:
    """Skips the test, or fails it when REQUIRE_BROWSER=1."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (and REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(name="chromium")
def chromium_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """A headless Debian Chromium for one test.

    Per test rather than per session, because Playwright's sync API keeps an asyncio event loop marked as
    running in the main thread for as long as it is started, and Django treats that thread as async:
    - ORM calls raise SynchronousOnlyOperation; for the browser's lifetime only, DJANGO_ALLOW_ASYNC_UNSAFE
      lets the test still use the ORM (set session-wide it would hide real async mistakes elsewhere);
    - database connections live in context-local instead of thread-local storage, so a query made while
      the browser is open gets a connection of its own, which Django would never close (PostgreSQL then
      refuses to drop the test database). The fixture closes those before it stops Playwright.
    """
    executable = find_chromium()
    if executable is None:
        skip_or_fail(CHROMIUM_MISSING)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail(PLAYWRIGHT_MISSING)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()  # those opened while the loop ran; see above


class NewPage(Protocol):
    def __call__(
        self, *, viewport: ViewportSize = ..., javascript: bool = ..., locale: str = ...
    ) -> Page: ...


@pytest.fixture(name="new_page")
def new_page_fixture(live_server: LiveServer, chromium: Browser) -> Iterator[NewPage]:
    """Opens a page in a fresh browser context (own cookies) whose relative URLs go to the live server.

    `viewport=PHONE` emulates a phone (mobile layout viewport, touch); `javascript=False` turns the page's
    own scripts off (`page.evaluate` still works then: Playwright evaluates through the DevTools protocol);
    `locale="en-US"` is a browser set to another language, whose own widgets follow it.
    """
    contexts: list[BrowserContext] = []

    def open_page(
        *, viewport: ViewportSize = DESKTOP, javascript: bool = True, locale: str = "nl-NL"
    ) -> Page:
        phone = viewport["width"] < 600
        context = chromium.new_context(
            base_url=live_server.url,
            viewport=viewport,
            java_script_enabled=javascript,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=1,
            locale=locale,
            timezone_id="Europe/Amsterdam",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def follow(page: Page, link: Locator) -> str:
    """Clicks a link like a person would and waits until the browser is at its target; returns that path."""
    href = link.get_attribute("href")
    assert href and href.startswith("/"), f"expected a link within the site, got href={href!r}"
    link.click()
    page.wait_for_url(lambda url: urlsplit(url).path == href)
    return href


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG of the page in docs/screens/, for people to look at."""
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENS_DIR / name
    page.screenshot(path=path, full_page=True, animations="disabled")
    return path


_OVERFLOW_SCRIPT = """width => {
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5) {
      const classes = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      wide.push(`${el.tagName.toLowerCase()}${classes} (${Math.round(box.left)}-${Math.round(box.right)}px)`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
}"""


def horizontal_overflow(page: Page) -> str | None:
    """What sticks out sideways, None when the page scrolls only vertically at its viewport's width.

    Compared with the viewport's width, not `window.innerWidth`: a phone (and Chromium's mobile emulation)
    widens its layout viewport to fit content that sticks out, and then zooms the whole page out.
    """
    viewport = page.viewport_size
    assert viewport is not None
    width = viewport["width"]
    found = page.evaluate(_OVERFLOW_SCRIPT, width)
    if found["scrollWidth"] <= width:
        return None
    return (
        f"{urlsplit(page.url).path} at {width}px wide scrolls sideways to {found['scrollWidth']}px; "
        f"sticking out: {', '.join(found['wide'])}"
    )


def assert_no_horizontal_overflow(page: Page) -> None:
    problem = horizontal_overflow(page)
    assert problem is None, problem


@dataclass
class LayoutReport:
    """Layout problems met along a journey, asserted together at its end: one run then shows all of them,
    and the journey still walks on and takes every screenshot."""

    problems: list[str] = field(default_factory=list)

    def check(self, page: Page) -> None:
        problem = horizontal_overflow(page)
        if problem is not None and problem not in self.problems:
            self.problems.append(problem)

    def assert_clean(self) -> None:
        assert not self.problems, "layout problems:\n" + "\n".join(self.problems)


def text_left(locator: Locator) -> float:
    """Where the first visible character of an element's text starts on screen (x in CSS pixels).

    An element's own box does not show indentation inside it (a block line's box starts at the same x
    whatever its padding or leading spaces), so this measures the rendered glyph instead.
    """
    x = locator.evaluate(
        """el => {
          const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.search(/\\S/);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + 1);
            return range.getBoundingClientRect().left;
          }
          return null;
        }"""
    )
    assert x is not None, "the element has no visible text"
    return float(x)


def csp_violations(page: Page) -> list[str]:
    """From now on, every Content-Security-Policy violation the page reports on its console, with its address.

    Chromium reports a blocked inline script, style or style attribute as a console error naming the policy;
    the list fills while the page is used, so assert it is empty at the end of a journey.
    """
    found: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"{urlsplit(page.url).path}: {message.text}")

    page.on("console", note)
    return found
