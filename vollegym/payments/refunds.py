"""Refunds: the owner gives (part of) a paid payment back through Mollie, and a member who withdraws within the 14 days
of an online sign-up gets back everything they paid.

Withdrawal, the rule we keep: whoever withdraws within the cooling-off period (art. 6:230o BW) gets back, in full,
everything they paid for that sign-up, also when they already trained. The law would allow the studio to keep a
pro-rata part for sessions used when the member asked to start within the 14 days; we do not keep it, because it asks
for a recorded request to start early and a calculation the member can check, and a refund in full is simple and
honest. A sign-up paid outside Mollie (marked paid by staff) is not refunded here: the studio pays that back itself.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.money import euro
from vollegym.payments.invoicing import credit_note_issue
from vollegym.payments.models import MolliePayment, Refund, Term
from vollegym.payments.mollie import Mollie, MollieRefused, MollieUnavailable
from vollegym.payments.services import PaymentsError, mollie_for
from vollegym.payments.webhooks import webhook_store
from vollegym.people.events import PaymentRefunded, event_record
from vollegym.programs.models import Cancellation
from vollegym.studios.models import User

log = logging.getLogger(__name__)

MAX_CENTS = 10_000_000  # € 100.000: more than any payment here; a typo past it is refused before any sum
REFRESH_EVERY = timedelta(hours=6)
FINAL = frozenset({Refund.Status.REFUNDED, Refund.Status.FAILED, Refund.Status.CANCELED})


def refunded_cents(payment: MolliePayment) -> int:
    """What went back on a payment: our refunds that count, or what Mollie says (a refund made in Mollie itself)."""
    ours = (
        Refund.objects.for_studio(payment.studio_id)
        .filter(payment=payment)
        .exclude(status__in=[Refund.Status.FAILED, Refund.Status.CANCELED])
        .aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    return max(ours, payment.refunded_cents)


def refundable_cents(payment: MolliePayment) -> int:
    """What can still go back: the amount paid, less what the bank charged back and what was refunded already."""
    if payment.status != MolliePayment.Status.PAID:
        return 0
    return max(payment.amount_cents - payment.charged_back_cents - refunded_cents(payment), 0)


def refund_create(
    *, payment: MolliePayment, cents: int, by: User | None, description: str = "",
    reason: str = Refund.Reason.OWNER, cancellation: Cancellation | None = None,
) -> Refund:  # fmt: skip
    """Gives back `cents` of a paid payment through Mollie: never more than what was paid minus earlier refunds and
    charge-backs (the payment's row is locked meanwhile, so two owners at once cannot both give the last euro back).
    Writes the refund, its credit note and an event together."""
    if not isinstance(cents, int) or isinstance(cents, bool) or not 1 <= cents <= MAX_CENTS:
        raise PaymentsError(_("Vul een bedrag in vanaf € 0,01."))
    mollie = mollie_for(payment.studio_id)
    if mollie is None:
        raise PaymentsError(_("Mollie is niet gekoppeld: terugbetalen kan alleen via Mollie."))
    try:
        with transaction.atomic():
            return _refund_create(payment, cents, by, description.strip(), reason, cancellation, mollie)
    except MollieUnavailable:
        raise PaymentsError(
            _(
                "Mollie antwoordt nu niet; er is niets terugbetaald. Probeer het over een paar minuten nog eens."
            )
        ) from None
    except MollieRefused as exc:
        log.warning("Mollie refused a refund on payment %s: %s", payment.pk, exc)
        raise PaymentsError(
            _("Mollie weigerde de terugbetaling: %(why)s. Er is niets terugbetaald.") % {"why": exc.detail}
        ) from None


def _refund_create(
    payment: MolliePayment, cents: int, by: User | None, description: str, reason: str,
    cancellation: Cancellation | None, mollie: Mollie,
) -> Refund:  # fmt: skip
    locked = (
        MolliePayment.objects.for_studio(payment.studio_id)
        .select_for_update()
        .select_related("term__member", "studio")
        .get(pk=payment.pk)
    )
    left = refundable_cents(locked)
    if locked.status != MolliePayment.Status.PAID:
        raise PaymentsError(_("Alleen een betaalde betaling kan worden terugbetaald."))
    if cents > left:
        raise PaymentsError(
            _("Er kan nog %(left)s terug op deze betaling; %(asked)s is te veel.")
            % {"left": euro(left), "asked": euro(cents)}
        )
    # One key per refund of this payment: the same attempt sent again (a lost answer) is the same refund at Mollie.
    done = Refund.objects.for_studio(locked.studio_id).filter(payment=locked).count()
    key = f"vollegym-refund-{locked.pk}-{done + 1}"
    text = description or _("Terugbetaling %(studio)s") % {"studio": locked.studio.name}
    made = mollie.refund_create(
        payment_id=locked.mollie_id, cents=cents, description=text, idempotency_key=key,
        metadata={"studio": locked.studio.slug, "payment": locked.pk, "reason": reason},
    )  # fmt: skip
    status = made.status if made.status in Refund.Status.values else Refund.Status.PENDING
    refund = Refund.objects.create(
        studio_id=locked.studio_id, payment=locked, mollie_id=made.id, amount_cents=cents, status=status,
        reason=reason, description=text[:140], cancellation=cancellation, created_by=by,
    )  # fmt: skip
    MolliePayment.objects.for_studio(locked.studio_id).filter(pk=locked.pk).update(
        refunded_cents=refunded_cents(locked)
    )
    credit_note_issue(refund=refund)
    event_record(
        studio=locked.studio_id, person=locked.term.member.person_id, by=by,
        event=PaymentRefunded(member_id=locked.term.member_id, term_id=locked.term_id, payment_id=locked.mollie_id,
                              refund_id=made.id, amount_cents=cents, reason=reason),
    )  # fmt: skip
    return refund


def refunds_refresh(*, now: datetime | None = None, limit: int = 200) -> int:
    """Asks Mollie how each refund still on its way is doing (a few times a day); a refund that failed or was
    canceled gives nothing back, so it no longer counts against what can be refunded. Returns how many changed."""
    now = now or clock.now()
    due = (
        Refund.all_studios.exclude(status__in=FINAL)
        .filter(checked_at__lt=now - REFRESH_EVERY)
        .select_related("payment")
        .order_by("checked_at")[:limit]
    )
    changed = 0
    for refund in list(due):
        mollie = mollie_for(refund.studio_id)
        if mollie is None:
            continue
        try:
            found = mollie.refund_get(payment_id=refund.payment.mollie_id, refund_id=refund.mollie_id)
        except (MollieUnavailable, MollieRefused) as exc:
            log.info("refund %s not refreshed: %s", refund.pk, exc)
            continue
        status = found.status if found.status in Refund.Status.values else refund.status
        changed += status != refund.status
        Refund.objects.for_studio(refund.studio_id).filter(pk=refund.pk).update(status=status, checked_at=now)
        if status in (Refund.Status.FAILED, Refund.Status.CANCELED) and status != refund.status:
            # The money stayed: the payment is fetched again, so what can be refunded follows Mollie's amounts.
            webhook_store(studio=refund.studio_id, payment_id=refund.payment.mollie_id)
    return changed


def withdrawals_refund(*, limit: int = 100) -> int:
    """Refunds in full every payment of a sign-up the member withdrew from within the 14 days (see the module's
    docstring for the rule), also one paid after the withdrawal; once: what was refunded already is not refunded
    again. Returns how many refunds were made."""
    withdrawn = Cancellation.all_studios.filter(
        enrolment_id=OuterRef("term__enrolment_id"), rule=Cancellation.Rule.COOLING_OFF
    )
    due = (
        MolliePayment.all_studios.filter(status=MolliePayment.Status.PAID)
        .filter(Exists(withdrawn))
        .filter(refunded_cents__lt=F("amount_cents") - F("charged_back_cents"))
        .select_related("term")
        .order_by("paid_at", "pk")[:limit]
    )
    made = 0
    for payment in list(due):
        cancellation = (
            Cancellation.objects.for_studio(payment.studio_id)
            .filter(enrolment_id=payment.term.enrolment_id, rule=Cancellation.Rule.COOLING_OFF)
            .first()
        )
        left = refundable_cents(payment)
        if cancellation is None or left < 1:
            continue
        try:
            refund_create(
                payment=payment, cents=left, by=None, reason=Refund.Reason.WITHDRAWAL, cancellation=cancellation,
                description=_("Herroeping binnen 14 dagen"),
            )  # fmt: skip
        except PaymentsError as exc:
            log.warning("withdrawal refund of payment %s not made: %s", payment.pk, exc.reason)
            continue
        made += 1
    return made


def refunds_of(payment: MolliePayment) -> list[Refund]:
    return list(
        Refund.objects.for_studio(payment.studio_id)
        .filter(payment=payment)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )


def terms_withdrawn(term: Term) -> bool:
    """Whether the member withdrew from this term's sign-up within the 14 days (its payments go back in full)."""
    return (
        Cancellation.objects.for_studio(term.studio_id)
        .filter(enrolment_id=term.enrolment_id, rule=Cancellation.Rule.COOLING_OFF)
        .exists()
    )
