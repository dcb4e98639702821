"""The follow-up of leads in Chromium, on the demo: the sequences and their editor, a lead's sequence on its page, the
coach's lead calls on the task list and what each step brought in, on a phone and a desktop; nothing scrolls
sideways, and a call done is gone in one tap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import DESKTOP, PHONE, LayoutReport, screenshot
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.retention.models import Run, Sequence, Step
from vollegym.retention.tests.test_browser_tasks import assert_thumb_sized, sign_in
from vollegym.studios.models import StaffMembership, Studio

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_reads_and_edits_the_follow_up_on_a_phone_and_a_desktop(new_page: NewPage) -> None:
    load_demo_data()
    studio = Studio.objects.get(slug="demo")
    owner = StaffMembership.objects.for_studio(studio).get(role=StaffMembership.Role.OWNER).user
    sent = Step.objects.for_studio(studio).filter(status=Step.Status.SENT, run__sequence=Sequence.NOT_BOOKED)
    stopped = (
        Run.objects.for_studio(studio).filter(stopped_at__isnull=False, pk__in=sent.values("run_id")).first()
    )
    assert stopped is not None, "the demo has no lead whose follow-up sent a mail and then stopped at a reply"
    layout = LayoutReport()

    for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = new_page(viewport=viewport)
        sign_in(page, owner.email)

        page.goto(f"/app/{studio.slug}/leads/")
        page.get_by_role("link", name="Opvolging", exact=True).click()
        expect(page.get_by_role("heading", name="Opvolging van leads", exact=True)).to_be_visible()
        for name in ("Nog geen gesprek gepland", "Niet verschenen", "Stil geworden"):
            expect(page.get_by_role("heading", name=name)).to_be_visible()
        expect(page.locator("#geen-gesprek")).to_contain_text("gestopt want de lead reageerde")
        layout.check(page)
        screenshot(page, f"followup-sequences-{size}.png")

        page.locator("#geen-gesprek").get_by_role("link", name="Stappen aanpassen").click()
        expect(page.get_by_role("heading", name="Opvolging: Nog geen gesprek gepland")).to_be_visible()
        page.locator(".playbook__item summary").nth(1).click()
        expect(page.locator(".playbook__item details[open] form").first).to_be_visible()
        layout.check(page)
        screenshot(page, f"followup-editor-{size}.png")

        page.goto(f"/app/{studio.slug}/leads/{stopped.lead_id}/")
        section = page.locator("#opvolging")
        expect(section).to_contain_text("gestopt op")
        expect(section.locator(".task--sent").first).to_contain_text("Verstuurd")
        expect(section.locator(".task--skipped").first).to_contain_text("Niet nodig: de lead reageerde")
        layout.check(page)
        section.scroll_into_view_if_needed()
        screenshot(page, f"followup-lead-{size}.png")

        page.goto(f"/app/{studio.slug}/taken/#leads")
        calls = page.locator("#leads .task")
        expect(calls.first).to_contain_text("Dag ")
        expect(page.locator("#leads .task__text").first).not_to_contain_text("{voornaam}")
        layout.check(page)
        assert_thumb_sized(page)
        screenshot(page, f"followup-tasks-{size}.png")
        if size == "desktop":  # ticked once, so the phone's look does not depend on how many the day has
            before = calls.count()
            calls.first.get_by_role("button", name="Gedaan").click()
            expect(page.locator(".messages")).to_contain_text("Afgevinkt")
            expect(page.locator("#leads .task")).to_have_count(before - 1)

        page.goto(f"/app/{studio.slug}/cijfers/snelheid/")
        table = page.locator("#opvolging")
        expect(table).to_contain_text("Wat elke opvolgstap oplevert")
        expect(table).to_contain_text("Nabellen: nog geen gesprek gepland")
        layout.check(page)
        table.scroll_into_view_if_needed()
        screenshot(page, f"followup-speed-report-{size}.png")

    layout.assert_clean()
