"""The leads and members lists in a real Chromium, on a phone and a desktop, with and without JavaScript: the page
never scrolls sideways, a number typed the way people type it finds the lead, two people of the same name read
differently, and a ticked selection gets a coach with plain forms."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import ViewportSize, expect

from vollegym.core import clock
from vollegym.core.browser import DESKTOP, PHONE, LayoutReport, screenshot
from vollegym.core.testing import Cast, make_lead, make_member
from vollegym.intake.tests.test_browser_booking import log_in
from vollegym.leads.models import Lead
from vollegym.programs.models import Member
from vollegym.programs.tests.test_member_list import enrol
from vollegym.programs.tests.test_prices_and_enrolment import make_program

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser


def a_day_of_leads(cast: Cast) -> None:
    now = clock.now()
    make_lead(cast.studio, name="Sanne de Vries", email="sanne.devries@gmail.com", source="meta",
              due_at=now - timedelta(minutes=20), assigned_to=cast.coach)  # fmt: skip
    make_lead(cast.studio, name="Sanne de Vries", phone="+31612345678", source="website",
              due_at=now + timedelta(minutes=35))  # fmt: skip
    make_lead(cast.studio, name="Maximiliaan van Oldenbarnevelt-Hooghoudt", source="google",
              email="maximiliaan.vanoldenbarnevelt-hooghoudt@voorbeeld-bedrijf.nl", phone="+31201234567",
              due_at=now + timedelta(minutes=50))  # fmt: skip
    for n in range(6):
        make_lead(cast.studio, name=f"Lead {n}", phone=f"+3161111222{n}", source="referral",
                  first_contact_at=now - timedelta(hours=n + 1))  # fmt: skip


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_on_a_phone_a_lead_is_found_by_its_number_and_two_are_given_a_coach(
    cast: Cast, new_page: NewPage, javascript: bool
) -> None:
    a_day_of_leads(cast)
    layout = LayoutReport()
    page = new_page(viewport=PHONE, javascript=javascript)
    log_in(page, "sanne@kracht.nl")
    page.goto("/app/kracht-utrecht/leads/")
    layout.check(page)
    if not javascript:
        screenshot(page, "lists-leads-phone.png")
    rows = page.locator(".lead-row")
    expect(rows).to_have_count(9)
    # the two Sanne de Vries read differently: one by her e-mail, one by her number
    sannes = rows.filter(has_text="Sanne de Vries")
    expect(sannes.nth(0).locator(".lead-row__contact")).to_have_text("sanne.devries@gmail.com")
    expect(sannes.nth(1).locator(".lead-row__contact")).to_have_text("06 12345678")

    page.get_by_role("searchbox", name="Zoeken").fill("+31 6 12 34 56 78")
    page.get_by_role("button", name="Zoeken").click()
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".lead-row__contact")).to_have_text("06 12345678")
    expect(page.get_by_text("1 lead gevonden")).to_be_visible()
    layout.check(page)

    page.get_by_role("link", name="Toon alle open leads").first.click()
    expect(rows).to_have_count(9)
    page.get_by_role("checkbox", name="Sanne de Vries aanvinken").nth(1).check()
    page.get_by_role("checkbox", name="Maximiliaan van Oldenbarnevelt-Hooghoudt aanvinken").check()
    page.get_by_text("Actie voor aangevinkte leads").click()
    page.get_by_label("Een coach toewijzen").check()
    page.locator("#bulk_coach").select_option(label=cast.coach.get_short_name())
    layout.check(page)
    if not javascript:
        screenshot(page, "lists-leads-bulk-phone.png")
    page.get_by_role("button", name="Uitvoeren voor de aangevinkte leads").click()
    expect(page.locator(".messages li")).to_have_text("2 leads toegewezen.")
    assert Lead.objects.for_studio(cast.studio).filter(assigned_to=cast.coach).count() == 3
    layout.check(page)
    layout.assert_clean()


def test_on_a_desktop_the_leads_list_filters_and_ticks_a_whole_page(cast: Cast, new_page: NewPage) -> None:
    a_day_of_leads(cast)
    page = new_page(viewport=DESKTOP)
    log_in(page, "sanne@kracht.nl")
    page.goto("/app/kracht-utrecht/leads/")
    page.get_by_text("Filteren en sorteren").click()
    page.get_by_label("Bron").select_option(label="Doorverwijzing")
    page.get_by_role("button", name="Toepassen").click()
    expect(page.locator(".lead-row")).to_have_count(6)
    # with JavaScript one box ticks every row on the page
    page.get_by_label("Alles op deze pagina aanvinken").check()
    expect(page.locator('.lead-row input[name="ids"]:checked')).to_have_count(6)
    LayoutReport().check(page)
    screenshot(page, "lists-leads-desktop.png")


def a_group_of_members(cast: Cast) -> None:
    today = clock.today()
    twelve = make_program(cast.studio)
    group = make_program(cast.studio, name="Small group lidmaatschap", kind="membership", format="small_group",
                         weeks=4, price_cents=13900)  # fmt: skip
    people = [
        ("Sanne de Vries", "sanne@gmail.com", "", twelve, cast.coach),
        ("Sanne de Vries", "", "+31612345678", group, cast.owner),
        ("Maximiliaan van Oldenbarnevelt-Hooghoudt", "max.oldenbarnevelt-hooghoudt@voorbeeld-bedrijf.nl", "",
         group, None),
        ("Chloë Özdemir", "chloe@example.nl", "+31687654321", twelve, cast.coach),
    ]  # fmt: skip
    for name, email, phone, program, coach in people:
        enrol(make_member(cast.studio, name=name, email=email, phone=phone, coach=coach), program,
              today - timedelta(days=10))  # fmt: skip
    enrol(make_member(cast.studio, name="Oud Lid", email="oud@example.nl"), twelve, date(2024, 1, 8))


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_members_list_keeps_ended_members_apart_and_tells_namesakes_apart(
    cast: Cast, new_page: NewPage, viewport: ViewportSize, name: str
) -> None:
    a_group_of_members(cast)
    layout = LayoutReport()
    page = new_page(viewport=viewport, javascript=False)
    log_in(page, "sanne@kracht.nl")
    page.goto("/app/kracht-utrecht/leden/")
    layout.check(page)
    screenshot(page, f"lists-members-{name}.png")
    rows = page.locator(".member-table tbody tr")
    expect(rows).to_have_count(4)
    expect(page.get_by_text("Oud Lid")).to_have_count(0)
    whos = rows.filter(has_text="Sanne de Vries").locator(".member-table__who small")
    expect(whos.nth(0)).to_have_text("sanne@gmail.com · Transformatie 12 weken")
    expect(whos.nth(1)).to_have_text("06 12345678 · Small group lidmaatschap")

    page.get_by_role("link", name="Afgelopen").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Oud Lid")

    page.get_by_role("searchbox", name="Zoeken").fill("chloe ozdemir")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("Geen leden gevonden")).to_be_visible()  # still on the ended tab
    page.get_by_role("link", name="Actief").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Chloë Özdemir")

    page.get_by_role("checkbox", name="Chloë Özdemir aanvinken").check()
    page.get_by_text("Actie voor aangevinkte leden").click()
    page.get_by_label("Een coach toewijzen").check()
    page.locator("#bulk_coach").select_option(label=cast.owner.get_short_name())
    page.get_by_role("button", name="Uitvoeren voor de aangevinkte leden").click()
    expect(page.locator(".messages li")).to_have_text("1 lid toegewezen.")
    expect(rows).to_have_count(1)  # back on the list as it was: the search kept
    assert Member.objects.for_studio(cast.studio).get(person__name="Chloë Özdemir").coach == cast.owner
    layout.check(page)
    layout.assert_clean()


def test_the_running_countdown_speaks_the_language_the_coach_chose(
    cast: Cast, new_page: NewPage, live_server: LiveServer
) -> None:
    now = clock.now()
    make_lead(cast.studio, name="Late Lotte", phone="+31612340001", due_at=now - timedelta(minutes=20))
    make_lead(cast.studio, name="Early Emma", phone="+31612340002", due_at=now + timedelta(minutes=35))
    page = new_page(viewport=DESKTOP)
    log_in(page, "sanne@kracht.nl")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto("/app/kracht-utrecht/leads/")
    late = page.locator(".lead-row", has_text="Late Lotte").locator(".countdown")
    early = page.locator(".lead-row", has_text="Early Emma").locator(".countdown")
    # the script has ticked (it sets the running/late class) and kept the English words
    expect(late).to_have_class("countdown countdown--late")
    expect(early).to_have_class("countdown countdown--running")
    expect(late).to_have_text(re.compile(r"^2[01] min overdue$"))
    expect(early).to_have_text(re.compile(r"^3[345] min left$"))
