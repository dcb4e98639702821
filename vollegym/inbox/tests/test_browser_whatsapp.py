"""The WhatsApp journey in a real Chromium: a prospect writes from a phone (the stand-in), the message reaches the
inbox, a coach answers inside the window, and a day later only an approved template is offered."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from vollegym.core import clock
from vollegym.core.browser import PHONE, assert_no_horizontal_overflow
from vollegym.core.testing import PASSWORD, Cast, run_tasks
from vollegym.inbox.models import Conversation
from vollegym.inbox.standin import WhatsAppStandin
from vollegym.leads.models import Lead
from vollegym.messaging.models import Message, WhatsAppSettings
from vollegym.people.models import Person

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser

SECRET = "journey-app-secret"
SHOTS = "/tmp/whatsapp"


@pytest.fixture
def standin(settings, cast: Cast, live_server: LiveServer) -> Iterator[WhatsAppStandin]:
    phone = WhatsAppStandin(
        webhook=f"{live_server.url}/hooks/whatsapp/",
        secret=SECRET,
        phone_number_id="1098765",
        status_delay=0.2,
    )
    server = phone.serve("127.0.0.1", 0)
    settings.WHATSAPP_APP_SECRET = SECRET
    settings.WHATSAPP_GRAPH_URL = f"{phone.base_url}/v25.0"
    WhatsAppSettings.objects.create(studio=cast.studio, phone_number_id="1098765", token="standin")
    yield phone
    server.shutdown()


def _worker_until(done: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run_tasks()
        if done():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not get there in time")


def _shot(page: Page, name: str) -> None:
    import os

    if os.path.isdir(SHOTS):
        page.screenshot(path=f"{SHOTS}/{name}", full_page=True)


def test_a_prospects_whatsapp_reaches_the_inbox_is_answered_and_a_day_later_gets_a_template(
    cast: Cast, standin: WhatsAppStandin, new_page: NewPage
) -> None:
    phone = new_page()
    phone.goto(standin.base_url + "/")
    phone.get_by_label("Telefoonnummer").fill("+31612345678")
    phone.get_by_label("Naam in WhatsApp").fill("Eva de Boer")
    phone.get_by_label("Bericht").fill("Hoi! Kan ik morgen een proefles doen?")
    phone.get_by_role("button", name="Versturen").click()
    expect(phone.get_by_role("status")).to_have_text("Verstuurd.")
    _worker_until(lambda: Conversation.objects.for_studio(cast.studio).exists())
    assert Lead.objects.for_studio(cast.studio).get().source == "whatsapp"

    page = new_page(viewport=PHONE)
    page.goto(f"/app/{cast.studio.slug}/berichten/")
    page.get_by_label("E-mailadres", exact=True).fill("youssef@kracht.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    row = page.locator(".conversation", has_text="Eva de Boer")
    expect(row).to_contain_text("Hoi! Kan ik morgen een proefles doen?")
    expect(row.locator(".badge--count")).to_have_text("1")
    assert_no_horizontal_overflow(page)
    _shot(page, "journey-inbox-phone.png")

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eva de Boer")
    page.get_by_label("Jouw antwoord").fill("Hoi Eva! Morgen om 9:00 is er plek. Tot dan!")
    page.get_by_role("button", name="Versturen").click()
    expect(page.locator(".chat__line--out")).to_contain_text("Morgen om 9:00 is er plek")

    def read() -> bool:
        return Message.objects.for_studio(cast.studio).filter(purpose="inbox_reply", delivery="read").exists()

    _worker_until(read)
    phone.reload()
    expect(phone.locator("#lines")).to_contain_text("Morgen om 9:00 is er plek")
    page.reload()
    expect(page.locator(".chat__line--out .chat__status")).to_have_text("Gelezen")
    assert Lead.objects.for_studio(cast.studio).get().first_contact_at is not None
    assert_no_horizontal_overflow(page)
    _shot(page, "journey-answered-phone.png")

    # A day and an hour later: the person's last message is older than WhatsApp's 24 hours.
    person = Conversation.objects.for_studio(cast.studio).get().person
    Person.objects.for_studio(cast.studio).filter(pk=person.pk).update(
        last_inbound_at=clock.now() - timedelta(hours=25)
    )
    page.reload()
    expect(page.locator("#buiten-venster")).to_contain_text("meer dan 24 uur oud")
    expect(page.get_by_label("Jouw antwoord")).to_have_count(0)
    page.get_by_label("Sjabloon").select_option("lead_bevestiging")
    _shot(page, "journey-template-phone.png")
    page.get_by_role("button", name="Sjabloon versturen").click()
    expect(page).to_have_url(re.compile(r"/berichten/\d+/$"))
    _worker_until(lambda: "[sjabloon lead_bevestiging]" in standin.page())
    phone.reload()
    expect(phone.locator("#lines")).to_contain_text("[sjabloon lead_bevestiging] Eva, Kracht Utrecht")
