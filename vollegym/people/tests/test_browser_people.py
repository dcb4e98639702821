"""A person's data in a real Chromium: the owner finds a returning prospect, merges a duplicate, downloads and erases;
the prospect switches WhatsApp off through the link in a mail."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import DESKTOP, PHONE, LayoutReport, screenshot
from vollegym.core.testing import Cast
from vollegym.leads.models import Lead, Stage
from vollegym.leads.services import ConsentInput, LeadInput, lead_capture, lead_move
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.people.models import Person
from vollegym.people.selectors import consent_state
from vollegym.studios.tests.test_browser_backoffice import log_in

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = pytest.mark.browser


def test_the_owner_merges_downloads_and_erases_a_person_on_a_phone(cast: Cast, new_page: NewPage) -> None:
    first = lead_capture(
        studio=cast.studio, data=LeadInput(source="website", name="Eva de Boer", email="eva@example.nl")
    ).lead
    lead_move(lead=first, stage=Stage.LOST, by=cast.owner, lost_reason="Wil eerst zelf proberen")
    again = lead_capture(
        studio=cast.studio, data=LeadInput(source="meta", email="eva@example.nl", phone="0612345678")
    ).lead
    double = lead_capture(
        studio=cast.studio, data=LeadInput(source="phone", name="E. de Boer", phone="0687654321")
    )
    page = new_page(viewport=PHONE)
    layout = LayoutReport()
    page.goto(f"/app/kracht-utrecht/leads/{again.pk}/")
    log_in(page, "sanne@kracht.nl")
    expect(page.get_by_text("1 eerdere aanvraag")).to_be_visible()
    page.get_by_role("link", name="Alles over deze persoon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eva de Boer")
    expect(page.get_by_role("heading", name="Aanvragen (leads)")).to_be_visible()
    layout.check(page)
    screenshot(page, "people-person-phone.png")

    page.get_by_role("link", name="Samenvoegen met een dubbele").click()
    page.get_by_label("E-mail of telefoon van de andere persoon").fill("06 87 65 43 21")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("E. de Boer")).to_be_visible()
    layout.check(page)
    screenshot(page, "people-merge-phone.png")
    page.get_by_role("button", name=re.compile("^Samenvoegen in")).click()
    expect(page.get_by_text("Samengevoegd")).to_be_visible()
    assert Person.objects.for_studio(cast.studio).count() == 1
    assert Lead.objects.for_studio(cast.studio).get(pk=double.lead.pk).person_id == again.person_id

    with page.expect_download() as download:
        page.get_by_role("link", name="Alles downloaden (JSON)").click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert exported["person"]["email"] == "eva@example.nl" and len(exported["leads"]) == 3

    page.get_by_role("link", name="Wissen…").click()
    page.get_by_label("Typ de naam om te bevestigen").fill("Eva de Boer")
    layout.check(page)
    screenshot(page, "people-erase-phone.png")
    page.get_by_role("button", name="Definitief wissen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gewiste persoon")
    layout.assert_clean()
    person = Person.objects.for_studio(cast.studio).get()
    assert person.erased_at is not None and person.email == "" and person.name == ""
    assert Lead.objects.for_studio(cast.studio).count() == 3  # the counts stay


def test_a_prospect_switches_whatsapp_off_through_the_link_in_a_mail(cast: Cast, new_page: NewPage) -> None:
    lead = lead_capture(
        studio=cast.studio,
        data=LeadInput(
            source="website",
            name="Noor Visser",
            email="noor@example.nl",
            phone="0612345678",
            consents=[ConsentInput("whatsapp", "Ja, stuur mij berichten via WhatsApp.", True, "whatsapp")],
        ),
    ).lead
    mail = message_queue(
        studio=cast.studio, channel=Message.Channel.EMAIL, person=lead.person, purpose="test", key="mail",
        subject="Je gesprek", body="Hoi Noor",
    )  # fmt: skip
    link = re.search(r"(/s/kracht-utrecht/berichten/\S+/)", mail.body)
    assert link is not None
    page = new_page(viewport=DESKTOP)
    page.goto(link.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hoi Noor, dit krijg je van ons")
    row = page.locator(".consents__row", has_text="Berichten via WhatsApp")
    row.get_by_role("button", name="Zet uit").click()
    expect(page.get_by_role("status")).to_contain_text("staat uit")
    expect(page.locator(".consents__row", has_text="Berichten via WhatsApp")).to_contain_text("uit")
    screenshot(page, "people-preferences-desktop.png")
    assert consent_state(lead.person, cast.studio.pk)["whatsapp"] is False
