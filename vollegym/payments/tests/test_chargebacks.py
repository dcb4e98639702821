"""Charge-backs in the books: the bank taking (part of) a debit back gets a credit note for what it took, the member is
asked for exactly that again, and paying it is invoiced on its own; for a term, the invoices less the credit notes are
what was collected, to the cent."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.db.models import F, Sum
from django.test import Client

from vollegym.core import clock
from vollegym.core.testing import client_for
from vollegym.payments.books import bookkeeping_rows, collected_per_month
from vollegym.payments.invoicing import credit_notes_sweep
from vollegym.payments.models import Chargeback, Invoice, MissedPayment, MolliePayment, Refund, Term
from vollegym.payments.standin import MollieStandin
from vollegym.payments.tests.kit import deliver
from vollegym.payments.tests.test_invoices import pdf_text
from vollegym.payments.tests.test_missed import debit, fresh, links, pay_path, with_mandate
from vollegym.payments.tests.test_pages import _signed_in
from vollegym.payments.webhooks import payments_reconcile

pytestmark = pytest.mark.django_db


def documents_cents(term: Term) -> int:
    """What the books say a term brought in: its invoices, less its credit notes, plus their corrections."""
    found = (
        Invoice.objects.for_studio(term.studio_id).filter(payment__term=term).aggregate(t=Sum("total_cents"))
    )
    return found["t"] or 0


def collected_cents(term: Term) -> int:
    """What Mollie kept of a term's payments: paid, less what the bank took back and what was refunded."""
    kept = (
        MolliePayment.objects.for_studio(term.studio_id)
        .filter(term=term, status="paid")
        .aggregate(t=Sum(F("amount_cents") - F("charged_back_cents")))["t"]
        or 0
    )
    refunded = (
        Refund.objects.for_studio(term.studio_id)
        .filter(payment__term=term, status__in=Refund.GIVES_BACK)
        .aggregate(t=Sum("amount_cents"))["t"]
        or 0
    )
    return kept - refunded


def debited_and_paid(cast, mollie: MollieStandin) -> tuple[Term, MolliePayment]:
    """The second term of three (€ 199,00) debited on the mandate and paid."""
    _first, second, _third = with_mandate(cast, mollie)
    payment = debit(second)
    mollie.set_status(payment.mollie_id, "paid")
    deliver()
    return second, payment


def repaid_by_link(cast, mollie: MollieStandin, term: Term) -> MolliePayment:
    """The member pays the link in their charge-back mail at the checkout."""
    (mail,) = links(cast, term)
    assert Client().post(pay_path(mail)).status_code == 302
    checkout = MolliePayment.objects.for_studio(cast.studio).filter(term=term).latest("created_at")
    mollie.set_status(checkout.mollie_id, "paid")
    deliver()
    return checkout


def test_a_charge_back_gets_a_credit_note_and_paying_again_an_invoice_of_its_own(cast, mollie):
    term, payment = debited_and_paid(cast, mollie)
    with time_machine.travel(clock.now() + timedelta(weeks=3)):
        mollie.charge_back(payment.mollie_id)
        deliver()
    (chargeback,) = Chargeback.objects.for_studio(cast.studio)
    assert (chargeback.amount_cents, chargeback.total_cents) == (19900, 19900)
    invoice = Invoice.objects.for_studio(cast.studio).get(payment=payment, kind="invoice")
    note = Invoice.objects.for_studio(cast.studio).get(chargeback=chargeback)
    assert note.kind == "credit_note" and note.refund_id is None and note.credits_id == invoice.pk
    assert (note.total_cents, note.number) == (-19900, invoice.number + 1)
    assert documents_cents(term) == collected_cents(term) == 0
    download = client_for(cast.owner).get(f"/app/kracht-utrecht/betalingen/facturen/{note.pk}/")
    assert f'filename="creditfactuur-{note.code}.pdf"' in download["Content-Disposition"]
    text = pdf_text(download.content)
    assert "Creditfactuur" in text and "teruggeboekt" in text and "betalen we terug" not in text

    again = repaid_by_link(cast, mollie, term)
    assert fresh(term).status == "paid"
    repaid = Invoice.objects.for_studio(cast.studio).get(payment=again)
    assert repaid.kind == "invoice" and repaid.total_cents == 19900 and repaid.number == note.number + 1
    assert documents_cents(term) == collected_cents(term) == 19900
    numbers = sorted(Invoice.objects.for_studio(cast.studio).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))  # one sequence, no gap


def test_a_charge_back_in_part_asks_and_credits_only_what_the_bank_took_back(cast, mollie):
    term, payment = debited_and_paid(cast, mollie)
    mollie.charge_back(payment.mollie_id, 4900)
    deliver()
    (missed,) = MissedPayment.objects.for_studio(cast.studio)
    assert missed.amount_cents == 4900
    (mail,) = links(cast, term)
    assert "€ 49,00" in mail.body and "€ 199,00" not in mail.body
    page = _signed_in(term.member).get("/s/kracht-utrecht/leden/betalingen/").content.decode()
    pay_now = page[page.index('id="nu-betalen"') : page.index('id="komt-nog"')]
    assert "€ 49,00" in pay_now and "€ 199,00" not in pay_now
    link_page = Client().get(pay_path(mail)).content.decode()
    assert "€ 49,00" in link_page and "€ 199,00" not in link_page

    again = repaid_by_link(cast, mollie, term)
    assert again.amount_cents == 4900 and mollie.payment(again.mollie_id)["amount"]["value"] == "49.00"
    assert fresh(term).status == "paid"
    kinds = list(
        Invoice.objects.for_studio(cast.studio)
        .filter(payment__term=term)
        .order_by("number")
        .values_list("kind", "total_cents")
    )
    assert kinds == [("invoice", 19900), ("credit_note", -4900), ("invoice", 4900)]
    assert documents_cents(term) == collected_cents(term) == 19900


def test_the_same_charge_back_seen_again_is_one_credit_note_and_more_taken_back_is_another(cast, mollie):
    term, payment = debited_and_paid(cast, mollie)
    mollie.charge_back(payment.mollie_id, 4900)
    deliver()
    with time_machine.travel(clock.now() + timedelta(days=2)):
        assert (
            payments_reconcile() >= 1
        )  # paid within eight weeks: fetched again, the same charge-back seen again
        deliver()
    assert Invoice.objects.for_studio(cast.studio).filter(kind="credit_note").count() == 1
    with time_machine.travel(clock.now() + timedelta(days=3)):
        mollie.charge_back(payment.mollie_id, 19900)  # the bank took the rest back too
        deliver()
    steps = list(
        Chargeback.objects.for_studio(cast.studio).order_by("pk").values_list("amount_cents", "total_cents")
    )
    assert steps == [(4900, 4900), (15000, 19900)]
    notes = Invoice.objects.for_studio(cast.studio).filter(kind="credit_note").order_by("number")
    assert [n.total_cents for n in notes] == [-4900, -15000]
    (missed,) = MissedPayment.objects.for_studio(cast.studio)
    assert (
        missed.amount_cents == 19900 and len(links(cast, term)) == 1
    )  # the open task says it; no second mail
    assert documents_cents(term) == collected_cents(term) == 0


def test_the_bookkeeper_sees_the_charge_back_with_its_credit_note_and_revenue_drops_by_it(cast, mollie):
    _term, payment = debited_and_paid(cast, mollie)
    mollie.charge_back(payment.mollie_id, 4900)
    deliver()
    month = clock.today().replace(day=1)
    note = Invoice.objects.for_studio(cast.studio).get(kind="credit_note")
    rows = [[str(cell) for cell in row] for row in bookkeeping_rows(cast.studio, month)]
    (back,) = [row for row in rows if row[0] == "Terugboeking door de bank"]
    assert back[3] == note.code and back[4] == "Eva de Boer" and back[10] == payment.mollie_id
    assert any(row[0] == "Creditfactuur" and "Terugboeking door de bank op factuur" in row[5] for row in rows)
    assert collected_per_month(cast.studio, month, month) == {month: 19900 + 19900 - 4900}


def test_a_charge_back_from_before_the_rows_gets_its_row_and_then_its_credit_note(cast, mollie):
    from importlib import import_module

    term, payment = debited_and_paid(cast, mollie)
    # As it was before charge-backs were rows: only the payment knew.
    MolliePayment.objects.for_studio(cast.studio).filter(pk=payment.pk).update(charged_back_cents=19900)
    import_module("vollegym.payments.migrations.0006_chargebacks_from_payments").chargebacks_fill(apps, None)
    (chargeback,) = Chargeback.objects.for_studio(cast.studio)
    assert chargeback.amount_cents == 19900 and chargeback.payment_id == payment.pk
    assert credit_notes_sweep() == 1 and credit_notes_sweep() == 0
    assert Invoice.objects.for_studio(cast.studio).get(chargeback=chargeback).total_cents == -19900
    assert documents_cents(term) == 0
