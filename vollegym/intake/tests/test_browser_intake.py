"""A prospect on a phone walks a studio's intake in Chromium, with and without JavaScript; the coach sees the result."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import PHONE, assert_no_horizontal_overflow, screenshot
from vollegym.core.testing import PASSWORD, Cast
from vollegym.intake.models import IntakeResponse
from vollegym.intake.services import questionnaire_install
from vollegym.intake.tests.test_public_intake import link_first_offer
from vollegym.leads.models import Lead

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_a_prospect_on_a_phone_completes_the_intake_and_sees_the_price_last(
    cast: Cast, new_page: NewPage, javascript: bool
) -> None:
    questionnaire_install(studio=cast.studio, kind="pt")
    link_first_offer(cast.studio)  # € 1.295,00 for 12 weeks
    page = new_page(viewport=PHONE, javascript=javascript)
    page.goto("/s/kracht-utrecht/intake/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake personal training")
    full_loads: list[str] = []
    page.on("load", lambda loaded: full_loads.append(loaded.url))

    page.get_by_role("button", name="Verder").click()  # nothing filled in: Dutch messages, nothing stored
    expect(page.get_by_text("Vul je telefoonnummer of e-mailadres in")).to_be_visible()
    assert Lead.objects.for_studio(cast.studio).count() == 0

    page.get_by_label("Je voornaam (en achternaam)").fill("Eva de Boer")
    page.get_by_label("Telefoonnummer").fill("06 12345678")
    page.get_by_label("Ja, Kracht Utrecht mag contact met mij opnemen").check()
    if not javascript:
        screenshot(page, "intake-contact-phone.png")
    page.get_by_role("button", name="Verder").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Je doel")
    expect(page.get_by_text("€")).to_have_count(0)  # the price comes last
    page.get_by_label("Sterker worden").check()
    page.get_by_label("Vertel het in je eigen woorden").fill("Weer zonder rugpijn tillen")
    page.get_by_role("button", name="Verder").click()
    page.get_by_label("Wat verandert er als het je lukt? Waarom nu?").fill("De bruiloft van mijn dochter")
    page.get_by_role("button", name="Verder").click()
    page.get_by_label("Nog niets").check()
    page.get_by_label("Persoonlijke begeleiding en een plan").check()
    page.get_by_role("button", name="Verder").click()
    page.get_by_label("maandag ochtend").check()
    page.get_by_label("donderdag avond").check()
    assert_no_horizontal_overflow(page)
    if not javascript:
        screenshot(page, "intake-week-phone.png")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je gezondheid")
    page.get_by_role("button", name="Verder").click()  # no health remarks
    page.get_by_label("Zo snel mogelijk").check()
    page.get_by_label("Hoe graag wil je dit, van 1 tot 10?").fill("9")
    page.get_by_label("€ 150 tot € 300").check()
    page.get_by_role("button", name="Verder").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Jouw plan")
    expect(page.get_by_text("€ 1.295,00")).to_be_visible()
    expect(page.get_by_text("ongeveer € 468 per maand")).to_be_visible()  # they answered € 150 tot € 300
    assert page.url.endswith("/plan/")
    # With JavaScript every step after the first is swapped in by htmx; without it, each is a page of its own.
    assert len(full_loads) == (0 if javascript else 8), full_loads
    assert_no_horizontal_overflow(page)
    if not javascript:
        screenshot(page, "intake-plan-phone.png")
    response = IntakeResponse.objects.for_studio(cast.studio).get()
    assert response.completed_at is not None and response.temperature == "hot"
    assert response.answers["availability"] == ["ma_ochtend", "do_avond"]


def test_the_coach_sees_the_score_and_the_answers_on_the_lead(cast: Cast, new_page: NewPage) -> None:
    questionnaire_install(studio=cast.studio, kind="pt")
    visitor = new_page(viewport=PHONE, javascript=False)
    visitor.goto("/s/kracht-utrecht/intake/")
    visitor.get_by_label("Je voornaam (en achternaam)").fill("Bram Bos")
    visitor.get_by_label("E-mailadres").fill("bram@example.nl")
    visitor.get_by_label("Ja, Kracht Utrecht mag contact met mij opnemen").check()
    visitor.get_by_role("button", name="Verder").click()
    visitor.get_by_label("Afvallen en fitter worden").check()
    visitor.get_by_role("button", name="Verder").click()

    coach = new_page(viewport=PHONE)
    coach.goto("/app/login/")
    coach.get_by_label("E-mailadres").fill("youssef@kracht.nl")
    coach.get_by_label("Wachtwoord").fill(PASSWORD)
    coach.get_by_role("button", name="Inloggen").click()
    coach.goto("/app/kracht-utrecht/leads/")
    coach.locator(".lead-row__main", has_text="Bram Bos").click()
    expect(coach.get_by_text("Afvallen en fitter worden", exact=True)).to_be_visible()
    panel = coach.locator("#gesprek")
    expect(panel.get_by_text("+10 Wat wil je vooral bereiken? Afvallen en fitter worden")).to_be_visible()
    expect(panel.get_by_text("score 10")).to_be_visible()
    screenshot(coach, "intake-lead-for-the-coach-phone.png")
