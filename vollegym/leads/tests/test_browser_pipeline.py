"""The pipeline on a phone and a desktop: the page never scrolls sideways, and moving a lead to its next stage
is one tap on its card (with htmx swapping the board, and as a plain form without JavaScript)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import DESKTOP, PHONE, assert_no_horizontal_overflow, screenshot
from vollegym.core.testing import Cast
from vollegym.intake.tests.test_browser_booking import log_in
from vollegym.leads.models import Lead
from vollegym.leads.services import LeadInput, lead_capture, lead_move

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser

BOARD = "/app/kracht-utrecht/leads/pipeline/"


def board_of_leads(cast: Cast) -> dict[str, Lead]:
    """A lead in each stage of the board, with names long enough to test a card's width."""
    stages = {
        "Eva Bord": "new",
        "Maximiliaan van Oldenbarnevelt-Hooghoudt": "contacted",
        "Ilse Verhoeven": "intake_booked",
        "Sem Peters": "intake_held",
        "Nadia de Wit": "no_show",
    }
    leads = {}
    for n, (name, stage) in enumerate(stages.items()):
        data = LeadInput(source="website", name=name, phone=f"061234567{n}")
        lead = lead_capture(studio=cast.studio, data=data).lead
        if stage != "new":
            lead_move(lead=lead, stage=stage, by=None)
        leads[name] = lead
    return leads


def stage_of(lead: Lead) -> str:
    lead.refresh_from_db()
    return lead.stage


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_on_a_phone_a_lead_moves_to_its_next_stage_with_one_tap(
    cast: Cast, new_page: NewPage, javascript: bool
) -> None:
    leads = board_of_leads(cast)
    page = new_page(viewport=PHONE, javascript=javascript)
    log_in(page, "sanne@kracht.nl")
    page.goto(BOARD)
    assert_no_horizontal_overflow(page)

    # On a phone the stages stack; a row of links at the top says how many leads each holds and jumps there.
    jump = page.get_by_role("navigation", name="Fasen")
    expect(jump.get_by_role("link", name="Niet verschenen 1")).to_be_visible()
    card = page.locator(".board__card", has_text="Eva Bord")
    expect(card.get_by_role("button", name="Eva Bord naar Gesproken")).to_be_visible()
    expect(card.get_by_role("button", name="Eva Bord naar Intake gepland")).to_be_visible()
    expect(card.get_by_role("combobox")).to_have_count(0)  # no stage to pick first
    if javascript:
        screenshot(page, "leads-pipeline-phone.png")

    card.get_by_role("button", name="Eva Bord naar Intake gepland").click()

    moved = page.locator("#col-intake_booked .board__card", has_text="Eva Bord")
    expect(moved).to_be_visible()
    expect(page.locator("#col-new .board__card", has_text="Eva Bord")).to_have_count(0)
    assert stage_of(leads["Eva Bord"]) == "intake_booked"
    expect(jump.get_by_role("link", name="Intake gepland 2")).to_be_visible()
    assert_no_horizontal_overflow(page)

    # The stages that do not usually come next are in the card's menu, which opens without JavaScript too.
    card = page.locator(".board__card", has_text="Sem Peters")
    expect(card.get_by_role("button", name="Sem Peters naar Gesproken")).to_be_hidden()
    card.get_by_text("Andere fase").click()
    card.get_by_role("button", name="Sem Peters naar Gesproken").click()
    expect(page.locator("#col-contacted .board__card", has_text="Sem Peters")).to_be_visible()
    assert stage_of(leads["Sem Peters"]) == "contacted"
    # Losing a lead takes a reason: the menu sends the coach to the lead's page for it.
    card = page.locator(".board__card", has_text="Nadia de Wit")
    card.get_by_text("Andere fase").click()
    expect(card.get_by_role("button", name="Nadia de Wit naar Verloren")).to_have_count(0)
    expect(card.get_by_role("link", name="Verloren (met reden)…")).to_have_attribute(
        "href", f"/app/kracht-utrecht/leads/{leads['Nadia de Wit'].pk}/"
    )
    assert_no_horizontal_overflow(page)


def test_on_a_desktop_the_stages_stand_side_by_side(cast: Cast, new_page: NewPage) -> None:
    leads = board_of_leads(cast)
    page = new_page(viewport=DESKTOP)
    log_in(page, "sanne@kracht.nl")
    page.goto(BOARD)
    assert_no_horizontal_overflow(page)
    expect(page.get_by_role("navigation", name="Fasen")).to_be_hidden()  # every column is in sight
    columns = page.locator(".board__column")
    expect(columns).to_have_count(5)
    tops = {round(columns.nth(n).bounding_box()["y"]) for n in range(5)}  # type: ignore[index]
    assert len(tops) == 1, "the five stages stand in one row"
    screenshot(page, "leads-pipeline-desktop.png")

    page.get_by_role("button", name="Ilse Verhoeven naar Intake gehouden").click()
    expect(page.locator("#col-intake_held .board__card", has_text="Ilse Verhoeven")).to_be_visible()
    assert stage_of(leads["Ilse Verhoeven"]) == "intake_held"
