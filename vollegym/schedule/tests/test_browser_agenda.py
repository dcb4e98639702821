"""The small-group agenda in Chromium: two members on their phones and the last mat of a class (one books
it, the other waits, the first cancels, the second is promoted and mailed), a member too late to cancel, and a
coach who marks attendance on a phone (with and without JavaScript).

Members come in as members do: they ask for a link at /s/<studio>/leden/, the worker sends it to a local SMTP
server, and the browser opens the link from the mail. Time stands still at Monday 2 March 2026, 08:00 in
Utrecht; the class is on Tuesday 3 March at 07:00, 23 hours later, so a member may still cancel (the studio
allows it up to 12 hours before). The live server runs in a thread of this process, so it shares that clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect

from vollegym.core.browser import DESKTOP, PHONE, assert_no_horizontal_overflow, follow, screenshot
from vollegym.core.mailserver import Inbox
from vollegym.core.testing import Cast, run_tasks
from vollegym.intake.tests.test_browser_booking import log_in
from vollegym.messaging.models import Message
from vollegym.programs.models import Enrolment, Member
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_lead, make_program
from vollegym.schedule.models import ClassSession, ClassTemplate, SessionBooking, WaitlistEntry
from vollegym.schedule.services import session_book, sessions_generate, waitlist_join
from vollegym.studios.models import Studio, User

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITE_URL = "https://app.vollegym.example"
LOGIN = "/s/kracht-utrecht/leden/"
HOME = "/s/kracht-utrecht/leden/rooster/"
WEEK = "/app/kracht-utrecht/rooster/"
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 08:00 in Utrecht (winter time)
CLASS_STARTS = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # Tuesday 07:00 in Utrecht
WHEN = "dinsdag 3 maart om 07:00"
TOO_LATE = "Online afmelden kan tot 12 uur voor de les. Neem contact op met de studio."
JS = pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])


@pytest.fixture
def frozen(settings) -> Iterator[time_machine.Traveller]:
    settings.SITE_URL = SITE_URL  # the links in mails are absolute; the browser opens their path here
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


# ---- the studio's side, made through the services ----------------------------------------------------------


def enrol(studio: Studio, *names: str) -> list[Member]:
    """Members of a small-group program from today (only they may book); their e-mail is first@example.nl."""
    program = make_program(studio, format="small_group", name="Small group 12 weken")
    for name in names:
        enrolment_create(lead=make_lead(studio, name), program=program, starts_on=date(2026, 3, 2), by=None)
    return [Member.objects.for_studio(studio).get(person__name=name) for name in names]


def tuesday_class(studio: Studio, coach: User, *, capacity: int) -> ClassSession:
    """Kracht & conditie on Tuesdays at 07:00 with the coach; its one session this week (3 March)."""
    ClassTemplate.objects.create(
        studio=studio, name="Kracht & conditie", weekday=1, starts=time(7, 0), capacity=capacity, coach=coach,
        room="Zaal 1",
    )  # fmt: skip
    sessions_generate(studio=studio, weeks=1)
    (session,) = ClassSession.objects.for_studio(studio)
    assert session.starts_at == CLASS_STARTS
    return session


# ---- the member's side -------------------------------------------------------------------------------------


def mails(smtp: Inbox, address: str, subject: str) -> list[EmailMessage]:
    return [m for m in smtp.to(address) if str(m["Subject"]).startswith(subject)]


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None, "a mail without a text part"
    return str(body.get_content())


def sign_in(page: Page, smtp: Inbox, email: str, *, shot: str = "") -> None:
    """Asks for a link like a member does, gets it from the mail at the SMTP server and opens it."""
    page.goto(LOGIN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn rooster")
    page.get_by_label("Je e-mailadres").fill(email)
    assert_no_horizontal_overflow(page)
    if shot:
        screenshot(page, shot)
    page.get_by_role("button", name="Stuur me een link").click()
    expect(page.get_by_role("status")).to_contain_text("Kijk in je mail")
    run_tasks()
    (mail,) = mails(smtp, email, "Je rooster bij Kracht Utrecht")
    links = re.findall(rf"{re.escape(SITE_URL)}/s/kracht-utrecht/leden/in/\S+/", text_of(mail))
    assert len(links) == 1, text_of(mail)
    page.goto(urlsplit(links[0]).path)
    expect(page).to_have_url(re.compile(f"{re.escape(HOME)}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hoi {email.split('@')[0].title()}")


def row(page: Page, session: ClassSession) -> Locator:
    return page.locator(f"#les-{session.pk}")


def press(page: Page, session: ClassSession, button: str) -> None:
    """Presses a button of the session's row and waits for the page that answers."""
    with page.expect_navigation():
        row(page, session).get_by_role("button", name=button, exact=True).click()


def expect_row(page: Page, session: ClassSession, state: str, button: str | None) -> None:
    """The session's row reads `state` and offers `button` (None: no button at all)."""
    expect(row(page, session).locator("small").last).to_have_text(state)
    buttons = row(page, session).get_by_role("button")
    if button is None:
        expect(buttons).to_have_count(0)
    else:
        expect(buttons).to_have_count(1)
        expect(buttons).to_have_text(button)


# ---- journey 1: the last mat, the waitlist, the promotion --------------------------------------------------


@JS
def test_two_members_and_the_last_mat(
    cast: Cast, new_page: NewPage, smtp: Inbox, frozen: time_machine.Traveller, javascript: bool
) -> None:
    shots = javascript  # the member area has no scripts of its own: the pages look the same either way
    eva, noor, tom = enrol(cast.studio, "Eva de Boer", "Noor Visser", "Tom Bakker")
    session = tuesday_class(cast.studio, cast.coach, capacity=2)
    session_book(session=session, member=tom)  # one of the two mats is taken already

    # Eva asks for her link, opens it from the mail and books the last mat.
    eva_phone = new_page(viewport=PHONE, javascript=javascript)
    sign_in(eva_phone, smtp, "eva@example.nl", shot="member-login-phone.png" if shots else "")
    expect(eva_phone.locator(".lead")).to_have_text(
        "Small group 12 weken · loopt tot 24 mei 2026 · 0 van 24 trainingen gedaan"
    )
    expect(eva_phone.get_by_role("heading", level=2)).to_have_text(["Dinsdag 3 maart"])
    expect(row(eva_phone, session)).to_contain_text("07:00 Kracht & conditie")
    expect_row(eva_phone, session, "1 van 2 plekken vrij", "Boek")
    press(eva_phone, session, "Boek")
    expect(eva_phone).to_have_url(re.compile(f"{re.escape(HOME)}#les-{session.pk}$"))
    expect_row(eva_phone, session, "Je staat erbij", "Afmelden")
    assert_no_horizontal_overflow(eva_phone)
    if shots:
        screenshot(eva_phone, "member-agenda-phone.png")
    session.refresh_from_db()
    assert session.booked == session.capacity == 2

    # Noor, on her own phone, finds the class full and gets in line.
    noor_phone = new_page(viewport=PHONE, javascript=javascript)
    sign_in(noor_phone, smtp, "noor@example.nl")
    expect_row(noor_phone, session, "Vol", "Op de wachtlijst")
    press(noor_phone, session, "Op de wachtlijst")
    expect_row(noor_phone, session, "Wachtlijst: je bent nummer 1", "Van de wachtlijst")
    assert_no_horizontal_overflow(noor_phone)
    if shots:
        screenshot(noor_phone, "member-waitlist-phone.png")
    entry = WaitlistEntry.objects.for_studio(cast.studio).get(session=session)
    assert entry.member == noor and entry.status == WaitlistEntry.Status.WAITING

    # Eva cannot come after all and cancels in good time (23 hours ahead): the mat goes straight to Noor.
    press(eva_phone, session, "Afmelden")
    expect_row(eva_phone, session, "Vol", "Op de wachtlijst")
    run_tasks()

    noor_phone.reload()
    expect_row(noor_phone, session, "Je staat erbij", "Afmelden")
    expect(row(noor_phone, session)).to_have_class(re.compile(r"\bis-mine\b"))
    assert_no_horizontal_overflow(noor_phone)
    if shots:
        screenshot(noor_phone, "member-promoted-phone.png")
    (told,) = mails(smtp, "noor@example.nl", "Er is plek:")
    assert str(told["Subject"]) == f"Er is plek: Kracht & conditie, {WHEN}"
    text = text_of(told)
    # the mail signs her straight in: no second mail needed on another device
    assert text.startswith("Hoi Noor,") and f"{SITE_URL}{LOGIN}in/" in text
    assert mails(smtp, "eva@example.nl", "Er is plek:") == []

    session.refresh_from_db()
    assert session.booked == session.capacity == 2
    holders = SessionBooking.objects.for_studio(cast.studio).filter(
        session=session, status=SessionBooking.Status.BOOKED
    )
    assert {b.member for b in holders} == {tom, noor}
    assert holders.get(member=noor).via == SessionBooking.Via.WAITLIST
    cancelled = SessionBooking.objects.for_studio(cast.studio).get(session=session, member=eva)
    assert cancelled.status == SessionBooking.Status.CANCELLED and cancelled.cancelled_at == MONDAY
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.PROMOTED and entry.promoted_at == MONDAY


# ---- a member too late to cancel ---------------------------------------------------------------------------


def test_a_member_cannot_cancel_inside_the_window(
    cast: Cast, new_page: NewPage, smtp: Inbox, frozen: time_machine.Traveller
) -> None:
    eva, noor = enrol(cast.studio, "Eva de Boer", "Noor Visser")
    session = tuesday_class(cast.studio, cast.coach, capacity=1)
    booking = session_book(session=session, member=eva)
    entry = waitlist_join(session=session, member=noor)

    page = new_page(viewport=PHONE, javascript=False)
    sign_in(page, smtp, "eva@example.nl")
    expect_row(page, session, "Je staat erbij", "Afmelden")
    expect(page.locator(".help").first).to_have_text(
        "Online afmelden kan tot 12 uur voor de les. Later afmelden gaat via de studio."
    )

    # The page stays open on her phone; she presses "Afmelden" at 19:30, 11½ hours before the class.
    frozen.move_to(CLASS_STARTS - timedelta(hours=11, minutes=30))
    row(page, session).get_by_role("button", name="Afmelden").click()
    expect(page.get_by_role("alert").first).to_have_text(TOO_LATE)
    expect_row(page, session, "Je staat erbij", None)  # and no "Afmelden" any more
    assert_no_horizontal_overflow(page)
    screenshot(page, "member-cancel-too-late-phone.png")

    booking.refresh_from_db()
    session.refresh_from_db()
    entry.refresh_from_db()
    assert booking.status == SessionBooking.Status.BOOKED and booking.cancelled_at is None
    assert session.booked == session.capacity == 1
    assert entry.status == WaitlistEntry.Status.WAITING
    assert not Message.objects.for_studio(cast.studio).filter(purpose="agenda").exists()
    run_tasks()
    assert mails(smtp, "noor@example.nl", "Er is plek:") == []

    page.goto(HOME)  # later, the page as it is now: still her mat, no button to cancel
    expect_row(page, session, "Je staat erbij", None)
    expect(page.get_by_role("alert")).to_have_count(0)


# ---- journey 2: the coach marks attendance on a phone ------------------------------------------------------


def attendee(page: Page, name: str) -> Locator:
    return page.locator(".attendee", has_text=name)


def expect_marked(page: Page, name: str, *, attended: bool) -> None:
    pressed, other = ("Aanwezig", "Niet gekomen") if attended else ("Niet gekomen", "Aanwezig")
    expect(attendee(page, name).get_by_role("button", name=pressed)).to_have_attribute("aria-pressed", "true")
    expect(attendee(page, name).get_by_role("button", name=other)).to_have_attribute("aria-pressed", "false")


def mark(page: Page, name: str, button: str, *, javascript: bool) -> None:
    """Taps a mark in a member's row; without JavaScript it waits for the page that answers to have loaded."""
    target = attendee(page, name).get_by_role("button", name=button)
    if javascript:
        target.click()
    else:
        with page.expect_navigation():
            target.click()


def settle(page: Page, done: Callable[[], bool]) -> None:
    """Lets the browser's events arrive (at most two seconds) until `done()` holds."""
    for _ in range(20):
        if done():
            return
        page.wait_for_timeout(100)


@JS
def test_a_coach_marks_attendance_on_a_phone(
    cast: Cast, new_page: NewPage, frozen: time_machine.Traveller, javascript: bool
) -> None:
    shots = javascript
    eva, noor, tom = enrol(cast.studio, "Eva de Boer", "Noor Visser", "Tom Bakker")
    session = tuesday_class(cast.studio, cast.coach, capacity=4)
    for member in (eva, noor, tom):
        session_book(session=session, member=member)
    frozen.move_to(CLASS_STARTS + timedelta(minutes=5))  # the class has just begun

    phone = new_page(viewport=PHONE, javascript=javascript)
    log_in(phone, cast.coach.email)
    phone.goto(WEEK)
    expect(phone.locator(".week-nav strong")).to_have_text("Week van 2 maart")
    card = phone.locator(".session-card", has_text="Kracht & conditie")
    expect(card).to_have_count(1)
    expect(card.locator(".session-card__time")).to_have_text("07:00")
    expect(card.locator(".session-card__fill")).to_have_text("3/4")
    expect(phone.locator(".agenda__day.is-today h2")).to_have_text("Dinsdag 3 mrt")
    assert_no_horizontal_overflow(phone)
    if shots:
        screenshot(phone, "agenda-week-phone.png")

    follow(phone, card)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kracht & conditie")
    expect(phone.get_by_role("heading", name="3 van 4 matten")).to_be_visible()
    expect(phone.locator(".attendee")).to_have_count(3)
    loads: list[str] = []
    phone.on("load", lambda loaded: loads.append(loaded.url))
    phone.evaluate("() => { window.notReloaded = true; }")  # gone with the document after a full page load

    mark(phone, "Eva de Boer", "Aanwezig", javascript=javascript)
    expect_marked(phone, "Eva de Boer", attended=True)
    mark(phone, "Tom Bakker", "Niet gekomen", javascript=javascript)
    expect_marked(phone, "Tom Bakker", attended=False)
    for button in ("Aanwezig", "Niet gekomen"):
        expect(attendee(phone, "Noor Visser").get_by_role("button", name=button)).to_have_attribute(
            "aria-pressed", "false"
        )
    # With JavaScript htmx swaps the one row; without it each mark is a page of its own (post, redirect).
    settle(phone, lambda: len(loads) >= (0 if javascript else 2))
    assert len(loads) == (0 if javascript else 2), loads
    assert phone.evaluate("() => window.notReloaded === true") is javascript
    assert urlsplit(phone.url).path == f"{WEEK}les/{session.pk}/"
    assert_no_horizontal_overflow(phone)
    if shots:
        screenshot(phone, "agenda-attendance-phone.png")

    statuses = dict(
        SessionBooking.objects.for_studio(cast.studio)
        .filter(session=session)
        .values_list("member__person__name", "status")
    )
    assert statuses == {"Eva de Boer": "attended", "Tom Bakker": "no_show", "Noor Visser": "booked"}
    marked = SessionBooking.objects.for_studio(cast.studio).get(session=session, member=eva)
    assert marked.marked_by == cast.coach
    used = dict(
        Enrolment.objects.for_studio(cast.studio).values_list("member__person__name", "sessions_used")
    )
    assert used == {"Eva de Boer": 1, "Tom Bakker": 0, "Noor Visser": 0}

    # After a reload the marks are still there.
    phone.reload()
    expect_marked(phone, "Eva de Boer", attended=True)
    expect_marked(phone, "Tom Bakker", attended=False)

    if shots:  # the same week on the studio's desk
        desk = new_page(viewport=DESKTOP, javascript=javascript)
        log_in(desk, cast.coach.email)
        desk.goto(WEEK)
        expect(desk.locator(".session-card", has_text="Kracht & conditie")).to_be_visible()
        assert_no_horizontal_overflow(desk)
        screenshot(desk, "agenda-week-desktop.png")
