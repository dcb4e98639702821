"""In Chromium, with the Content-Security-Policy in force, no page of the demo reports a blocked script or style.

The journey uses what needs JavaScript under the policy too: the studio switcher (a script file, no onchange),
the intake's steps (htmx, which must not add a <style> of its own) and the pipeline and a class (htmx).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from vollegym.core.browser import DESKTOP, PHONE, NewPage, csp_violations, screenshot
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.core.testing import PASSWORD
from vollegym.schedule.models import ClassSession
from vollegym.studios.models import Studio, User

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, email: str) -> None:
    page.goto("/app/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/app/login/")


def test_no_page_reports_a_policy_violation(new_page: NewPage) -> None:
    load_demo_data()
    demo = Studio.objects.get(slug="demo")
    agency = User.objects.get(email="bureau@vollegym.nl")
    agency.set_password(PASSWORD)
    agency.save(update_fields=["password"])
    session = ClassSession.objects.for_studio(demo).order_by("starts_at").last()
    assert session is not None

    visitor = new_page(viewport=PHONE)
    visitor_violations = csp_violations(visitor)
    visitor.goto("/")
    visitor.goto("/kennisbank/")
    visitor.goto("/bestaat-niet/")
    visitor.goto("/s/demo/leden/")
    # The intake's first step, then the next one swapped in by htmx.
    visitor.goto("/s/demo/intake/")
    visitor.fill("input[name=name]", "Eva de Boer")
    visitor.fill("input[name=email]", "eva@example.nl")
    visitor.check("input[name=contact]")
    visitor.get_by_role("button", name="Verder").click()
    visitor.wait_for_url(lambda url: urlsplit(url).path.count("/") > 4)
    assert visitor.locator(".progress__bar rect").count() == 1
    screenshot(visitor, "csp-intake-phone.png")

    office = new_page(viewport=DESKTOP)
    office_violations = csp_violations(office)
    sign_in(office, agency.email)
    office.goto("/app/demo/")
    # The switcher changes studio as soon as one is picked: its script is a file the policy allows.
    other = office.locator("#studio-switcher option:not([selected])").first.get_attribute("value")
    office.select_option("#studio-switcher", other)
    office.wait_for_url(lambda url: urlsplit(url).path.startswith(f"/app/{other}/"))
    office.goto("/app/demo/rooster/")
    assert office.locator(".session-card .meter rect").count() > 0
    screenshot(office, "csp-week-desktop.png")
    office.goto("/app/demo/cijfers/snelheid/")
    office.goto("/app/demo/leads/pipeline/")
    office.goto(f"/app/demo/rooster/les/{session.pk}/")
    office.goto("/admin/")
    office.goto(f"/admin/studios/studio/{demo.pk}/change/")
    assert office.locator("#studio_form").count() == 1

    violations = visitor_violations + office_violations
    assert violations == [], "\n".join(violations)

    # The watch itself works: a style attribute set on a page under the policy is reported.
    office.evaluate("document.body.setAttribute('style', 'outline: 1px solid red')")
    office.wait_for_timeout(200)
    assert office_violations and "Content Security Policy" in office_violations[0]
