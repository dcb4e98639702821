"""Invoices: one per paid payment, a credit note per refund, numbered per studio in one sequence without gaps.

The number comes from the studio's counter row, locked (SELECT … FOR UPDATE) in the transaction that writes the
invoice: a second payment at the same moment waits for the first to commit, and a transaction that rolls back takes its
number back with it. The database refuses two invoices with one number (studio, number) and two invoices for one
payment, so a sweep and a webhook at once make one invoice.

BTW is worked out per line from the amount incl. BTW (what the member paid): excl. = round(incl. × 100 / (100 +
rate)), BTW = incl. − excl., so the two always add up to the cent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext

from vollegym.payments.models import Invoice, InvoiceCounter, InvoiceLine, MolliePayment, Refund, Term
from vollegym.studios.models import Studio

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VatSplit:
    total_cents: int  # incl. BTW
    vat_cents: int

    @property
    def excl_cents(self) -> int:
        return self.total_cents - self.vat_cents


def vat_split(*, total_cents: int, rate: int) -> VatSplit:
    """The BTW in an amount incl. BTW at a rate, rounded half up to the cent (a negative amount mirrors a positive)."""
    sign = -1 if total_cents < 0 else 1
    excl = (Decimal(abs(total_cents)) * 100 / (100 + rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return VatSplit(total_cents, sign * (abs(total_cents) - int(excl)))


def _counter_lock(studio_id: int) -> InvoiceCounter:
    """The studio's counter, locked until the caller's transaction ends: invoices of a studio are written one at a
    time, and whatever another writer made before is visible once the lock is ours."""
    counter = InvoiceCounter.objects.for_studio(studio_id).select_for_update().first()
    if counter is None:
        try:
            with transaction.atomic():
                InvoiceCounter.objects.create(studio_id=studio_id)
        except IntegrityError:
            pass  # made a moment ago by another transaction: lock that one
        counter = InvoiceCounter.objects.for_studio(studio_id).select_for_update().get()
    return counter


def _number_take(counter: InvoiceCounter) -> int:
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _seller(studio: Studio) -> dict[str, str]:
    return {
        "seller_name": studio.name, "seller_address": studio.address, "seller_kvk": studio.kvk_number,
        "seller_vat": studio.vat_number, "seller_email": studio.email,
    }  # fmt: skip


def _line_text(term: Term) -> str:
    program = term.enrolment.program
    with translation.override("nl"):
        if term.of > 1:
            part = gettext("termijn %(number)s van %(of)s") % {"number": term.number, "of": term.of}
            return f"{program.name} · {part}"[:250]
    return program.name[:250]


def invoice_for(payment: MolliePayment) -> Invoice | None:
    return (
        Invoice.objects.for_studio(payment.studio_id)
        .filter(payment=payment, kind=Invoice.Kind.INVOICE)
        .first()
    )


@transaction.atomic
def invoice_issue(*, payment: MolliePayment) -> Invoice | None:
    """Issues the invoice of a paid payment, once (a second call returns the first); None while it is not paid.

    The line carries the program's BTW rate as it is today; the studio's details and the member's name are copied in.
    """
    if payment.status != MolliePayment.Status.PAID:
        return None
    # The counter first: "is there one already?" is then answered after any other writer committed.
    counter = _counter_lock(payment.studio_id)
    existing = invoice_for(payment)
    if existing is not None:
        return existing
    term = (
        Term.objects.for_studio(payment.studio_id)
        .select_related("studio", "member__person", "enrolment__program")
        .get(pk=payment.term_id)
    )
    split = vat_split(total_cents=payment.amount_cents, rate=term.enrolment.program.vat_rate)
    invoice = Invoice.objects.create(
        studio_id=payment.studio_id, number=_number_take(counter), kind=Invoice.Kind.INVOICE, payment=payment, member=term.member,
        paid_at=payment.paid_at, buyer_name=term.member.person.name, total_cents=split.total_cents,
        vat_cents=split.vat_cents, **_seller(term.studio),
    )  # fmt: skip
    InvoiceLine.objects.create(
        studio_id=payment.studio_id, invoice=invoice, description=_line_text(term),
        vat_rate=term.enrolment.program.vat_rate, total_cents=split.total_cents, vat_cents=split.vat_cents,
    )  # fmt: skip
    return invoice


@transaction.atomic
def credit_note_issue(*, refund: Refund) -> Invoice:
    """The credit note of a refund: negative, its own number in the same sequence, at the BTW rate of the invoice it
    credits (issued first if the payment had none yet); once per refund."""
    payment = MolliePayment.objects.for_studio(refund.studio_id).get(pk=refund.payment_id)
    original = invoice_issue(payment=payment)
    if original is None:
        raise ValueError(f"payment {payment.pk} is not paid: no credit note")
    line = InvoiceLine.objects.for_studio(refund.studio_id).filter(invoice=original).order_by("pk").first()
    rate = line.vat_rate if line is not None else 21
    counter = _counter_lock(refund.studio_id)
    existing = Invoice.objects.for_studio(refund.studio_id).filter(refund=refund).first()
    if existing is not None:
        return existing
    split = vat_split(total_cents=-refund.amount_cents, rate=rate)
    studio = Studio.objects.get(pk=refund.studio_id)
    with translation.override("nl"):
        text = gettext("Terugbetaling op factuur %(code)s") % {"code": original.code}
    note = Invoice.objects.create(
        studio_id=refund.studio_id, number=_number_take(counter), kind=Invoice.Kind.CREDIT_NOTE, payment=payment,
        refund=refund, credits=original, member_id=original.member_id, paid_at=None,
        buyer_name=original.buyer_name, total_cents=split.total_cents, vat_cents=split.vat_cents, **_seller(studio),
    )  # fmt: skip
    description = f"{text}: {line.description}" if line is not None else text
    InvoiceLine.objects.create(
        studio_id=refund.studio_id, invoice=note, description=description[:250], vat_rate=rate,
        total_cents=split.total_cents, vat_cents=split.vat_cents,
    )  # fmt: skip
    return note


def invoice_issue_or_later(*, payment: MolliePayment) -> Invoice | None:
    """Issues the invoice as the payment turns paid, in its transaction; if that fails, the payment still counts as
    paid and `invoices_sweep` issues the invoice later."""
    try:
        with transaction.atomic():
            return invoice_issue(payment=payment)
    except Exception:
        log.exception("invoice for payment %s left to the sweep", payment.pk)
        return None


def invoices_sweep(*, limit: int = 200, now: datetime | None = None) -> int:
    """The safety net: every paid payment without an invoice gets one (whatever path made it paid); returns how many."""
    del now  # invoices carry the moment they are issued
    missing = (
        MolliePayment.all_studios.filter(status=MolliePayment.Status.PAID)
        .exclude(Exists(Invoice.all_studios.filter(payment_id=OuterRef("pk"), kind=Invoice.Kind.INVOICE)))
        .order_by("paid_at", "pk")[:limit]
    )
    made = 0
    for payment in list(missing):
        try:
            invoice_issue(payment=payment)
        except Exception:  # one bad row must not stop the others; it is tried again next time
            log.exception("invoice for payment %s not issued", payment.pk)
            continue
        made += 1
    return made


def credit_notes_sweep(*, limit: int = 200) -> int:
    """Every refund that gives money back without its credit note gets one (a crash between the two, say)."""
    missing = (
        Refund.all_studios.exclude(status__in=[Refund.Status.FAILED, Refund.Status.CANCELED])
        .exclude(Exists(Invoice.all_studios.filter(refund_id=OuterRef("pk"))))
        .order_by("pk")[:limit]
    )
    made = 0
    for refund in list(missing):
        try:
            credit_note_issue(refund=refund)
        except Exception:
            log.exception("credit note for refund %s not issued", refund.pk)
            continue
        made += 1
    return made
