"""The Today page in Chromium on the demo: a coach on a phone works the day from top to bottom (answers a lead,
takes up a member behind on training, ticks off a first-30-days task) and records a measurement for that member;
each tap comes back to Today with the item gone. The owner's desktop view shows the whole studio."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import DESKTOP, PHONE, LayoutReport, screenshot
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.programs.models import Member
from vollegym.progress.models import Measurement
from vollegym.retention.models import ActivationCheck, Outreach
from vollegym.retention.tests.test_browser_tasks import assert_thumb_sized, sign_in
from vollegym.studios.demo import COACH_EMAIL, OWNER_EMAIL
from vollegym.studios.models import Studio

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coach_works_the_today_page_on_a_phone_and_records_a_measurement(new_page: NewPage) -> None:
    load_demo_data()
    studio = Studio.objects.get(slug="demo")
    layout = LayoutReport()
    page = new_page(viewport=PHONE)
    sign_in(page, COACH_EMAIL)
    page.get_by_role("navigation", name="Studio").get_by_role("link", name="Vandaag").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vandaag")
    layout.check(page)
    assert_thumb_sized(page)
    screenshot(page, "today-coach-phone.png")

    # A lead waiting for an answer: one tap records the call, and the lead leaves the list.
    leads = page.locator("#leads .task")
    before = leads.count()
    assert before, "the demo has no lead waiting for the coach"
    name = leads.first.locator(".task__title a").inner_text()
    leads.first.get_by_role("button", name="Gesproken").click()
    expect(page.locator(".messages")).to_contain_text("Vastgelegd")
    expect(page).to_have_url(f"{page.url.split('/app/')[0]}/app/demo/vandaag/")
    expect(page.locator("#leads .task", has_text=name)).to_have_count(0)

    # A member at risk: the reasons in words, and a call logged in one tap (it takes up a first-month flag too).
    risks = page.locator("#bellen .task", has=page.locator(".risk__score"))
    assert risks.count(), "the demo has no member of the coach at risk"
    card = risks.first
    expect(card.locator(".risk__reasons li").first).not_to_be_empty()
    member = card.locator(".task__title a")
    member_name = member.inner_text()
    member_page = member.get_attribute("href")
    assert member_page is not None
    card.get_by_role("button", name="Gesproken").click()
    expect(page.locator(".messages")).to_contain_text("Vastgelegd")
    expect(page.locator("#bellen .task", has_text=member_name)).to_have_count(0)
    member_id = int(member_page.rstrip("/").split("/")[-1])
    assert Outreach.objects.for_studio(studio).filter(member_id=member_id, way="reached").exists()
    assert (
        not ActivationCheck.objects.for_studio(studio).filter(member_id=member_id, status="flagged").exists()
    )

    # A first-30-days task: done in one tap.
    tasks = page.locator("#nieuwe-leden .task")
    if tasks.count():
        before = tasks.count()
        tasks.first.get_by_role("button", name="Gedaan").click()
        expect(page.locator(".messages")).to_contain_text("Afgevinkt")
        expect(page.locator("#nieuwe-leden .task")).to_have_count(before - 1)

    # Then the member's measurements, on the same phone: consent first if there is none, then a reading.
    page.goto(f"{member_page}metingen/")
    if page.get_by_role("heading", name="Eerst toestemming").count():
        page.get_by_label("Het lid heeft deze tekst gelezen en stemt ermee in.").check()
        page.get_by_role("button", name="Toestemming vastleggen").click()
    weight = page.get_by_label("Gewicht (kg)")
    weight.fill("81,4")
    page.get_by_role("button", name="Vastleggen", exact=True).click()
    expect(page.locator(".messages")).to_be_visible()
    layout.check(page)
    screenshot(page, "today-measurement-phone.png")
    person_id = Member.objects.for_studio(studio).get(pk=member_id).person_id
    assert Measurement.objects.for_studio(studio).filter(person_id=person_id, value="81.4").exists()
    layout.assert_clean()


def test_the_owner_sees_the_whole_studio_on_a_desktop(new_page: NewPage) -> None:
    load_demo_data()
    page = new_page(viewport=DESKTOP)
    sign_in(page, OWNER_EMAIL)
    page.goto("/app/demo/vandaag/")
    layout = LayoutReport()
    expect(page.get_by_role("link", name="Alleen het mijne")).to_be_visible()
    for section in ("#leads", "#gesprekken", "#bellen", "#beloningen"):
        expect(page.locator(section)).to_be_visible()
    layout.check(page)
    screenshot(page, "today-owner-desktop.png")
    page.get_by_role("link", name="Alleen het mijne").click()
    expect(page.get_by_role("link", name="Toon de hele studio")).to_be_visible()
    expect(page.locator("#beloningen")).to_be_visible()  # rewards are the owner's either way
    layout.assert_clean()
