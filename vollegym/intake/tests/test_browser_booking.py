"""The kennismakingsgesprek in Chromium: a prospect on a phone books it after the intake (of a studio and of the
agency, with and without JavaScript), gets the mail at a local SMTP server and moves it through the mailed link;
the coach sees the lead with its score, answers and booking, and records what came of the conversation.

Time stands still at BEFORE_SPRING (Wednesday 25 March 2026, 10:00 in Utrecht) so the free moments are always
the same; the live server runs in a thread of this process, so the frozen clock is its clock too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from playwright.sync_api import Locator, Page, expect

from vollegym.core.browser import DESKTOP, PHONE, assert_no_horizontal_overflow, follow, screenshot
from vollegym.core.mailserver import Inbox
from vollegym.core.testing import PASSWORD, Cast, run_tasks
from vollegym.intake import demo as intake_demo
from vollegym.intake.models import Booking, ConsultationType, IntakeResponse
from vollegym.intake.services import availability_set, booking_make, questionnaire_install
from vollegym.intake.tests.test_booking import BEFORE_SPRING, EVERY_DAY, local, make_kind, make_lead
from vollegym.intake.tests.test_public_intake import PT_ANSWERS, start, walk
from vollegym.leads.models import Lead, Stage
from vollegym.studios import demo as studios_demo
from vollegym.studios.models import Studio, User

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITE_URL = "https://app.vollegym.example"
# With 12 hours' notice the first free day is Thursday 26 March; the picker shows seven days from there.
FRIDAY = date(2026, 3, 27)  # winter time: 10:00 in Utrecht is 09:00 UTC
MONDAY = date(2026, 3, 30)  # the clocks went forward on Sunday: 11:00 in Utrecht is 09:00 UTC
JS = pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(BEFORE_SPRING, tick=False) as traveller:
        yield traveller


def bookable(studio: Studio, coach: User, **kind: object) -> ConsultationType:
    availability_set(studio=studio, coach=coach, windows=EVERY_DAY)  # 09:00-12:00 every day
    return make_kind(studio, **kind)


# ---- the prospect's steps --------------------------------------------------------------------------------


def next_step(page: Page, title: str) -> None:
    """Presses "Verder" and waits for the next step's page, so a quick second click never hits the old page."""
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def walk_pt_intake(page: Page, *, name: str, email: str) -> None:
    """The PT intake on its pages, from the contact step to the plan."""
    page.goto("/s/kracht-utrecht/intake/")
    page.get_by_label("Je voornaam (en achternaam)").fill(name)
    page.get_by_label("Telefoonnummer").fill("06 12345678")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Ja, Kracht Utrecht mag contact met mij opnemen").check()
    next_step(page, "Je doel")
    page.get_by_label("Sterker worden").check()
    next_step(page, "Waarom nu")
    page.get_by_label("Wat verandert er als het je lukt? Waarom nu?").fill("De bruiloft van mijn dochter")
    next_step(page, "Wat je al probeerde")
    page.get_by_label("Nog niets").check()
    page.get_by_label("Persoonlijke begeleiding en een plan").check()
    next_step(page, "Je week")
    page.get_by_label("maandag ochtend").check()
    next_step(page, "Je gezondheid")
    next_step(page, "Klaar om te beginnen?")  # no health remarks
    page.get_by_label("Zo snel mogelijk").check()
    page.get_by_label("Hoe graag wil je dit, van 1 tot 10?").fill("9")
    page.get_by_label("€ 150 tot € 300").check()
    next_step(page, "Jouw plan")


def walk_agency_intake(page: Page, *, name: str, email: str) -> None:
    """The agency's intake for studio owners, from the contact step to its proposal."""
    page.goto("/intake/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake voor studio-eigenaren")
    page.get_by_label("Je voornaam (en achternaam)").fill(name)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Ja, Volle Gym mag contact met mij opnemen over mijn studio.").check()
    next_step(page, "Je studio")
    page.get_by_label("Small group training").check()
    page.get_by_label("Naam en plaats van je studio").fill("Beweeg Amersfoort")
    page.get_by_label("Hoeveel leden of klanten heb je nu?").fill("80")
    next_step(page, "Je cijfers")
    page.get_by_label("Hoeveel plekken staan er per week open?").fill("12")
    page.get_by_label("Hoeveel aanvragen krijg je per maand?").fill("40")
    page.get_by_label("Binnen een paar dagen").check()
    next_step(page, "Je doel")
    page.get_by_label("Mijn groepen en agenda vol krijgen").check()
    page.get_by_label("Wat wil je over een jaar bereikt hebben?").fill("Elke week volle groepen")
    page.get_by_label("Zo snel mogelijk").check()
    next_step(page, "Ons voorstel voor je studio")


def pick(page: Page, day: str, at: str) -> None:
    """Checks the moment `at` ("10:00") of the day whose legend reads `day` ("vrijdag 27 maart")."""
    fieldset = page.locator(
        "fieldset.slots__day", has=page.locator("legend", has_text=re.compile(f"^{day}$"))
    )
    fieldset.get_by_label(at, exact=True).check()


def mails(smtp: Inbox, address: str, subject: str) -> list[EmailMessage]:
    return [m for m in smtp.to(address) if subject in str(m["Subject"])]


def invite_of(mail: EmailMessage) -> str:
    invites = [part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(invites) == 1, [part.get_content_type() for part in mail.iter_attachments()]
    content = invites[0].get_content()
    return str(content.decode() if isinstance(content, bytes) else content)


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None, "a mail without a text part"
    return str(body.get_content())


def mailed_link(mail: EmailMessage, slug: str) -> str:
    """The signed link in a mail's text, as the path to open on the live server."""
    text = text_of(mail)
    links = re.findall(rf"{re.escape(SITE_URL)}/s/{slug}/gesprek/\S+/", text)
    assert len(links) == 1, text
    return str(urlsplit(links[0]).path)


def book_pick_and_reschedule(
    page: Page, new_page: NewPage, smtp: Inbox, *, studio: Studio, email: str, javascript: bool, shots: bool
) -> Booking:
    """From the plan: pick nothing (refused), pick Friday 10:00, get the mail, move it to Monday 11:00 by its link."""
    slug, bookings = studio.slug, Booking.objects.for_studio(studio)
    expect(page.get_by_text("De volgende stap: een kennismakingsgesprek")).to_be_visible()
    follow(page, page.get_by_role("link", name="Kies een moment"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kies een moment voor je kennismakingsgesprek")
    expect(page.locator("fieldset.slots__day legend").first).to_have_text("donderdag 26 maart")
    assert_no_horizontal_overflow(page)
    if shots:
        screenshot(page, "booking-pick-phone.png")

    page.get_by_role("button", name="Plan het gesprek").click()  # nothing picked: a Dutch message, no booking
    expect(page.get_by_role("alert")).to_have_text("Kies een moment voor het gesprek.")
    assert not bookings.exists()
    assert_no_horizontal_overflow(page)
    if shots:
        screenshot(page, "booking-pick-error-phone.png")

    pick(page, "vrijdag 27 maart", "10:00")
    page.get_by_role("button", name="Plan het gesprek").click()
    expect(page).to_have_url(re.compile(rf"/s/{slug}/gesprek/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Je gesprek staat gepland")
    expect(page.locator(".booking__when")).to_have_text("vrijdag 27 maart om 10:00 tot 10:30")
    assert_no_horizontal_overflow(page)
    if shots:
        screenshot(page, "booking-confirmed-phone.png")
    booking = bookings.select_related("lead").get(person__email=email)
    assert booking.starts_at == local(FRIDAY, 10) == datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    assert booking.lead.stage == Stage.INTAKE_BOOKED

    run_tasks()
    (confirmation,) = mails(smtp, email, "staat gepland")
    assert str(confirmation["Subject"]) == "Je kennismakingsgesprek staat gepland: vrijdag 27 maart om 10:00"
    invite = invite_of(confirmation)
    assert "METHOD:REQUEST" in invite and "SEQUENCE:0" in invite
    assert "DTSTART:20260327T090000Z" in invite and "DTEND:20260327T093000Z" in invite
    link = mailed_link(confirmation, slug)

    # The link from the mail, opened on another device (no cookies of the intake).
    phone = new_page(viewport=PHONE, javascript=javascript)
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Je gesprek staat gepland")
    follow(phone, phone.get_by_role("link", name="Verzetten"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Je gesprek verzetten")
    expect(phone.locator(".lead strong")).to_have_text("vrijdag 27 maart om 10:00")
    pick(phone, "maandag 30 maart", "11:00")
    assert_no_horizontal_overflow(phone)
    if shots:
        screenshot(phone, "booking-reschedule-phone.png")
    phone.get_by_role("button", name="Verzet naar dit moment").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Je gesprek is verzet")
    expect(phone.locator(".booking__when")).to_have_text("maandag 30 maart om 11:00 tot 11:30")
    assert_no_horizontal_overflow(phone)
    if shots:
        screenshot(phone, "booking-moved-phone.png")
    booking.refresh_from_db()
    assert booking.starts_at == local(MONDAY, 11) == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert booking.sequence == 1 and booking.status == Booking.Status.BOOKED

    run_tasks()
    (moved,) = mails(smtp, email, "verzet")
    assert str(moved["Subject"]) == "Je kennismakingsgesprek is verzet: maandag 30 maart om 11:00"
    invite = invite_of(moved)
    assert "METHOD:REQUEST" in invite and "SEQUENCE:1" in invite
    assert "DTSTART:20260330T090000Z" in invite and "DTEND:20260330T093000Z" in invite
    assert mailed_link(moved, slug) == link  # the same page, wherever the conversation moves
    assert len(mails(smtp, email, "staat gepland")) == 1  # nothing sent twice
    return booking


# ---- journey 1 and 2: book after the intake, get the mail, move it ----------------------------------------


@JS
def test_a_prospect_on_a_phone_books_after_the_studio_intake_and_reschedules_through_the_mailed_link(
    cast: Cast, new_page: NewPage, smtp: Inbox, settings, frozen, javascript: bool
) -> None:
    settings.SITE_URL = SITE_URL
    questionnaire_install(studio=cast.studio, kind="pt")
    bookable(cast.studio, cast.coach, location="Oudegracht 100, Utrecht")
    page = new_page(viewport=PHONE, javascript=javascript)
    walk_pt_intake(page, name="Eva de Boer", email="eva@example.nl")
    # The ready-made offers stand for no program: the plan leaves the price to the conversation.
    expect(page.get_by_text("De prijs bespreekt je coach met je in het gesprek")).to_be_visible()
    plan = page.url

    booking = book_pick_and_reschedule(
        page, new_page, smtp, studio=cast.studio, email="eva@example.nl", javascript=javascript,
        shots=not javascript,
    )  # fmt: skip
    assert booking.coach == cast.coach and booking.studio == cast.studio
    assert booking.response == IntakeResponse.objects.for_studio(cast.studio).get()
    # The coach heard of both: a new conversation, then the move.
    assert len(mails(smtp, cast.coach.email, "Nieuw kennismakingsgesprek")) == 1
    assert len(mails(smtp, cast.coach.email, "Kennismakingsgesprek verzet")) == 1

    # Back on the plan, the prospect sees the conversation is planned instead of a second "Kies een moment".
    page.goto(plan)
    expect(page.get_by_role("link", name="Kies een moment")).to_have_count(0)
    follow(page, page.get_by_role("link", name="Bekijk of verzet het"))
    expect(page.locator(".booking__when")).to_have_text("maandag 30 maart om 11:00 tot 11:30")
    page.goto(
        plan.removesuffix("plan/") + "gesprek/"
    )  # the picker again: straight to the planned conversation
    expect(page.get_by_role("heading", level=1)).to_have_text("Je gesprek staat gepland")


@JS
def test_a_studio_owner_on_a_phone_books_a_video_call_after_the_agency_intake(
    new_page: NewPage, smtp: Inbox, settings, frozen, javascript: bool
) -> None:
    """On the demo's own data: the agency's proposal, then a moment in the agency owner's hours (issue 10, 11)."""
    settings.SITE_URL = SITE_URL
    studios_demo.load()
    intake_demo.load()
    agency = Studio.objects.get(slug="volle-gym")
    page = new_page(viewport=PHONE, javascript=javascript)
    walk_agency_intake(page, name="Mark Smit", email="mark@beweeg.nl")
    proposal = page.locator("section.offer")
    expect(proposal.get_by_role("heading", level=2)).to_have_text("Volle groepen")
    expect(proposal).to_contain_text("Een traject van 12 weken")
    expect(proposal).to_contain_text("De prijs bespreken we in het gesprek")
    assert_no_horizontal_overflow(page)
    plan = page.url
    if not javascript:
        screenshot(page, "booking-agency-plan-phone.png")
        picker = f"{plan.removesuffix('plan/')}gesprek/"
        for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
            other = new_page(viewport=viewport, javascript=False)
            other.goto(plan)
            if viewport is DESKTOP:
                screenshot(other, "booking-agency-plan-desktop.png")
            other.goto(picker)
            expect(other.get_by_text("Kennismaken met Volle Gym: 30 minuten.")).to_be_visible()
            assert_no_horizontal_overflow(other)
            screenshot(other, f"booking-agency-pick-{name}.png")

    booking = book_pick_and_reschedule(
        page, new_page, smtp, studio=agency, email="mark@beweeg.nl", javascript=javascript, shots=False
    )
    assert booking.studio == agency and booking.coach.email == studios_demo.AGENCY_EMAIL
    assert booking.lead == Lead.objects.for_studio(agency).get()
    (confirmation,) = mails(smtp, "mark@beweeg.nl", "staat gepland")
    assert f"Videogesprek: {intake_demo.AGENCY_VIDEO_LINK}" in text_of(confirmation)
    link = mailed_link(confirmation, "volle-gym")
    page.goto(link)
    expect(page.get_by_role("link", name=intake_demo.AGENCY_VIDEO_LINK)).to_be_visible()
    assert_no_horizontal_overflow(page)
    if not javascript:
        screenshot(page, "booking-agency-booked-phone.png")


# ---- journey 3: the coach records what came of it -----------------------------------------------------------


def log_in(page: Page, email: str) -> None:
    page.goto("/app/login/")
    page.get_by_label("E-mailadres", exact=True).fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/app/kracht-utrecht/$"))


def booking_row(page: Page, text: str) -> Locator:
    return page.locator(".booking-row", has_text=text)


def test_the_coach_sees_the_lead_with_its_booking_and_records_won_lost_and_no_show(
    cast: Cast, new_page: NewPage, frozen
) -> None:
    questionnaire_install(studio=cast.studio, kind="pt")
    kind = bookable(cast.studio, cast.coach)
    # Eva did the intake (through the pages, by the test client) and booked Friday 10:00; two others booked by phone.
    walk(Client(), start(Client())["Location"], PT_ANSWERS)
    response = IntakeResponse.objects.for_studio(cast.studio).select_related("lead").get()
    eva = response.lead
    booking_make(lead=eva, kind=kind, starts_at=local(FRIDAY, 10), response=response)
    tom, ilse, noor = (make_lead(cast.studio, name) for name in ("Tom Bakker", "Ilse Jansen", "Noor Visser"))
    booking_make(lead=tom, kind=kind, starts_at=local(FRIDAY, 9))
    booking_make(lead=ilse, kind=kind, starts_at=local(FRIDAY, 11))
    booking_make(lead=noor, kind=kind, starts_at=local(MONDAY, 10))  # still ahead: nothing to record yet

    frozen.move_to(local(FRIDAY, 13))  # after the three of Friday morning

    desk = new_page(viewport=DESKTOP)
    log_in(desk, "youssef@kracht.nl")
    desk.goto("/app/kracht-utrecht/leads/")
    follow(desk, desk.locator(".lead-row__main", has_text="Eva de Boer"))
    expect(desk.get_by_role("heading", level=1)).to_have_text("Eva de Boer")
    panel = desk.locator("#gesprek")
    expect(panel.locator(".temperature")).to_have_text("Heet")
    expect(panel).to_contain_text(f"score {response.score}")
    expect(panel.locator(".reasons li").first).to_be_visible()
    for reason in response.reasons:
        expect(panel.locator(".reasons")).to_contain_text(reason)
    expect(desk.get_by_text("Weer zware boodschappen tillen zonder rugpijn")).to_be_visible()  # an answer
    expect(desk.get_by_text("Onderrug", exact=True)).to_be_visible()  # the health note
    expect(booking_row(desk, "vrijdag 27 maart 10:00")).to_contain_text("Kennismaking in de studio")
    expect(panel.get_by_role("button", name="Verschenen", exact=True)).to_be_visible()
    assert_no_horizontal_overflow(desk)
    screenshot(desk, "booking-coach-lead-desktop.png")

    # On the phone after the conversation: showed, then won.
    phone = new_page(viewport=PHONE)
    log_in(phone, "youssef@kracht.nl")
    phone.goto(f"/app/kracht-utrecht/leads/{eva.pk}/")
    phone.locator("#gesprek").get_by_role("button", name="Verschenen", exact=True).click()
    expect(phone.get_by_text("Vastgelegd voor Eva de Boer")).to_be_visible()
    eva.refresh_from_db()
    assert eva.stage == Stage.INTAKE_HELD
    phone.get_by_label("Gewonnen: klaar om in te schrijven").check()
    assert_no_horizontal_overflow(phone)
    screenshot(phone, "booking-coach-record-phone.png")
    phone.get_by_role("button", name="Uitkomst vastleggen").click()
    expect(phone.locator("#gesprek .booking__result")).to_have_text(
        re.compile(r"^Verschenen · Gewonnen: klaar om in te schrijven")
    )
    expect(phone.locator("main .lead").first).to_contain_text("Gewonnen")
    assert_no_horizontal_overflow(phone)
    screenshot(phone, "booking-coach-recorded-phone.png")
    eva.refresh_from_db()
    booking = Booking.objects.for_studio(cast.studio).get(lead=eva)
    assert eva.stage == Stage.WON
    assert booking.status == Booking.Status.SHOWED and booking.outcome == Booking.Outcome.WON
    assert booking.recorded_by == cast.coach

    # The list of conversations: Tom and Ilse still to record, Noor planned.
    desk.goto("/app/kracht-utrecht/gesprekken/")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Kennismakingsgesprekken")
    to_record = desk.locator("section", has=desk.get_by_role("heading", name="Nog vastleggen"))
    expect(to_record.locator(".booking-row")).to_have_count(2)
    expect(to_record).not_to_contain_text("Eva de Boer")
    expect(desk.locator("table")).to_contain_text("Noor Visser")
    assert_no_horizontal_overflow(desk)
    screenshot(desk, "consultations-list-desktop.png")

    booking_row(desk, "Tom Bakker").get_by_role("button", name="Verschenen", exact=True).click()
    expect(desk.get_by_text("Vastgelegd voor Tom Bakker")).to_be_visible()
    tom_row = booking_row(desk, "Tom Bakker")
    tom_row.get_by_label("Verloren", exact=True).check()
    tom_row.get_by_role("button", name="Uitkomst vastleggen").click()  # no reason: refused in Dutch
    expect(desk.get_by_text("Geef een reden op waarom het niet doorgaat.")).to_be_visible()
    screenshot(desk, "consultations-lost-without-reason-desktop.png")
    tom.refresh_from_db()
    assert tom.stage == Stage.INTAKE_HELD
    tom_row = booking_row(desk, "Tom Bakker")
    tom_row.get_by_label("Verloren", exact=True).check()
    tom_row.get_by_label("Reden (bij verloren)").fill("Te duur voor nu")
    tom_row.get_by_role("button", name="Uitkomst vastleggen").click()
    expect(desk.get_by_text("Vastgelegd voor Tom Bakker")).to_be_visible()
    booking_row(desk, "Ilse Jansen").get_by_role("button", name="Niet verschenen").click()
    expect(desk.get_by_text("Vastgelegd voor Ilse Jansen")).to_be_visible()
    expect(desk.get_by_role("heading", name="Nog vastleggen")).to_have_count(0)
    assert_no_horizontal_overflow(desk)
    screenshot(desk, "consultations-recorded-desktop.png")

    tom.refresh_from_db()
    ilse.refresh_from_db()
    assert tom.stage == Stage.LOST and ilse.stage == Stage.NO_SHOW
    lost = Booking.objects.for_studio(cast.studio).get(lead=tom)
    assert lost.outcome == Booking.Outcome.LOST and lost.lost_reason == "Te duur voor nu"
    assert Booking.objects.for_studio(cast.studio).get(lead=ilse).status == Booking.Status.NO_SHOW
    assert Booking.objects.for_studio(cast.studio).get(lead=noor).status == Booking.Status.BOOKED
    desk.goto(f"/app/kracht-utrecht/leads/{tom.pk}/")
    expect(desk.locator("#gesprek .booking__result")).to_contain_text("Verloren: Te duur voor nu")
