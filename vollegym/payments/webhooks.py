"""Mollie's webhooks: stored first, then a worker fetches the payment from Mollie (the call carries only an id and is
not signed) with the studio's own key and settles its term. Statuses are taken in any order and any number of times:
a payment only moves forward (paid never goes back to open), and paid can still turn into charged back: each rise of
the charged-back amount is a charge-back of its own, with its credit note. When Mollie's refunded amount is not ours,
the payment's refunds are read from Mollie too (a refund made in Mollie's dashboard, one that failed there)."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet

from vollegym.core import clock
from vollegym.messaging.services import backoff
from vollegym.payments.invoicing import credit_note_issue_or_later, invoice_issue_or_later
from vollegym.payments.missed import missed_open, missed_owed, missed_paid
from vollegym.payments.models import (
    Chargeback,
    MandateSwitch,
    MissedPayment,
    MollieCustomer,
    MolliePayment,
    MollieWebhook,
    Term,
)
from vollegym.payments.mollie import Mollie, MollieRefused, MollieUnavailable, Payment
from vollegym.payments.refunds import refunds_out_of_line, refunds_take
from vollegym.payments.rounds import DATABASE_LOST, MollieRound
from vollegym.payments.selectors import term_owed_cents
from vollegym.payments.services import mollie_for
from vollegym.people.events import TermChargedBack, TermFailed, TermPaid, event_record
from vollegym.studios.models import Studio

log = logging.getLogger(__name__)

PAYMENT_ID = re.compile(r"tr_[A-Za-z0-9]{1,60}")
MAX_ATTEMPTS = 12  # about a day of backoff; the daily reconcile picks up whatever is left
# Open payments are looked at again once a day; paid ones too, for eight weeks, since a debit can be charged back.
RECONCILE_EVERY = timedelta(days=1)
CHARGEBACK_WINDOW = timedelta(weeks=8)
FINAL = frozenset({"paid", "failed", "canceled", "expired"})
RANK = {"open": 0, "pending": 1, "authorized": 2, "paid": 3, "failed": 3, "canceled": 3, "expired": 3}


def webhook_store(*, studio: Studio | int, payment_id: str) -> MollieWebhook:
    """Stores a call for a payment; a call for a payment already waiting in line folds into that one."""
    studio_id = studio if isinstance(studio, int) else studio.pk
    delivery = MollieWebhook(studio_id=studio_id, payment_id=payment_id)
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                delivery.save(force_insert=True)
        else:
            delivery.save(force_insert=True)
    except IntegrityError:
        waiting = MollieWebhook.objects.for_studio(studio_id).filter(
            payment_id=payment_id, status=MollieWebhook.Status.PENDING
        )
        waiting.update(calls=F("calls") + 1)
        found = waiting.first()
        if found is None:  # processed in the meantime: this call is a new one
            return webhook_store(studio=studio_id, payment_id=payment_id)
        return found
    return delivery


def _due(now: datetime) -> QuerySet[MollieWebhook]:
    return (
        MollieWebhook.all_studios.select_for_update(skip_locked=True)
        .filter(status=MollieWebhook.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
    )


def webhooks_process_due(*, limit: int = 20, now: datetime | None = None) -> int:
    """Handles up to `limit` due deliveries, each in its own transaction; returns how many. Once a studio's Mollie
    does not answer, its other deliveries wait for their next attempt instead of each asking Mollie now."""
    done = 0
    mollie_round = MollieRound()
    while done < limit and webhook_process_next(now=now, mollie_round=mollie_round):
        done += 1
    return done


def webhook_process_next(*, now: datetime | None = None, mollie_round: MollieRound | None = None) -> bool:
    """Claims the oldest due delivery (skipping one another worker holds, and those of a studio whose Mollie did not
    answer this round), fetches its payment and settles it."""
    now = now or clock.now()
    mollie_round = mollie_round or MollieRound()
    with transaction.atomic():
        delivery = _due(now).exclude(studio_id__in=mollie_round.studios_down).first()
        if delivery is None:
            return False
        delivery.attempts += 1
        delivery.processed_at = clock.now()
        payment = (
            MolliePayment.objects.for_studio(delivery.studio_id)
            .select_for_update()
            .filter(mollie_id=delivery.payment_id)
            .first()
        )
        mollie = mollie_for(delivery.studio_id) if payment is not None else None
        if payment is None or mollie is None:
            # Not a payment this studio made (another studio's id, a guess): nothing is asked of Mollie, nothing changes.
            delivery.status, delivery.error = MollieWebhook.Status.IGNORED, "no such payment of this studio"
        else:
            try:
                _fetch_and_apply(payment, mollie)
                delivery.status, delivery.error = MollieWebhook.Status.PROCESSED, ""
            except MollieUnavailable as exc:
                mollie_round.down(delivery.studio_id, exc)
                delivery.error = str(exc)[:500]
                if delivery.attempts >= MAX_ATTEMPTS:
                    delivery.status = MollieWebhook.Status.FAILED
                    _looked_at(payment)  # the daily reconcile asks again tomorrow, not at once
                else:
                    delivery.next_attempt_at = clock.now() + backoff(delivery.attempts)
            except MollieRefused as exc:
                delivery.status, delivery.error = MollieWebhook.Status.FAILED, str(exc)[:500]
                _looked_at(payment)
        delivery.save(update_fields=["status", "error", "attempts", "processed_at", "next_attempt_at"])
        return True


def _fetch_and_apply(payment: MolliePayment, mollie: Mollie) -> None:
    fetched = mollie.payment_get(payment.mollie_id)
    payment_apply(payment=payment, fetched=fetched)
    if not refunds_out_of_line(payment=payment, mollie_says_cents=fetched.refunded_cents):
        return
    listed = mollie.refunds_list(payment.mollie_id)
    try:
        with transaction.atomic():
            refunds_take(payment=payment, listed=listed)
    except DATABASE_LOST:
        raise
    except Exception:  # the payment's own news stands; the refunds' reconcile tries the rest again
        log.exception("refunds of payment %s not taken in", payment.pk)


def _looked_at(payment: MolliePayment) -> None:
    payment.checked_at = clock.now()
    payment.save(update_fields=["checked_at"])


def payment_apply(*, payment: MolliePayment, fetched: Payment) -> bool:
    """Takes what Mollie says of a payment (in any order, any number of times): only forward, paid stays paid, a
    charge-back after paid counts; the term follows. Returns whether anything changed."""
    if fetched.id != payment.mollie_id:
        raise ValueError(f"Mollie answered with {fetched.id} for {payment.mollie_id}")
    changed: list[str] = ["checked_at"]
    payment.checked_at = clock.now()
    new_status = fetched.status if fetched.status in RANK else payment.status
    moved = (
        new_status != payment.status
        and payment.status not in FINAL
        and RANK[new_status] >= RANK[payment.status]
    )
    if moved:
        payment.status = new_status
        changed.append("status")
        if new_status == "paid":
            payment.paid_at = fetched.paid_at or clock.now()
            payment.mandate_id = fetched.mandate_id or payment.mandate_id
            changed += ["paid_at", "mandate_id"]
    if fetched.refunded_cents != payment.refunded_cents:
        payment.refunded_cents = fetched.refunded_cents
        changed.append("refunded_cents")
    charged_back = payment.status == "paid" and fetched.charged_back_cents > payment.charged_back_cents
    back_before = payment.charged_back_cents
    if charged_back:
        payment.charged_back_cents = fetched.charged_back_cents
        changed.append("charged_back_cents")
    payment.save(update_fields=changed)
    if moved and payment.status == "paid":
        _term_paid(payment)
        invoice_issue_or_later(payment=payment)
    elif moved and payment.status in FINAL:
        _term_failed(payment)
    if charged_back:
        chargeback = _chargeback_record(payment, back_before)
        if chargeback is not None:
            credit_note_issue_or_later(chargeback=chargeback)
        _term_charged_back(payment)
    return moved or charged_back


def _chargeback_record(payment: MolliePayment, back_before: int) -> Chargeback | None:
    """The rise of a payment's charged-back amount as a charge-back of its own (once per step, however often Mollie
    says so), so the books credit exactly what the bank took back."""
    chargeback = Chargeback(
        studio_id=payment.studio_id, payment=payment, amount_cents=payment.charged_back_cents - back_before,
        total_cents=payment.charged_back_cents,
    )  # fmt: skip
    try:
        with transaction.atomic():
            chargeback.save(force_insert=True)
    except IntegrityError:
        return None  # recorded a moment ago by another worker: theirs stands, with its credit note
    return chargeback


def _locked_term(payment: MolliePayment) -> Term:
    return (
        Term.objects.for_studio(payment.studio_id)
        .select_for_update()
        .select_related("member", "enrolment")
        .get(pk=payment.term_id)
    )


def _term_paid(payment: MolliePayment) -> None:
    term = _locked_term(payment)
    if payment.sequence_type == MolliePayment.Sequence.FIRST and payment.mandate_id:
        MollieCustomer.objects.for_studio(payment.studio_id).filter(member_id=term.member_id).update(
            mandate_id=payment.mandate_id, mandate_at=payment.paid_at
        )
    if term.status == Term.Status.PAID or (
        term.status == Term.Status.CHARGED_BACK and payment.charged_back_cents
    ):
        return  # paid by another payment already (two checkouts, both completed): the owner refunds one later
    # A charged-back term paid again (its pay link) is paid; the payment taken back stays taken back.
    term.status, term.paid_at, term.last_error = Term.Status.PAID, payment.paid_at, ""
    term.save(update_fields=["status", "paid_at", "last_error"])
    missed_paid(term=term)
    event_record(
        studio=term.studio_id, person=term.member.person_id,
        event=TermPaid(member_id=term.member_id, enrolment_id=term.enrolment_id, term_id=term.pk,
                       amount_cents=payment.amount_cents, payment_id=payment.mollie_id),
    )  # fmt: skip
    if term.number == 1 and term.enrolment.first_payment_paid_at is None:
        from vollegym.programs.services import enrolment_mark_paid

        enrolment_mark_paid(enrolment=term.enrolment, by=None)


def _term_failed(payment: MolliePayment) -> None:
    term = _locked_term(payment)
    latest = (
        MolliePayment.objects.for_studio(payment.studio_id)
        .filter(term_id=term.pk)
        .order_by("-created_at", "-pk")
    ).first()
    # Only the term's latest payment speaks for it: an old checkout expiring after a newer one was paid says nothing.
    if (
        term.status not in (Term.Status.OPEN, Term.Status.SCHEDULED)
        or latest is None
        or latest.pk != payment.pk
    ):
        return
    switch = MandateSwitch.objects.for_studio(payment.studio_id).filter(payment_id=payment.mollie_id).exists()
    if switch:
        # A move to another IBAN not completed: the term is debited on the old mandate, as it was announced.
        term.status, term.last_error = Term.Status.SCHEDULED, ""
        term.save(update_fields=["status", "last_error"])
        return
    term.status, term.last_error = Term.Status.FAILED, f"Mollie: {payment.status}"
    term.save(update_fields=["status", "last_error"])
    if payment.sequence_type == MolliePayment.Sequence.RECURRING:
        # A failed debit; a checkout the member let go is theirs to try again, on the same page.
        missed_open(term=term, reason=MissedPayment.Reason.FAILED, detail=payment.status,
                    payment_id=payment.mollie_id, amount_cents=payment.amount_cents)  # fmt: skip
    event_record(
        studio=term.studio_id, person=term.member.person_id,
        event=TermFailed(member_id=term.member_id, enrolment_id=term.enrolment_id, term_id=term.pk,
                         amount_cents=payment.amount_cents, payment_id=payment.mollie_id, status=payment.status),
    )  # fmt: skip


def _term_charged_back(payment: MolliePayment) -> None:
    """The term is owed again, for what the bank took back (the member is asked that, not the whole term)."""
    term = _locked_term(payment)
    owed = term_owed_cents(term)
    if term.status == Term.Status.CHARGED_BACK:
        missed_owed(term=term, amount_cents=owed)  # more taken back since: the open task says so
        return
    if owed < 1:
        return  # paid again in full already (two checkouts both paid): nothing is owed
    term.status, term.last_error = Term.Status.CHARGED_BACK, "Mollie: charged back"
    term.save(update_fields=["status", "last_error"])
    missed_open(term=term, reason=MissedPayment.Reason.CHARGED_BACK, detail="charged back",
                payment_id=payment.mollie_id, amount_cents=owed)  # fmt: skip
    event_record(
        studio=term.studio_id, person=term.member.person_id,
        event=TermChargedBack(member_id=term.member_id, enrolment_id=term.enrolment_id, term_id=term.pk,
                              amount_cents=payment.charged_back_cents, payment_id=payment.mollie_id),
    )  # fmt: skip


def payments_reconcile(*, now: datetime | None = None, limit: int = 500) -> int:
    """Once a day, every open payment (and every paid one for eight weeks, for charge-backs) goes through the same
    queue as a webhook, in case a webhook never came; returns how many were queued."""
    now = now or clock.now()
    stale = (
        MolliePayment.all_studios.filter(checked_at__lt=now - RECONCILE_EVERY)
        .filter(Q(status__in=["open", "pending", "authorized"])
                | Q(status="paid", paid_at__gt=now - CHARGEBACK_WINDOW))
        .order_by("checked_at")
        .values_list("studio_id", "mollie_id")[:limit]
    )  # fmt: skip
    queued = 0
    for studio_id, mollie_id in list(stale):
        webhook_store(studio=studio_id, payment_id=mollie_id)
        queued += 1
    return queued
