"""Sign-in safety in a real Chromium on a phone: an invited coach sets a password, sets up two-factor sign-in where
the studio requires it, signs in again with a code; and what a guesser sees after too many wrong passwords."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from vollegym.core.browser import PHONE, LayoutReport, screenshot
from vollegym.core.testing import PASSWORD, Cast, run_tasks
from vollegym.studios import services
from vollegym.studios.tests.signin_kit import SITE, app_code, link_in

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage
    from vollegym.core.mailserver import Inbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NEW_PASSWORD = "nina-traint-graag-42"


@pytest.fixture
def frozen(settings) -> Iterator[time_machine.Traveller]:
    settings.SITE_URL = SITE  # the links in mails are absolute; the browser opens their path here
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def at(path: str) -> re.Pattern[str]:
    return re.compile(r"^https?://[^/]+" + re.escape(path) + r"(\?.*)?$")


def log_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("E-mailadres", exact=True).fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_an_invited_coach_sets_a_password_and_two_factor_sign_in_on_a_phone(
    cast: Cast, new_page: NewPage, smtp: Inbox, frozen: time_machine.Traveller
) -> None:
    services.studio_two_factor_set(studio=cast.studio, required=True)
    layout = LayoutReport()

    # The owner has set up an app already, and invites Nina from the team page.
    owner_device = services.two_factor_device_start(user=cast.owner)
    services.two_factor_device_confirm(
        user=cast.owner, device_id=owner_device.pk, code=app_code(owner_device)
    )
    frozen.shift(timedelta(seconds=30))
    owner = new_page(viewport=PHONE)
    owner.goto("/app/kracht-utrecht/team/")
    log_in(owner, "sanne@kracht.nl", PASSWORD)
    expect(owner.get_by_role("heading", name="Code invullen")).to_be_visible()
    owner.get_by_label("Code uit je app", exact=True).fill(app_code(TOTPDevice.objects.get(user=cast.owner)))
    owner.get_by_role("button", name="Verder").click()
    expect(owner).to_have_url(at("/app/kracht-utrecht/team/"))
    owner.get_by_label("Naam", exact=True).fill("Nina de Vries")
    owner.get_by_label("E-mailadres", exact=True).fill("nina@kracht.nl")
    owner.get_by_role("button", name="Uitnodigen", exact=True).click()
    expect(owner.locator(".messages li")).to_contain_text("Nina de Vries is uitgenodigd")
    expect(
        owner.get_by_role("checkbox", name="Tweestapsverificatie verplicht voor iedereen in dit team")
    ).to_be_checked()
    layout.check(owner)
    screenshot(owner, "signin-team-invite-phone.png")

    run_tasks()
    (mail,) = smtp.to("nina@kracht.nl")
    link = link_in(mail, r"/app/login/uitnodiging/[\w-]+/")

    nina = new_page(viewport=PHONE)
    nina.goto(link)
    expect(nina.get_by_role("heading", name="Welkom in het team")).to_be_visible()
    expect(nina.get_by_text("Je logt in met nina@kracht.nl.")).to_be_visible()
    layout.check(nina)
    screenshot(nina, "signin-invite-phone.png")
    nina.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
    nina.get_by_label("Nieuw wachtwoord bevestigen", exact=True).fill(NEW_PASSWORD)
    nina.get_by_role("button", name="Wachtwoord opslaan en inloggen").click()

    # Signed in, but Kracht Utrecht requires a second factor: first the app.
    expect(nina).to_have_url(at("/app/account/tweestaps/instellen/"))
    expect(nina.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie instellen")
    expect(nina.locator(".messages li")).to_have_text(
        "Welkom bij Kracht Utrecht! Je wachtwoord is ingesteld."
    )
    expect(nina.get_by_role("img", name="QR-code voor je authenticator-app")).to_be_visible()
    expect(nina.get_by_role("link", name="Open de app met deze link")).to_have_attribute(
        "href", re.compile("^otpauth://totp/")
    )
    layout.check(nina)
    screenshot(nina, "signin-two-factor-setup-phone.png")
    device = TOTPDevice.objects.get(user__email="nina@kracht.nl", confirmed=False)
    nina.get_by_label("Code uit je app", exact=True).fill(app_code(device))
    nina.get_by_role("button", name="Bevestigen").click()

    expect(nina.get_by_role("heading", level=1)).to_have_text("Je reservecodes")
    codes = nina.locator(".backup-codes code")
    expect(codes).to_have_count(10)
    backup = codes.first.inner_text()
    layout.check(nina)
    screenshot(nina, "signin-backup-codes-phone.png")
    nina.get_by_role("link", name="Ik heb ze bewaard, verder").click()
    expect(nina).to_have_url(at("/app/kracht-utrecht/"))
    expect(nina.get_by_role("heading", level=1)).to_have_text("Kracht Utrecht")

    # The next sign-in asks for the code after the password; a wrong one is refused, a backup code works.
    nina.get_by_role("button", name="Uitloggen").click()
    expect(nina).to_have_url(at("/app/login/"))
    log_in(nina, "nina@kracht.nl", NEW_PASSWORD)
    expect(nina.get_by_role("heading", name="Code invullen")).to_be_visible()
    nina.get_by_label("Code uit je app", exact=True).fill("000000")
    nina.get_by_role("button", name="Verder").click()
    expect(nina.get_by_role("alert")).to_contain_text("Deze code klopt niet")
    layout.check(nina)
    screenshot(nina, "signin-code-phone.png")
    frozen.shift(timedelta(seconds=5))
    nina.get_by_text("Telefoon niet bij de hand? Gebruik een reservecode").click()
    nina.get_by_label("Reservecode", exact=True).fill(backup)
    nina.get_by_role("button", name="Verder").click()
    expect(nina).to_have_url(at("/app/kracht-utrecht/"))
    expect(nina.get_by_role("heading", level=1)).to_have_text("Kracht Utrecht")
    layout.assert_clean()


def test_a_guesser_is_locked_out_with_a_dutch_message_on_a_phone(cast: Cast, new_page: NewPage) -> None:
    page = new_page(viewport=PHONE)
    page.goto("/app/login/")
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, "sanne@kracht.nl", f"geraden-{n}")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Te vaak een verkeerd wachtwoord. Probeer het over 15 minuten opnieuw")
    log_in(page, "sanne@kracht.nl", PASSWORD)
    expect(alert).to_contain_text("Te vaak een verkeerd wachtwoord")
    expect(page).to_have_url(at("/app/login/"))
    screenshot(page, "signin-locked-phone.png")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord vergeten")
    screenshot(page, "signin-password-reset-phone.png")
