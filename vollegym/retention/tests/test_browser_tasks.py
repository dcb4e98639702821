"""The first 30 days in Chromium, on the demo: a coach's tasks, the playbook editor and a member's run, on a phone
and a desktop; nothing scrolls sideways, every button is big enough for a thumb, and a task done is gone in one tap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import DESKTOP, PHONE, LayoutReport, screenshot
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.programs.demo import STERK
from vollegym.programs.models import Program
from vollegym.retention.models import ActivationCheck, Step
from vollegym.studios.demo import DEMO_PASSWORD
from vollegym.studios.models import StaffMembership, Studio

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from vollegym.core.browser import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
THUMB = 44  # px: the smallest button a thumb hits without a second try


def sign_in(page: Page, email: str) -> None:
    page.goto("/app/login/")
    page.get_by_label("E-mailadres", exact=True).fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/app/login/")


def assert_thumb_sized(page: Page) -> None:
    heights = page.locator(".task__actions .button").evaluate_all(
        "buttons => buttons.map(b => b.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= THUMB, heights


def test_a_coach_works_the_first_30_days_on_a_phone_and_a_desktop(new_page: NewPage) -> None:
    load_demo_data()
    studio = Studio.objects.get(slug="demo")
    owner = StaffMembership.objects.for_studio(studio).get(role=StaffMembership.Role.OWNER).user
    sterk = Program.objects.for_studio(studio).get(name=STERK)
    flagged = ActivationCheck.objects.for_studio(studio).filter(status=ActivationCheck.Status.FLAGGED).first()
    assert flagged is not None, "the demo has no member behind on training"
    layout = LayoutReport()

    for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = new_page(viewport=viewport)
        sign_in(page, owner.email)

        page.goto(f"/app/{studio.slug}/taken/")
        expect(page.get_by_role("heading", name="Taken", exact=True)).to_be_visible()
        expect(page.locator(".task--flag").first).to_contain_text("geplande trainingen in de eerste")
        # The coach reads the member's name, not a placeholder.
        expect(page.locator(".task__text").first).not_to_contain_text("{voornaam}")
        layout.check(page)
        assert_thumb_sized(page)
        screenshot(page, f"retention-tasks-{size}.png")

        # One tap on "Gedaan" and the task is off the list.
        first = page.locator(".tasks .task:not(.task--flag)").first
        action = first.locator("form").first.get_attribute("action")
        assert action is not None
        before = page.locator(".tasks .task:not(.task--flag)").count()
        first.get_by_role("button", name="Gedaan").click()
        expect(page.locator(".messages")).to_contain_text("Afgevinkt")
        expect(page.locator(f'form[action="{action}"]')).to_have_count(0)
        expect(page.locator(".tasks .task:not(.task--flag)")).to_have_count(before - 1)
        step_id = int(action.rstrip("/").split("/")[-2])
        assert Step.objects.for_studio(studio).get(pk=step_id).status == Step.Status.DONE

        page.goto(f"/app/{studio.slug}/programmas/{sterk.pk}/playbook/")
        page.locator(".playbook__item summary").nth(1).click()
        expect(page.locator(".playbook__item details[open] form").first).to_be_visible()
        layout.check(page)
        screenshot(page, f"retention-playbook-{size}.png")

        page.goto(f"/app/{studio.slug}/leden/{flagged.member_id}/")
        section = page.locator("#eerste-30-dagen")
        expect(section).to_contain_text(flagged.reason)
        expect(section.locator(".task--sent").first).to_contain_text("Verstuurd")
        layout.check(page)
        assert_thumb_sized(page)
        section.scroll_into_view_if_needed()
        screenshot(page, f"retention-member-{size}.png")

    layout.assert_clean()
