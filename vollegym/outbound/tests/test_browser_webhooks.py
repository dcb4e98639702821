"""An owner sets up an outbound webhook in Chromium, sees its secret once, then its delivery log (code, excerpt,
timing) and replays a delivery; on a phone and a desktop, nothing scrolls sideways."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import DESKTOP, PHONE, LayoutReport
from vollegym.core.testing import PASSWORD, make_person
from vollegym.outbound.models import Subscription
from vollegym.outbound.services import deliveries_fan_out, deliveries_send_due
from vollegym.outbound.tests.kit import receiver
from vollegym.people.events import LeadStageChanged, event_record

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = "/tmp/outbound"


def test_an_owner_sets_up_a_webhook_and_reads_its_delivery_log(new_page: NewPage, cast) -> None:
    layout = LayoutReport()
    anna = make_person(cast.studio, name="Anna de Vries")
    with receiver() as found:
        for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
            page = new_page(viewport=viewport)
            page.goto("/app/login/")
            page.get_by_label("E-mailadres", exact=True).fill(cast.owner.email)
            page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_url(lambda url: urlsplit(url).path != "/app/login/")
            page.goto(f"/app/{cast.studio.slug}/instellingen/webhooks/")
            page.get_by_label("Adres van de ontvanger").fill(f"{found.url}?{size}")
            page.get_by_label("lead.stage_changed").check()
            page.get_by_role("button", name="Webhook maken").click()
            secret = page.locator(".outbound-secret")
            expect(secret).to_contain_text("whsec_")
            layout.check(page)
            page.screenshot(path=f"{SCREENS}/webhooks-new-{size}.png", full_page=True)

            event_record(
                studio=cast.studio,
                person=anna,
                event=LeadStageChanged(lead_id=1, before="new", after="contacted"),
            )
            found.script = [500]
            for _ in range(2):
                deliveries_fan_out()
                deliveries_send_due()
            page.goto(f"/app/{cast.studio.slug}/instellingen/webhooks/")
            page.get_by_role("link", name=f"{found.url}?{size}").click()
            expect(page.locator(".outbound-log")).to_contain_text("500")
            expect(page.locator(".outbound-log")).to_contain_text("upstream trouble")
            page.get_by_role("button", name="Opnieuw").first.click()
            expect(page.get_by_role("status")).to_contain_text("hetzelfde afleverings-id")
            deliveries_send_due()
            page.reload()
            expect(page.locator(".outbound-log")).to_contain_text("200")
            expect(page.locator(".outbound-log")).to_contain_text("Afgeleverd")
            layout.check(page)
            page.screenshot(path=f"{SCREENS}/webhooks-log-{size}.png", full_page=True)
            made = Subscription.objects.for_studio(cast.studio).get()
            assert made.url.endswith(size) and made.created_by == cast.owner
            made.delete()  # the desktop round starts from an empty page, as the phone's did
    assert {a.headers["X-Vollegym-Delivery"] for a in found.taken} and len(found.taken) >= 2
    layout.assert_clean()
