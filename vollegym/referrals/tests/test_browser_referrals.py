"""A member on a phone opens their referral page from the member area (their link and a QR code a friend can scan);
the friend opens the link on another phone, lands on the intake and leaves their details; the lead is credited."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import PHONE, LayoutReport, screenshot
from vollegym.intake.services import questionnaire_install
from vollegym.leads.models import Lead
from vollegym.referrals.selectors import referrer_of
from vollegym.referrals.tests.test_referrals import member_of
from vollegym.schedule.services import member_link

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage
    from vollegym.core.testing import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_shows_their_link_and_qr_and_a_friend_who_follows_it_is_credited(
    cast: Cast, new_page: NewPage, live_server, settings
) -> None:
    settings.SITE_URL = live_server.url
    questionnaire_install(studio=cast.studio, kind="small_group")
    eva = member_of(cast.studio, "Eva")
    layout = LayoutReport()

    page = new_page(viewport=PHONE)
    page.goto(member_link(eva))
    page.get_by_role("link", name="Neem een vriend(in) mee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neem een vriend(in) mee")
    url = page.get_by_label("Jouw persoonlijke link").input_value()
    assert url.startswith(f"{live_server.url}/s/{cast.studio.slug}/r/")
    share = page.get_by_role("link", name="Deel via WhatsApp").get_attribute("href")
    assert share is not None and share.startswith("https://wa.me/?text=") and quote(url, safe="") in share
    qr = page.locator(".referral__qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 160, "a QR code too small to scan from another phone"
    expect(page.get_by_text("Nog niemand via jouw link.")).to_be_visible()
    layout.check(page)
    screenshot(page, "referral-member-journey-phone.png")

    friend = new_page(viewport=PHONE)
    friend.goto(url)
    expect(friend).to_have_url(f"{live_server.url}/s/{cast.studio.slug}/intake/")
    friend.fill("input[name=name]", "Fleur Jansen")
    friend.fill("input[name=email]", "fleur@example.nl")
    friend.locator("input[name=contact]").check()
    friend.locator("form button[type=submit]").first.click()
    friend.wait_for_url(lambda address: not address.endswith("/intake/"))
    layout.check(friend)
    lead = Lead.objects.for_studio(cast.studio).get(person__email="fleur@example.nl")
    assert lead.source == "referral" and referrer_of(lead) == eva.person

    # Back on the member's phone, the friend is listed.
    page.reload()
    expect(page.locator(".referral__list")).to_contain_text("Fleur Jansen")
    expect(page.locator(".referral__list")).to_contain_text("aangemeld, nog geen lid")
    layout.assert_clean()
