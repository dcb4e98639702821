"""Renewals and endings in Chromium, on a phone: a member pauses (their class in the pause goes to who waits) and
then cancels, both from their own pages, and gets the mails; the coach sees it on the member's page; a coach plans
a renewal conversation from the tasks page and records that the member renews.

Time stands still at Monday 2 March 2026, 08:00 in Utrecht (the agenda journey's clock); the member signs in as
members do, by the link in the mail from the local SMTP server.
"""

from __future__ import annotations

from datetime import date, time

import pytest
import time_machine
from playwright.sync_api import Page, expect

from vollegym.core.browser import DESKTOP, PHONE, LayoutReport, screenshot
from vollegym.core.mailserver import Inbox
from vollegym.core.testing import Cast, run_tasks
from vollegym.intake.tests.test_browser_booking import log_in
from vollegym.programs.models import Cancellation, Enrolment, Pause, RenewalTalk
from vollegym.programs.renewals import renewal_talks_plan
from vollegym.programs.tests.endings_kit import program
from vollegym.schedule.models import ClassSession, ClassTemplate, SessionBooking
from vollegym.schedule.services import session_book, sessions_generate, waitlist_join
from vollegym.schedule.tests.test_browser_agenda import enrol, frozen, mails, sign_in, text_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["frozen"]  # the agenda journey's clock, used as a fixture here

HOME = "/s/kracht-utrecht/leden/rooster/"


def big_enough(page: Page, selector: str) -> None:
    """Every one of these can be hit with a thumb: at least 44 px high."""
    for box in page.locator(selector).all():
        found = box.bounding_box()
        assert found is not None and found["height"] >= 44, f"{selector} is {found} on {page.url}"


def test_a_member_pauses_and_cancels_on_a_phone(
    cast: Cast, new_page, smtp: Inbox, frozen: time_machine.Traveller
) -> None:
    layout = LayoutReport()
    eva, tom = enrol(cast.studio, "Eva de Boer", "Tom Bakker")
    ClassTemplate.objects.create(
        studio=cast.studio,
        name="Kracht & conditie",
        weekday=1,
        starts=time(7, 0),
        capacity=1,
        coach=cast.coach,
    )
    sessions_generate(studio=cast.studio, weeks=2)
    first, second = ClassSession.objects.for_studio(cast.studio).order_by("starts_at")  # 3 and 10 March
    session_book(session=second, member=eva)
    waitlist_join(session=second, member=tom)

    page = new_page(viewport=PHONE, javascript=False)
    sign_in(page, smtp, "eva@example.nl")
    manage = page.locator(".member__manage")
    expect(manage.get_by_role("link")).to_have_text(["Lidmaatschap", "Pauzeren", "Opzeggen"])
    big_enough(page, ".member__manage a")
    layout.check(page)
    screenshot(page, "endings-member-agenda-phone.png")

    # Pause: two taps and a form.
    manage.get_by_role("link", name="Pauzeren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pauzeren")
    page.get_by_label("Pauze vanaf").fill("9-3-2026")
    page.get_by_label("Tot en met").fill("15-3-2026")
    page.get_by_label("Waarom (mag leeg)").fill("Skivakantie")
    layout.check(page)
    screenshot(page, "endings-pause-phone.png")
    page.get_by_role("button", name="Pauze vastleggen").click()
    expect(page.get_by_role("status")).to_have_text(
        "Je pauze staat erin: 9 maart 2026 tot en met 15 maart 2026. 1 les in je pauze is afgemeld."
    )
    expect(page.locator(".membership__pauses")).to_contain_text("9 maart – 15 maart 2026")
    expect(page.locator(".membership__run")).to_contain_text(
        "2 maart – 31 mei 2026"
    )  # a week later than before
    big_enough(page, ".membership__actions a")
    layout.check(page)
    screenshot(page, "endings-membership-paused-phone.png")
    assert SessionBooking.objects.for_studio(cast.studio).get(session=second, member=tom).status == "booked"

    # Cancel: from the agenda, one link and one button (and a reason, if they like).
    page.goto(HOME)
    expect(page.locator(f"#les-{second.pk}")).to_contain_text("Je staat dan op pauze (tot en met 15 maart).")
    page.locator(".member__manage").get_by_role("link", name="Opzeggen").click()
    expect(page.locator(".notice--warn")).to_contain_text("dan ben je lid tot en met 31 mei 2026")
    page.get_by_label("Ik ga verhuizen").check()
    page.get_by_label("Wil je er iets over kwijt? (hoeft niet)").fill("Naar Groningen, voor mijn werk.")
    big_enough(page, ".choice")
    layout.check(page)
    screenshot(page, "endings-cancel-phone.png")
    page.get_by_role("button", name="Opzeggen per 31 mei 2026").click()
    expect(page.get_by_role("status")).to_have_text(
        "Opgezegd. Je bent lid tot en met 31 mei 2026; de bevestiging staat in je mail."
    )
    expect(page.locator(".membership__run")).to_contain_text("lid tot en met 31 mei 2026")
    expect(page.get_by_role("link", name="Opzeggen")).to_have_count(0)
    layout.check(page)
    screenshot(page, "endings-cancelled-phone.png")
    wide = new_page(viewport=DESKTOP)
    wide.context.add_cookies(page.context.cookies())  # the same member, on a computer
    wide.goto("/s/kracht-utrecht/leden/lidmaatschap/")
    expect(wide.locator(".membership__run")).to_contain_text("lid tot en met 31 mei 2026")
    layout.check(wide)
    screenshot(wide, "endings-cancelled-desktop.png")

    run_tasks()
    (paused,) = mails(smtp, "eva@example.nl", "Je pauze bij Kracht Utrecht staat erin")
    assert "loopt nu tot en met 31 mei 2026" in text_of(paused)
    (confirmed,) = mails(smtp, "eva@example.nl", "Je opzegging bij Kracht Utrecht is binnen")
    assert "je bent lid tot en met 31 mei 2026" in text_of(confirmed)
    assert "Je gaf als reden: Ik ga verhuizen." in text_of(confirmed)
    cancellation = Cancellation.objects.for_studio(cast.studio).get()
    assert cancellation.reason == "moving" and cancellation.reason_text == "Naar Groningen, voor mijn werk."
    assert Pause.objects.for_studio(cast.studio).get().by_member

    # The coach sees it on the member's page, on a phone and on a desktop.
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        staff = new_page(viewport=viewport)
        log_in(staff, cast.coach.email)
        staff.goto(f"/app/kracht-utrecht/leden/{eva.pk}/")
        panel = staff.locator("#lidmaatschap")
        expect(panel).to_contain_text("lid tot en met 31 mei 2026")
        expect(panel).to_contain_text("zelf, online: ik ga verhuizen")
        expect(panel.locator(".pause-list")).to_contain_text("9 mrt – 15 mrt 2026")
        layout.check(staff)
        screenshot(staff, f"endings-member-backoffice-{name}.png")
    layout.assert_clean()
    assert first.status == "scheduled"


def test_a_coach_plans_the_renewal_talk_from_the_tasks_page_and_the_member_renews(
    cast: Cast, new_page, frozen: time_machine.Traveller
) -> None:
    layout = LayoutReport()
    four = program(cast.studio, name="Sterk in 4 weken", weeks=4, renewal_talk_days=27)
    (tom,) = enrol(cast.studio, "Tom Bakker")
    run = Enrolment.objects.for_studio(cast.studio).get(member=tom)
    Enrolment.objects.for_studio(cast.studio).filter(pk=run.pk).update(
        program=four, ends_on=date(2026, 3, 29)
    )
    tom.coach = cast.coach
    tom.save()
    assert renewal_talks_plan() == 1

    page = new_page(viewport=PHONE, javascript=False)
    log_in(page, cast.coach.email)
    page.goto("/app/kracht-utrecht/taken/")
    task = page.locator("#verlenggesprekken .task")
    expect(task).to_contain_text("Verlenggesprek met Tom")
    expect(task).to_contain_text("Sterk in 4 weken loopt tot en met 29 maart")
    expect(task).to_contain_text("nog geen moment afgesproken")
    big_enough(page, "#verlenggesprekken .task .button")
    layout.check(page)
    screenshot(page, "endings-renewal-task-phone.png")
    task.get_by_role("link", name="Moment afspreken").click()
    page.get_by_label("Dag").fill("5-3-2026")
    page.get_by_label("Tijd").fill("18:30")
    page.get_by_role("button", name="Afspreken").click()
    expect(page.locator(".messages")).to_contain_text("Afgesproken: donderdag 5 maart om 18:30")
    page.get_by_label("Verlengd").check()
    page.get_by_label("Notitie (hoeft niet)").fill("Wil door naar 100 kg deadlift.")
    layout.check(page)
    screenshot(page, "endings-renewal-talk-phone.png")
    page.get_by_role("button", name="Vastleggen").click()
    expect(page.locator(".messages")).to_contain_text(
        "Tom Bakker verlengt: Sterk in 4 weken vanaf 30-03-2026"
    )
    layout.check(page)
    wide = new_page(viewport=DESKTOP)
    log_in(wide, cast.coach.email)
    wide.goto("/app/kracht-utrecht/leden/verlenggesprekken/")
    expect(wide.locator("main")).to_contain_text("Verlengd")
    layout.check(wide)
    screenshot(wide, "endings-renewal-talks-desktop.png")
    talk = RenewalTalk.objects.for_studio(cast.studio).get()
    assert talk.status == "renewed" and talk.renewal is not None and talk.renewal.renewal_of == run
    layout.assert_clean()
