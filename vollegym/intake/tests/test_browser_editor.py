"""The intake editor in Chromium, without JavaScript: an owner on a phone adds a question with its answers, moves
it, adds and removes an answer, is told in Dutch what a choice question needs, removes the question after being
asked, and looks at the intake as a prospect sees it, which stores nothing. Screens on a phone and a desktop."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect

from vollegym.core.browser import (
    DESKTOP,
    PHONE,
    SCREENS_DIR,
    assert_no_horizontal_overflow,
    csp_violations,
    follow,
    screenshot,
)
from vollegym.core.testing import PASSWORD, Cast
from vollegym.intake.models import IntakeResponse, QuestionnaireVersion
from vollegym.intake.selectors import current_version
from vollegym.intake.services import questionnaire_install
from vollegym.leads.models import Lead
from vollegym.people.models import ConsentEntry

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def screen(page: Page, name: str, *, height: int | None = None) -> None:
    """The top of a long page (the whole editor on a phone is ten screens long): the first screen, or `height`."""
    size = page.viewport_size
    assert size is not None
    clip = {"x": 0, "y": 0, "width": size["width"], "height": height or size["height"]}
    page.screenshot(path=SCREENS_DIR / name, full_page=True, clip=clip, animations="disabled")  # type: ignore[arg-type]


def log_in(page: Page, email: str) -> None:
    page.goto("/app/login/")
    page.get_by_label("E-mailadres", exact=True).fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/app/kracht-utrecht/$"))


def step_panel(page: Page, title: str) -> Locator:
    return page.locator("section.editor-step", has=page.get_by_role("heading", name=title, exact=True))


def labels_of(page: Page, title: str) -> list[str]:
    return step_panel(page, title).locator(".editor-question__label").all_inner_texts()


def test_an_owner_on_a_phone_edits_the_questions_and_previews_the_intake(
    cast: Cast, new_page: NewPage
) -> None:
    questionnaire_install(studio=cast.studio, kind="pt")
    page = new_page(viewport=PHONE, javascript=False)
    violations = csp_violations(page)
    log_in(page, cast.owner.email)
    page.goto("/app/kracht-utrecht/intake/")
    follow(page, page.get_by_role("link", name="Vragen bewerken"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vragen en volgorde")
    assert_no_horizontal_overflow(page)
    screen(page, "intake-editor-phone.png")

    # A choice question with one answer: the service's reason, at the form, and what was typed is still there.
    why = step_panel(page, "Stap 3: Waarom nu")
    why.locator("summary", has_text="Vraag toevoegen aan deze stap").click()
    why.get_by_label("Vraag", exact=True).fill("Wat wil je het eerst merken?")
    why.get_by_label("Soort vraag").select_option(label="Eén antwoord kiezen")
    why.get_by_label("Antwoorden, één per regel").fill("Meer energie")
    why.get_by_role("button", name="Vraag toevoegen").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "Een keuzevraag heeft minstens twee antwoorden nodig."
    )
    why = step_panel(page, "Stap 3: Waarom nu")
    expect(why.get_by_label("Vraag", exact=True)).to_have_value("Wat wil je het eerst merken?")
    assert_no_horizontal_overflow(page)
    # The page opens at the form (its address ends in #stap-why), where the reason stands at the field.
    expect(why.locator(".errorlist")).to_have_text("Een keuzevraag heeft minstens twee antwoorden nodig.")
    assert page.evaluate("window.scrollY") > 0
    why.screenshot(path=SCREENS_DIR / "intake-editor-error-phone.png", animations="disabled")

    why.get_by_label("Antwoorden, één per regel").fill("Meer energie\nBeter slapen\nMinder pijn")
    why.get_by_role("button", name="Vraag toevoegen").click()
    expect(page.get_by_text("Versie 2 staat online.")).to_be_visible()
    assert labels_of(page, "Stap 3: Waarom nu") == ["Wat verandert er als het je lukt? Waarom nu?",
                                                   "Wat wil je het eerst merken?"]  # fmt: skip

    page.get_by_role("button", name="Omhoog: Wat wil je het eerst merken?").click()
    expect(page.get_by_text("Versie 3 staat online.")).to_be_visible()
    assert labels_of(page, "Stap 3: Waarom nu")[0] == "Wat wil je het eerst merken?"

    question = page.locator(".editor-question", has_text="Wat wil je het eerst merken?")
    question.locator("summary", has_text="Antwoord toevoegen").click()
    question.get_by_label("Nieuw antwoord").fill("Sterker in mijn werk")
    question.get_by_label("Punten").fill("5")
    question.get_by_role("button", name="Antwoord toevoegen").click()
    expect(page.get_by_text("Versie 4 staat online.")).to_be_visible()
    question = page.locator(".editor-question", has_text="Wat wil je het eerst merken?")
    expect(question.locator(".editor-option__label").last).to_contain_text("Sterker in mijn werk 5 punten")
    question.get_by_role("button", name="Antwoord verwijderen: Minder pijn").click()
    expect(page.get_by_text("Versie 5 staat online.")).to_be_visible()
    question = page.locator(".editor-question", has_text="Wat wil je het eerst merken?")
    expect(question.locator(".editor-option__label")).to_have_count(3)
    step_panel(page, "Stap 3: Waarom nu").screenshot(
        path=SCREENS_DIR / "intake-editor-changed-phone.png", animations="disabled"
    )

    # The health consent has no remove button; the question the owner added goes after a question.
    consent = page.locator(".editor-question", has_text="mijn antwoorden over mijn gezondheid bewaren")
    expect(consent.get_by_text("Wettelijk nodig")).to_be_visible()
    expect(consent.get_by_role("link", name=re.compile("Verwijderen"))).to_have_count(0)
    follow(page, question.get_by_role("link", name=re.compile("^Verwijderen")))
    expect(page.get_by_text("Wie de intake al invulde, houdt zijn antwoord")).to_be_visible()
    page.get_by_role("button", name="Ja, verwijder deze vraag").click()
    expect(page.get_by_text("Versie 6 staat online.")).to_be_visible()
    assert labels_of(page, "Stap 3: Waarom nu") == ["Wat verandert er als het je lukt? Waarom nu?"]
    assert QuestionnaireVersion.objects.for_studio(cast.studio).count() == 6

    # The preview: the prospect's pages with a banner; walking it leaves no lead, consent or answers.
    follow(page, page.get_by_role("link", name="Bekijk als nieuwe lead"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake personal training")
    expect(page.get_by_role("note").first).to_contain_text("Er wordt niets opgeslagen")
    assert_no_horizontal_overflow(page)
    screenshot(page, "intake-preview-phone.png")
    page.get_by_label("Je voornaam (en achternaam)").fill("Test Eigenaar")
    page.get_by_label("E-mailadres").fill("test@kracht.nl")
    page.get_by_label("Ja, Kracht Utrecht mag contact met mij opnemen").check()
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je doel")
    expect(page.get_by_text("Stap 2 van 8")).to_be_visible()
    assert not Lead.objects.for_studio(cast.studio).exists()
    assert not ConsentEntry.objects.for_studio(cast.studio).exists()
    assert not IntakeResponse.objects.for_studio(cast.studio).exists()
    follow(page, page.get_by_role("link", name="Terug naar de vragen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vragen en volgorde")
    assert violations == []

    desktop = new_page(viewport=DESKTOP, javascript=False)
    log_in(desktop, cast.owner.email)
    desktop.goto("/app/kracht-utrecht/intake/vragen/")
    assert_no_horizontal_overflow(desktop)
    screen(desktop, "intake-editor-desktop.png", height=1500)
    desktop.goto("/app/kracht-utrecht/intake/bewerken/")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Teksten, punten en plan")
    assert_no_horizontal_overflow(desktop)
    screen(desktop, "intake-editor-texts-desktop.png", height=1500)
    desktop.goto("/app/kracht-utrecht/intake/voorbeeld/")
    screenshot(desktop, "intake-preview-desktop.png")
    version = current_version(cast.studio)
    assert version is not None and version.number == 6
