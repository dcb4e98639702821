"""A prospect who won a place pays the first term at the (stand-in) Mollie checkout on a phone; the second term's
debit fails at the bank; the member gets exactly one mail with a pay link (over a real SMTP server), pays it at the
checkout, and their payments page shows both terms paid. Then an owner decides on a member whose payments failed
twice in a row, on a phone and on a desktop.

The stand-in calls our webhook over HTTP as Mollie does; the worker (`run_tasks`) fetches each payment from it."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from vollegym.core import clock
from vollegym.core.browser import DESKTOP, PHONE, LayoutReport, screenshot
from vollegym.core.mailserver import Inbox
from vollegym.core.testing import make_lead, run_tasks
from vollegym.intake.tests.test_browser_booking import log_in
from vollegym.payments.charging import checkout_start, term_charge
from vollegym.payments.models import MissedPayment, MolliePayment, MollieWebhook, Term
from vollegym.payments.services import terms_create
from vollegym.payments.standin import MollieStandin
from vollegym.payments.tests.kit import connect, make_program
from vollegym.payments.webhooks import webhook_store
from vollegym.programs.models import Pause
from vollegym.programs.services import enrolment_create
from vollegym.schedule.services import member_link

if TYPE_CHECKING:
    from vollegym.core.browser import NewPage
    from vollegym.core.testing import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Je betaling voor 12 weken sterker is niet gelukt"


def _webhooks_arrive(studio_id: int, count: int) -> None:
    """Mollie's calls reach our webhook on their own (over HTTP); then the worker takes them."""
    deadline = time.monotonic() + 10
    while MollieWebhook.objects.for_studio(studio_id).count() < count and time.monotonic() < deadline:
        time.sleep(0.1)
    run_tasks()


def _debit(term: Term) -> MolliePayment:
    Term.objects.for_studio(term.studio_id).filter(pk=term.pk).update(
        announced_at=clock.now(), charge_on=clock.today()
    )
    assert term_charge(term_id=term.pk) == "charged"
    return MolliePayment.objects.for_studio(term.studio_id).filter(term=term).latest("created_at")


def _mails(smtp: Inbox, subject: str) -> list[str]:
    return [m.get_content() for m in smtp.to("eva@example.nl") if m["Subject"] == subject]


def test_a_failed_second_debit_leads_to_one_pay_link_that_the_member_pays_on_a_phone(
    cast: Cast, new_page: NewPage, live_server, settings, smtp: Inbox
):
    standin = MollieStandin()
    server = standin.serve()
    try:
        settings.SITE_URL, settings.MOLLIE_API_URL = live_server.url, standin.base_url
        connect(cast)
        lead = make_lead(cast.studio, name="Eva de Boer", email="eva@example.nl")
        enrolment = enrolment_create(
            lead=lead,
            program=make_program(cast, cents=59700, terms=3),
            starts_on=clock.today(),
            by=cast.owner,
        )
        first, second, _third = terms_create(enrolment=enrolment)
        layout = LayoutReport()

        page = new_page(viewport=PHONE)
        page.goto(member_link(enrolment.member))
        page.get_by_role("link", name="Mijn betalingen").click()
        page.get_by_role("button", name="Betaal met iDEAL | Wero").click()
        page.wait_for_url(f"{standin.base_url}/checkout/**")
        page.get_by_role("button", name="paid").click()
        page.wait_for_url(f"{live_server.url}/s/{cast.studio.slug}/leden/betalingen/?terug=1")
        _webhooks_arrive(cast.studio.pk, 1)
        first.refresh_from_db()
        assert first.status == Term.Status.PAID

        # Term 2 is debited on the mandate and the bank refuses it.
        standin.set_status(_debit(second).mollie_id, "failed")
        _webhooks_arrive(cast.studio.pk, 2)
        run_tasks()  # the outbox: the mail goes out over SMTP
        (mail,) = _mails(smtp, SUBJECT)
        assert "€ 199,00" in mail and "termijn 2 van 3" in mail
        link = re.search(rf"{re.escape(live_server.url)}/s/[^\s]+/betalen/[^\s]+/", mail)
        assert link, mail

        page.goto(link.group(0))
        expect(page.locator(".pay-now__amount")).to_have_text("€ 199,00")
        layout.check(page)
        page.get_by_role("button", name="Betaal met iDEAL | Wero").click()
        page.wait_for_url(f"{standin.base_url}/checkout/**")
        page.get_by_role("button", name="paid").click()
        page.wait_for_url(re.compile(r".*/betalen/.*\?terug=1$"))
        _webhooks_arrive(cast.studio.pk, 3)
        second.refresh_from_db()
        assert second.status == Term.Status.PAID

        page.goto(f"/s/{cast.studio.slug}/leden/betalingen/")
        expect(page.locator("#betaald .terms__item.is-paid")).to_have_count(2)
        expect(page.locator("#komt-nog .terms__item")).to_have_count(1)
        expect(page.get_by_role("button", name="Betaal met iDEAL | Wero")).to_have_count(0)
        # Both payments have their invoice, numbered one after the other, as a PDF to download.
        invoices = page.locator("#facturen .terms__item a")
        expect(invoices).to_have_count(2)
        href = invoices.first.get_attribute("href")
        assert href is not None
        answer = page.request.get(href)  # with the member's own session, as a click opens it
        assert answer.ok and answer.headers["content-type"] == "application/pdf"
        assert answer.body().startswith(b"%PDF") and len(answer.body()) > 1000
        layout.check(page)
        layout.assert_clean()
        screenshot(page, "payments-missed-paid-phone.png")
        run_tasks()
        assert len(_mails(smtp, SUBJECT)) == 1  # exactly one pay link, and nothing debited twice
        assert [p["sequenceType"] for p in standin.payments_of(standin_key(standin))].count("recurring") == 1
        assert MissedPayment.objects.for_studio(cast.studio).get().paid_at is not None
    finally:
        server.shutdown()
        server.server_close()


def standin_key(standin: MollieStandin) -> str:
    (key,) = standin.accounts
    return key


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_owner_decides_after_two_failures_in_a_row(
    cast: Cast, new_page: NewPage, live_server, settings, viewport
):
    standin = MollieStandin(send_webhook=lambda url, pid: None)  # the worker asks Mollie itself below
    server = standin.serve()
    try:
        settings.SITE_URL, settings.MOLLIE_API_URL = live_server.url, standin.base_url
        connect(cast)
        lead = make_lead(cast.studio, name="Eva de Boer", email="eva@example.nl", phone="+31612345678")
        enrolment = enrolment_create(
            lead=lead,
            program=make_program(cast, cents=59700, terms=3),
            starts_on=clock.today(),
            by=cast.owner,
        )
        first, second, _third = terms_create(enrolment=enrolment)
        checkout_start(term=first, redirect_url=live_server.url)
        for status, term in (("paid", first), ("failed", second)):
            if status == "failed":
                payment = _debit(second)
            else:
                payment = MolliePayment.objects.for_studio(cast.studio).get(term=term)
            standin.set_status(payment.mollie_id, status)
            webhook_store(studio=cast.studio, payment_id=payment.mollie_id)
            run_tasks()
        checkout_start(term=second, redirect_url=live_server.url)  # the member tried the link: expired
        retry = MolliePayment.objects.for_studio(cast.studio).filter(term=second).latest("created_at")
        standin.set_status(retry.mollie_id, "expired")
        webhook_store(studio=cast.studio, payment_id=retry.mollie_id)
        run_tasks()
        name = "phone" if viewport is PHONE else "desktop"

        page = new_page(viewport=viewport)
        log_in(page, cast.owner.email)
        page.goto(f"/app/{cast.studio.slug}/vandaag/")
        card = page.locator("#betalingen .task")
        expect(card).to_contain_text("Incasso mislukt")
        expect(card).to_contain_text("de eigenaar beslist")
        screenshot(page, f"payments-missed-today-{name}.png")
        card.get_by_role("link", name="Beslissen").click()
        panel = page.locator("#betaling")
        expect(panel).to_contain_text("2 betalingen op rij zijn niet gelukt")
        layout = LayoutReport()
        layout.check(page)
        panel.scroll_into_view_if_needed()
        screenshot(page, f"payments-missed-decide-{name}.png")
        panel.get_by_label("Pauzeren, weken").fill("3")
        panel.get_by_role("button", name="Pauzeren").click()
        expect(page.get_by_text("Het lidmaatschap staat op pauze")).to_be_visible()
        expect(page.locator("#betaling")).to_have_count(0)
        layout.assert_clean()
        pause = Pause.objects.for_studio(cast.studio).get()
        assert (pause.ends_on - pause.starts_on).days == 20
    finally:
        server.shutdown()
        server.server_close()
