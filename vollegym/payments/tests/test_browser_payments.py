"""A member on a phone opens their payments, pays the first term at the (stand-in) Mollie checkout with iDEAL | Wero,
comes back to the studio's page, and once Mollie's webhook is processed sees the term paid and the rest to be debited."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.core.browser import PHONE, LayoutReport, screenshot
from vollegym.core.testing import run_tasks
from vollegym.payments.models import MollieWebhook, Term
from vollegym.payments.services import terms_create
from vollegym.payments.standin import MollieStandin
from vollegym.payments.tests.kit import connect, enrol, make_program
from vollegym.schedule.services import member_link

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage
    from vollegym.core.testing import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_pays_the_first_term_at_the_checkout_on_a_phone(
    cast: Cast, new_page: NewPage, live_server, settings
):
    standin = MollieStandin()  # calls our webhook over HTTP, as Mollie does
    server = standin.serve()
    try:
        settings.SITE_URL, settings.MOLLIE_API_URL = live_server.url, standin.base_url
        connect(cast)
        enrolment = enrol(cast, make_program(cast, cents=59700, terms=3))
        first = terms_create(enrolment=enrolment)[0]
        layout = LayoutReport()

        page = new_page(viewport=PHONE)
        page.goto(member_link(enrolment.member))
        page.get_by_role("link", name="Mijn betalingen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mijn betalingen")
        expect(page.locator(".pay-now__amount")).to_have_text("€ 199,00")
        layout.check(page)
        screenshot(page, "payments-member-phone.png")

        page.get_by_role("button", name="Betaal met iDEAL | Wero").click()
        page.wait_for_url(f"{standin.base_url}/checkout/**")
        expect(page.get_by_text("€ 199.00")).to_be_visible()
        screenshot(page, "payments-standin-checkout-phone.png")
        page.get_by_role("button", name="paid").click()
        page.wait_for_url(f"{live_server.url}/s/{cast.studio.slug}/leden/betalingen/?terug=1")
        expect(page.get_by_text("Terug van het betalen.")).to_be_visible()

        deadline = time.monotonic() + 10
        while not MollieWebhook.objects.for_studio(cast.studio).exists() and time.monotonic() < deadline:
            time.sleep(0.1)  # Mollie's call to our webhook arrives on its own
        run_tasks()  # the worker fetches the payment from Mollie and settles the term
        page.goto(f"{live_server.url}/s/{cast.studio.slug}/leden/betalingen/")
        first.refresh_from_db()
        assert first.status == Term.Status.PAID
        expect(page.locator(".terms__item.is-paid")).to_have_count(1)
        expect(page.get_by_role("button", name="Betaal met iDEAL | Wero")).to_have_count(0)
        expect(page.get_by_text("Je hebt een machtiging gegeven")).to_be_visible()
        layout.check(page)
        layout.assert_clean()
        screenshot(page, "payments-member-paid-phone.png")
    finally:
        server.shutdown()
        server.server_close()
