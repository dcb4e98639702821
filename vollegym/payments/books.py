"""Reads of the books: a payment with its refunds and invoices, a member's payments, the studio's invoices, and the
month for the bookkeeper (invoices, credit notes and corrections; payments, refunds and charge-backs in one CSV).

A refund counts only while it gives money back (`Refund.GIVES_BACK`): one that failed or was canceled is listed, with
no amount, and its credit note's correction sits among the month's documents.

Mollie's fees are not in it: the payments API a studio's website key reaches does not carry them; they are in
Mollie's monthly settlement (its invoice to the studio), which the bookkeeper gets from Mollie directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.spreadsheet import Cell, Euros
from vollegym.payments.models import Chargeback, Invoice, InvoiceLine, MolliePayment, Refund
from vollegym.payments.refunds import refundable_cents, terms_withdrawn
from vollegym.programs.models import Member
from vollegym.studios.models import Studio


def payment_in(studio: Studio, payment_id: int) -> MolliePayment | None:
    """One of the studio's payments (None for another studio's id, or one that does not exist)."""
    return (
        MolliePayment.objects.for_studio(studio)
        .filter(pk=payment_id)
        .select_related("term__member__person", "term__enrolment__program")
        .first()
    )


def invoice_in(studio: Studio, invoice_id: int) -> Invoice | None:
    return (
        Invoice.objects.for_studio(studio).filter(pk=invoice_id).select_related("payment", "credits").first()
    )


def member_invoice(member: Member, invoice_id: int) -> Invoice | None:
    """One of the member's own invoices; None for anyone else's."""
    return (
        Invoice.objects.for_studio(member.studio_id)
        .filter(pk=invoice_id, member=member)
        .select_related("payment", "credits")
        .first()
    )


def lines_of(invoice: Invoice) -> list[InvoiceLine]:
    return list(InvoiceLine.objects.for_studio(invoice.studio_id).filter(invoice=invoice).order_by("pk"))


@dataclass(frozen=True)
class PaymentPage:
    payment: MolliePayment
    refunds: list[Refund]
    invoices: list[Invoice]  # the invoice, then its credit notes
    refundable_cents: int
    withdrawn: bool  # the member withdrew within 14 days: refunded in full by the sweep


def payment_page(payment: MolliePayment) -> PaymentPage:
    refunds = list(
        Refund.objects.for_studio(payment.studio_id)
        .filter(payment=payment)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )
    invoices = list(Invoice.objects.for_studio(payment.studio_id).filter(payment=payment).order_by("number"))
    return PaymentPage(payment, refunds, invoices, refundable_cents(payment), terms_withdrawn(payment.term))


@dataclass(frozen=True)
class MemberPayment:
    payment: MolliePayment
    refunded_cents: int
    invoices: list[Invoice]


def member_payments(member: Member) -> list[MemberPayment]:
    """A member's payments at Mollie, newest first, each with what went back and its invoices."""
    payments = list(
        MolliePayment.objects.for_studio(member.studio_id)
        .filter(term__member=member)
        .select_related("term__enrolment__program")
        .order_by("-created_at", "-pk")
    )
    invoices: dict[int, list[Invoice]] = {}
    for invoice in Invoice.objects.for_studio(member.studio_id).filter(member=member).order_by("number"):
        invoices.setdefault(invoice.payment_id, []).append(invoice)
    refunded: dict[int, int] = {}
    for refund in Refund.objects.for_studio(member.studio_id).filter(
        payment__in=[p.pk for p in payments], status__in=Refund.GIVES_BACK
    ):
        refunded[refund.payment_id] = refunded.get(refund.payment_id, 0) + refund.amount_cents
    return [
        MemberPayment(p, max(refunded.get(p.pk, 0), p.refunded_cents), invoices.get(p.pk, []))
        for p in payments
    ]


def invoices_of_member(member: Member) -> list[Invoice]:
    """What the member downloads in their own area: their invoices and credit notes, newest first."""
    return list(Invoice.objects.for_studio(member.studio_id).filter(member=member).order_by("-number"))


def month_bounds(studio: Studio, month: date) -> tuple[datetime, datetime]:
    """The month on the studio's clock, as [start, end) moments."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, time(), tzinfo=studio.zone),
        datetime.combine(following, time(), tzinfo=studio.zone),
    )


def invoices_in_month(studio: Studio, month: date) -> list[Invoice]:
    start, end = month_bounds(studio, month)
    return list(
        Invoice.objects.for_studio(studio)
        .filter(issued_at__gte=start, issued_at__lt=end)
        .select_related("payment", "credits")
        .order_by("number")
    )


def bookkeeping_header() -> list[str]:
    return [
        _("Soort"), _("Datum"), _("Nummer"), _("Verwijst naar"), _("Klant"), _("Omschrijving"), _("Btw-tarief"),
        _("Excl. btw"), _("Btw"), _("Incl. btw"), _("Mollie-id"), _("Status"),
    ]  # fmt: skip


def bookkeeping_rows(studio: Studio, month: date) -> list[list[Cell]]:
    """The month for the bookkeeper: every invoice, credit note and correction line issued in it, every payment paid,
    every refund made (a failed or canceled one without an amount) and every charge-back that came in; amounts in
    euros, negative for money that went back."""
    start, end = month_bounds(studio, month)
    rows: list[list[Cell]] = []
    invoices = invoices_in_month(studio, month)
    lines = InvoiceLine.objects.for_studio(studio).filter(invoice__in=[i.pk for i in invoices]).order_by("pk")
    by_invoice: dict[int, list[InvoiceLine]] = {}
    for line in lines:
        by_invoice.setdefault(line.invoice_id, []).append(line)
    for invoice in invoices:
        for line in by_invoice.get(invoice.pk, []):
            rows.append([
                invoice.get_kind_display(), invoice.issued_at, invoice.code,
                invoice.credits.code if invoice.credits else "", invoice.buyer_name, line.description,
                f"{line.vat_rate}%", Euros(line.excl_cents), Euros(line.vat_cents), Euros(line.total_cents),
                invoice.payment.mollie_id, "",
            ])  # fmt: skip
    payments = (
        MolliePayment.objects.for_studio(studio)
        .filter(paid_at__gte=start, paid_at__lt=end)
        .select_related("term__member__person", "term__enrolment__program")
        .order_by("paid_at", "pk")
    )
    codes = {
        i.payment_id: i.code
        for i in Invoice.objects.for_studio(studio).filter(
            payment__in=[p.pk for p in payments], kind=Invoice.Kind.INVOICE
        )
    }
    for payment in payments:
        rows.append([
            _("Betaling"), payment.paid_at, "", codes.get(payment.pk, ""), payment.term.member.person.name,
            f"{payment.term.enrolment.program.name} ({payment.get_sequence_type_display()})", "", "", "",
            Euros(payment.amount_cents), payment.mollie_id, payment.get_status_display(),
        ])  # fmt: skip
    refunds = (
        Refund.objects.for_studio(studio)
        .filter(created_at__gte=start, created_at__lt=end)
        .select_related("payment__term__member__person")
        .order_by("created_at", "pk")
    )
    notes = {i.refund_id: i.code for i in Invoice.objects.for_studio(studio).filter(refund__in=refunds)}
    for refund in refunds:
        rows.append([
            _("Terugbetaling"), refund.created_at, "", notes.get(refund.pk, ""),
            refund.payment.term.member.person.name, f"{refund.get_reason_display()}: {refund.description}", "",
            "", "", Euros(-refund.amount_cents) if refund.counts else "", refund.mollie_id,
            refund.get_status_display(),
        ])  # fmt: skip
    backs = (
        Chargeback.objects.for_studio(studio)
        .filter(received_at__gte=start, received_at__lt=end)
        .select_related("payment__term__member__person")
        .order_by("received_at", "pk")
    )
    back_notes = {
        i.chargeback_id: i.code for i in Invoice.objects.for_studio(studio).filter(chargeback__in=backs)
    }
    for back in backs:
        rows.append([
            _("Terugboeking door de bank"), back.received_at, "", back_notes.get(back.pk, ""),
            back.payment.term.member.person.name, "", "", "", "", Euros(-back.amount_cents), back.payment.mollie_id,
            "",
        ])  # fmt: skip
    return rows


def collected_per_month(studio: Studio, first: date, last: date) -> dict[date, int]:
    """Money that came in through Mollie per month on the studio's clock (first days of months, `first` to `last`):
    payments paid that month, less refunds made and charge-backs that came in that month (cents)."""
    start, _end = month_bounds(studio, first)
    _start, end = month_bounds(studio, last)
    found: dict[date, int] = {}

    def add(moment: datetime, cents: int) -> None:
        month = clock.local(moment, studio.zone).date().replace(day=1)
        found[month] = found.get(month, 0) + cents

    for paid_at, cents in (
        MolliePayment.objects.for_studio(studio)
        .filter(paid_at__gte=start, paid_at__lt=end, status=MolliePayment.Status.PAID)
        .values_list("paid_at", "amount_cents")
    ):
        if paid_at is not None:
            add(paid_at, cents)
    for created_at, cents in (
        Refund.objects.for_studio(studio)
        .filter(created_at__gte=start, created_at__lt=end, status__in=Refund.GIVES_BACK)
        .values_list("created_at", "amount_cents")
    ):
        add(created_at, -cents)
    for received_at, cents in (
        Chargeback.objects.for_studio(studio)
        .filter(received_at__gte=start, received_at__lt=end)
        .values_list("received_at", "amount_cents")
    ):
        add(received_at, -cents)
    return found


def takes_payments(studio: Studio) -> bool:
    """Whether the studio takes (or took) payments through Mollie: then its numbers show collected revenue too."""
    return MolliePayment.objects.for_studio(studio).exists()
