"""In a Chromium set to American English, dates still read dd-mm-jjjj and times run on a 24-hour clock."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from vollegym.core.browser import PHONE, NewPage, screenshot
from vollegym.core.testing import PASSWORD, Cast
from vollegym.leads.services import lead_settings_for
from vollegym.schedule.models import Closure

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, email: str) -> None:
    page.goto("/app/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/app/login/")


def test_an_english_browser_gets_dutch_dates_and_a_24_hour_clock(new_page: NewPage, cast: Cast) -> None:
    page = new_page(viewport=PHONE, locale="en-US")
    assert page.evaluate("navigator.language") == "en-US"
    sign_in(page, cast.owner.email)

    page.goto("/app/kracht-utrecht/rooster/sluitingen/")
    first_day = page.locator("input[name=first_day]")
    assert first_day.get_attribute("type") == "text"  # not the browser's picker, which would say mm/dd/yyyy
    assert first_day.get_attribute("placeholder") == "dd-mm-jjjj"
    first_day.fill("27-4-2027")
    page.fill("input[name=reason]", "Koningsdag")
    screenshot(page, "dates-closure-en-us-phone.png")
    page.get_by_role("button", name="Sluiting toevoegen").click()
    page.wait_for_load_state()
    closure = Closure.objects.for_studio(cast.studio).get()
    assert closure.first_day == date(2027, 4, 27)

    page.goto("/app/kracht-utrecht/leads/settings/")
    opens, closes = page.locator("input[name=opens_0]"), page.locator("input[name=closes_0]")
    assert opens.get_attribute("type") == closes.get_attribute("type") == "text"
    assert closes.get_attribute("placeholder") == "uu:mm"
    opens.fill("7.00")
    closes.fill("21:30")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    assert lead_settings_for(cast.studio).opening_hours["0"] == [["07:00", "21:30"]]
    # What the owner sees is the text in the box: 21:30, not 09:30 PM.
    assert (opens.input_value(), closes.input_value()) == ("07:00", "21:30")
    screenshot(page, "dates-hours-en-us-phone.png")
