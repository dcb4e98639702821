"""Invoices: one per paid payment, a credit note per refund and per charge-back, a correction for a credit note whose
refund failed after all; numbered per studio in one sequence without gaps, never deleted.

Locks, always in this order: the payment's row first, then the studio's counter row (SELECT … FOR UPDATE), both held
until the transaction that writes the document ends. Under the payment's lock "is there a document already?" is
answered after any other writer for that payment committed; under the counter's lock a second payment at the same
moment waits for the first to commit, and a transaction that rolls back takes its number back with it. One order
everywhere (a refund, a webhook and a sweep all lock the payment first) means no two of them can wait on each other.
The database refuses two documents with one number (studio, number), two invoices for one payment, two credit notes
for one refund or charge-back and two corrections of one credit note.

The books hold, per payment: invoice − credit notes + corrections = what was paid − what went back and stayed back.

BTW is worked out per line from the amount incl. BTW (what the member paid): excl. = round(incl. × 100 / (100 +
rate)), BTW = incl. − excl., so the two always add up to the cent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext

from vollegym.payments.models import (
    Chargeback,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    MolliePayment,
    Refund,
    Term,
)
from vollegym.payments.rounds import DATABASE_LOST
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


def _payment_lock(studio_id: int, payment_id: int) -> MolliePayment:
    """The payment's row, locked until the caller's transaction ends: the first lock of every writer of the books."""
    return MolliePayment.objects.for_studio(studio_id).select_for_update().get(pk=payment_id)


@transaction.atomic
def invoice_issue(*, payment: MolliePayment) -> Invoice | None:
    """Issues the invoice of a paid payment, once (a second call returns the first); None while it is not paid.

    The line carries the program's BTW rate as it is today; the studio's details and the member's name are copied in.
    """
    locked = _payment_lock(payment.studio_id, payment.pk)
    if locked.status != MolliePayment.Status.PAID:
        return None
    existing = invoice_for(locked)
    if existing is not None:
        return existing
    counter = _counter_lock(locked.studio_id)
    term = (
        Term.objects.for_studio(locked.studio_id)
        .select_related("studio", "member__person", "enrolment__program")
        .get(pk=locked.term_id)
    )
    split = vat_split(total_cents=locked.amount_cents, rate=term.enrolment.program.vat_rate)
    invoice = Invoice.objects.create(
        studio_id=locked.studio_id, number=_number_take(counter), kind=Invoice.Kind.INVOICE, payment=locked,
        member=term.member, paid_at=locked.paid_at, buyer_name=term.member.person.name,
        total_cents=split.total_cents, vat_cents=split.vat_cents, **_seller(term.studio),
    )  # fmt: skip
    InvoiceLine.objects.create(
        studio_id=locked.studio_id, invoice=invoice, description=_line_text(term),
        vat_rate=term.enrolment.program.vat_rate, total_cents=split.total_cents, vat_cents=split.vat_cents,
    )  # fmt: skip
    return invoice


def _first_line(invoice: Invoice) -> InvoiceLine | None:
    return InvoiceLine.objects.for_studio(invoice.studio_id).filter(invoice=invoice).order_by("pk").first()


def _document_issue(
    *, payment: MolliePayment, kind: str, refers_to: Invoice, cents: int, text: str, rate: int,
    line_text: str, refund: Refund | None = None, chargeback: Chargeback | None = None,
) -> Invoice:  # fmt: skip
    """A credit note or a correction: its number under the counter's lock (the payment's is held already)."""
    counter = _counter_lock(payment.studio_id)
    split = vat_split(total_cents=cents, rate=rate)
    studio = Studio.objects.get(pk=payment.studio_id)
    document = Invoice.objects.create(
        studio_id=payment.studio_id, number=_number_take(counter), kind=kind, payment=payment, refund=refund,
        chargeback=chargeback, credits=refers_to, member_id=refers_to.member_id, paid_at=None,
        buyer_name=refers_to.buyer_name, total_cents=split.total_cents, vat_cents=split.vat_cents,
        **_seller(studio),
    )  # fmt: skip
    description = f"{text}: {line_text}" if line_text else text
    InvoiceLine.objects.create(
        studio_id=payment.studio_id, invoice=document, description=description[:250], vat_rate=rate,
        total_cents=split.total_cents, vat_cents=split.vat_cents,
    )  # fmt: skip
    return document


@transaction.atomic
def credit_note_issue(*, refund: Refund | None = None, chargeback: Chargeback | None = None) -> Invoice:
    """The credit note of a refund that gives money back, or of a charge-back: negative, its own number in the same
    sequence, at the BTW rate of the invoice it credits (issued first if the payment had none yet); once per cause."""
    cause: Refund | Chargeback
    if refund is not None and chargeback is None:
        cause = refund
    elif chargeback is not None and refund is None:
        cause = chargeback
    else:
        raise ValueError("a credit note has one cause: a refund or a charge-back")
    locked = _payment_lock(cause.studio_id, cause.payment_id)
    notes = Invoice.objects.for_studio(locked.studio_id)
    existing = (notes.filter(refund_id=cause.pk) if refund else notes.filter(chargeback_id=cause.pk)).first()
    if existing is not None:
        return existing
    if refund is not None:
        refund = Refund.objects.for_studio(locked.studio_id).get(pk=refund.pk)  # its status as committed
        if not refund.counts:
            raise ValueError(f"refund {refund.pk} gives nothing back ({refund.status}): no credit note")
        cause = refund
    original = invoice_issue(payment=locked)
    if original is None:
        raise ValueError(f"payment {locked.pk} is not paid: no credit note")
    line = _first_line(original)
    with translation.override("nl"):
        if refund is not None:
            text = gettext("Terugbetaling op factuur %(code)s") % {"code": original.code}
        else:
            text = gettext("Terugboeking door de bank op factuur %(code)s") % {"code": original.code}
    return _document_issue(
        payment=locked, kind=Invoice.Kind.CREDIT_NOTE, refers_to=original, cents=-cause.amount_cents, text=text,
        rate=line.vat_rate if line is not None else 21, line_text=line.description if line is not None else "",
        refund=refund, chargeback=chargeback,
    )  # fmt: skip


@transaction.atomic
def correction_issue(*, credit_note: Invoice) -> Invoice:
    """A credit note whose refund Mollie reports failed or canceled stays as it was issued; this positive document
    undoes it, with its own number in the same sequence, at the credit note's rate; once per credit note."""
    if credit_note.kind != Invoice.Kind.CREDIT_NOTE:
        raise ValueError(f"{credit_note.code} is not a credit note")
    locked = _payment_lock(credit_note.studio_id, credit_note.payment_id)
    existing = (
        Invoice.objects.for_studio(locked.studio_id)
        .filter(credits=credit_note, kind=Invoice.Kind.CORRECTION)
        .first()
    )
    if existing is not None:
        return existing
    line = _first_line(credit_note)
    with translation.override("nl"):
        text = gettext("Correctie op creditfactuur %(code)s: de terugbetaling is niet gelukt") % {
            "code": credit_note.code
        }
    return _document_issue(
        payment=locked, kind=Invoice.Kind.CORRECTION, refers_to=credit_note, cents=-credit_note.total_cents,
        text=text, rate=line.vat_rate if line is not None else 21, line_text="",
    )  # fmt: skip


def invoice_issue_or_later(*, payment: MolliePayment) -> Invoice | None:
    """Issues the invoice as the payment turns paid, in its transaction; if that fails, the payment still counts as
    paid and `invoices_sweep` issues the invoice later. A database gone away is not such a failure: it goes up."""
    try:
        with transaction.atomic():
            return invoice_issue(payment=payment)
    except DATABASE_LOST:
        raise
    except Exception:
        log.exception("invoice for payment %s left to the sweep", payment.pk)
        return None


def credit_note_issue_or_later(*, refund: Refund | None = None, chargeback: Chargeback | None = None) -> None:
    """As `invoice_issue_or_later`, for a credit note: `credit_notes_sweep` issues what fails here."""
    try:
        with transaction.atomic():
            credit_note_issue(refund=refund, chargeback=chargeback)
    except DATABASE_LOST:
        raise
    except Exception:
        log.exception("credit note for refund %s / charge-back %s left to the sweep", refund, chargeback)


def invoices_sweep(*, limit: int = 200, now: datetime | None = None) -> int:
    """The safety net: every paid payment without an invoice gets one (whatever path made it paid); returns how many.
    A database error goes up to the worker, which waits it out and sweeps again."""
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
        except DATABASE_LOST:
            raise
        except Exception:  # one bad row must not stop the others; it is tried again next time
            log.exception("invoice for payment %s not issued", payment.pk)
            continue
        made += 1
    return made


def credit_notes_sweep(*, limit: int = 200) -> int:
    """Every refund that gives money back and every charge-back without its credit note gets one (a crash between
    the two, say), and every credit note whose refund gave nothing back after all its correction; returns how many.
    A database error goes up to the worker."""
    refunds = (
        Refund.all_studios.filter(status__in=Refund.GIVES_BACK)
        .exclude(Exists(Invoice.all_studios.filter(refund_id=OuterRef("pk"))))
        .order_by("pk")[:limit]
    )
    chargebacks = Chargeback.all_studios.exclude(
        Exists(Invoice.all_studios.filter(chargeback_id=OuterRef("pk")))
    ).order_by("pk")[:limit]
    uncorrected = (
        Invoice.all_studios.filter(kind=Invoice.Kind.CREDIT_NOTE, refund__status__in=Refund.GAVE_NOTHING)
        .exclude(Exists(Invoice.all_studios.filter(credits_id=OuterRef("pk"), kind=Invoice.Kind.CORRECTION)))
        .order_by("pk")[:limit]
    )
    work = [
        *(partial(credit_note_issue, refund=r) for r in refunds),
        *(partial(credit_note_issue, chargeback=c) for c in chargebacks),
        *(partial(correction_issue, credit_note=n) for n in uncorrected),
    ]
    made = 0
    for issue in work:
        try:
            issue()
        except DATABASE_LOST:
            raise
        except Exception:
            log.exception("document %s not issued", issue.keywords)
            continue
        made += 1
    return made
