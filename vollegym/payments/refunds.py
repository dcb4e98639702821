"""Refunds: the owner gives (part of) a paid payment back through Mollie, a member who withdraws within the 14 days
of an online sign-up gets back everything they paid, and a refund made in Mollie's own dashboard reaches the books.

A refund is made in three steps, so no refund Mollie made can be lost and none is made twice:
1. requested: the row is written and committed first, under the payment's lock (what is left is checked there, and
   the request holds its amount), with an idempotency key of its own;
2. Mollie is asked, with that key and the row's id in the metadata;
3. settled: Mollie's answer (its id, its status, the amount it made) and the credit note are written, under the
   payment's lock and then the invoice counter's, the one lock order of the books.
If the answer is lost (Mollie down, a crash, a transaction that rolls back), `refunds_reconcile` reads the payment's
refunds from Mollie: a refund whose metadata names the row settles it, and a row Mollie still does not have is asked
again with the same key. A refund in Mollie's list that names no row of ours was made in Mollie's dashboard: it gets a
row and a credit note. A refund Mollie later reports failed or canceled keeps its credit note (an issued document is
never deleted) and gets a correction (see invoicing), and no longer counts anywhere.

Withdrawal, the rule we keep: whoever withdraws within the cooling-off period (art. 6:230o BW) gets back, in full,
everything they paid for that sign-up, also when they already trained. The law would allow the studio to keep a
pro-rata part for sessions used when the member asked to start within the 14 days; we do not keep it, because it asks
for a recorded request to start early and a calculation the member can check, and a refund in full is simple and
honest. A sign-up paid outside Mollie (marked paid by staff) is not refunded here: the studio pays that back itself.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.money import euro
from vollegym.payments import mollie as api
from vollegym.payments.invoicing import correction_issue, credit_note_issue
from vollegym.payments.models import MAX_CENTS, Invoice, MolliePayment, Refund, Term
from vollegym.payments.mollie import Mollie, MollieRefused, MollieUnavailable
from vollegym.payments.rounds import DATABASE_LOST, MollieRound
from vollegym.payments.services import PaymentsError, mollie_for
from vollegym.people.events import PaymentRefunded, event_record
from vollegym.programs.models import Cancellation
from vollegym.studios.models import User

log = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(hours=6)  # a refund on its way is looked up at Mollie a few times a day
# A request without Mollie's answer for this long: its own request is surely over, so Mollie's list tells.
ASK_AGAIN_AFTER = timedelta(minutes=5)
ON_ITS_WAY = Refund.HOLDS - {Refund.Status.REFUNDED, Refund.Status.REQUESTED}


def refunded_cents(payment: MolliePayment) -> int:
    """What went (or is going) back on a payment: our refunds that hold, or what Mollie says, whichever is more."""
    ours = (
        Refund.objects.for_studio(payment.studio_id)
        .filter(payment=payment, status__in=Refund.HOLDS)
        .aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    return max(ours, payment.refunded_cents)


def _given_back_cents(payment: MolliePayment) -> int:
    """What our refunds of a payment give back: what Mollie's refunded amount says once we know all of them."""
    return (
        Refund.objects.for_studio(payment.studio_id)
        .filter(payment=payment, status__in=Refund.GIVES_BACK)
        .aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )


def refunds_out_of_line(*, payment: MolliePayment, mollie_says_cents: int) -> bool:
    """Whether Mollie's refunded amount of a payment is not what our refunds give back: then Mollie's list of them is
    read (a refund made in its dashboard, one that failed, a request whose answer was lost)."""
    return _given_back_cents(payment) != mollie_says_cents


def refundable_cents(payment: MolliePayment) -> int:
    """What can still go back: the amount paid, less what the bank charged back and what was refunded already."""
    if payment.status != MolliePayment.Status.PAID:
        return 0
    return max(payment.amount_cents - payment.charged_back_cents - refunded_cents(payment), 0)


def refund_create(
    *, payment: MolliePayment, cents: int, by: User | None, description: str = "",
    reason: str = Refund.Reason.OWNER, cancellation: Cancellation | None = None,
) -> Refund:  # fmt: skip
    """Gives back `cents` of a paid payment through Mollie, exactly once: never more than what was paid minus earlier
    refunds and charge-backs (checked under the payment's lock, where the request is written before Mollie is asked).
    Returns the refund settled with its credit note, or still `requested` when Mollie's answer did not come (then
    `refunds_reconcile` finishes it)."""
    if not isinstance(cents, int) or isinstance(cents, bool) or not 1 <= cents <= MAX_CENTS:
        raise PaymentsError(_("Vul een bedrag in vanaf € 0,01."))
    mollie = mollie_for(payment.studio_id)
    if mollie is None:
        raise PaymentsError(_("Mollie is niet gekoppeld: terugbetalen kan alleen via Mollie."))
    refund = _refund_request(payment, cents, by, description.strip(), reason, cancellation)
    try:
        made = _refund_ask(mollie, refund)
    except MollieUnavailable as exc:
        log.info("refund %s requested, Mollie did not answer (the reconcile asks again): %s", refund.pk, exc)
        return refund
    except MollieRefused as exc:
        log.warning("Mollie refused refund %s on payment %s: %s", refund.pk, payment.pk, exc)
        _refund_refused(refund)
        raise PaymentsError(
            _("Mollie weigerde de terugbetaling: %(why)s. Er is niets terugbetaald.") % {"why": exc.detail}
        ) from None
    try:
        return refund_settle(refund=refund, made=made)
    except DATABASE_LOST:
        raise
    except Exception:  # Mollie made it: the reconcile finds it in Mollie's list and settles it
        log.exception(
            "refund %s made at Mollie (%s) but not settled here; left to the reconcile", refund.pk, made.id
        )
        return refund


@transaction.atomic
def _refund_request(
    payment: MolliePayment, cents: int, by: User | None, description: str, reason: str,
    cancellation: Cancellation | None,
) -> Refund:  # fmt: skip
    locked = (
        MolliePayment.objects.for_studio(payment.studio_id)
        .select_for_update()
        .select_related("studio")
        .get(pk=payment.pk)
    )
    if locked.status != MolliePayment.Status.PAID:
        raise PaymentsError(_("Alleen een betaalde betaling kan worden terugbetaald."))
    left = refundable_cents(locked)
    if cents > left:
        raise PaymentsError(
            _("Er kan nog %(left)s terug op deze betaling; %(asked)s is te veel.")
            % {"left": euro(left), "asked": euro(cents)}
        )
    text = description or _("Terugbetaling %(studio)s") % {"studio": locked.studio.name}
    return Refund.objects.create(
        studio_id=locked.studio_id, payment=locked, idempotency_key=f"vollegym-refund-{uuid.uuid4().hex}",
        amount_cents=cents, status=Refund.Status.REQUESTED, reason=reason, description=text[:140],
        cancellation=cancellation, created_by=by,
    )  # fmt: skip


def _refund_ask(mollie: Mollie, refund: Refund) -> api.Refund:
    """Asks Mollie for a requested refund, with its own key: asked twice, it is one refund at Mollie."""
    payment = (
        MolliePayment.objects.for_studio(refund.studio_id).select_related("studio").get(pk=refund.payment_id)
    )
    return mollie.refund_create(
        payment_id=payment.mollie_id, cents=refund.amount_cents, description=refund.description,
        idempotency_key=refund.idempotency_key,
        metadata={"studio": payment.studio.slug, "payment": payment.pk, "reason": refund.reason,
                  "refund": refund.pk},
    )  # fmt: skip


@transaction.atomic
def _refund_refused(refund: Refund) -> None:
    """Mollie would not make it: the request gave nothing back and holds nothing any more (it stays, as a trace)."""
    MolliePayment.objects.for_studio(refund.studio_id).select_for_update().get(pk=refund.payment_id)
    Refund.objects.for_studio(refund.studio_id).filter(pk=refund.pk, status=Refund.Status.REQUESTED).update(
        status=Refund.Status.FAILED, checked_at=clock.now()
    )


def _status_of(found: api.Refund, fallback: str) -> str:
    """Mollie's status, if it is one of Mollie's (never our own `requested`)."""
    known = found.status in Refund.Status.values and found.status != Refund.Status.REQUESTED
    return found.status if known else fallback


def _payment_refunded_set(payment: MolliePayment, cents: int) -> None:
    MolliePayment.objects.for_studio(payment.studio_id).filter(pk=payment.pk).update(refunded_cents=cents)


def _refunded_event(refund: Refund, payment: MolliePayment) -> None:
    term = Term.objects.for_studio(payment.studio_id).select_related("member").get(pk=payment.term_id)
    event_record(
        studio=payment.studio_id, person=term.member.person_id, by=refund.created_by,
        event=PaymentRefunded(member_id=term.member_id, term_id=term.pk, payment_id=payment.mollie_id,
                              refund_id=refund.mollie_id, amount_cents=refund.amount_cents, reason=refund.reason),
    )  # fmt: skip


@transaction.atomic
def refund_settle(*, refund: Refund, made: api.Refund) -> Refund:
    """Writes Mollie's answer to a requested refund (its id, status and the amount it made), the credit note when the
    money goes back, and the event; once: a refund settled already (by the reconcile, say) is left as it is."""
    payment = MolliePayment.objects.for_studio(refund.studio_id).select_for_update().get(pk=refund.payment_id)
    current = Refund.objects.for_studio(refund.studio_id).get(pk=refund.pk)
    if current.mollie_id or current.status != Refund.Status.REQUESTED:
        return current
    current.mollie_id = made.id
    current.amount_cents = made.amount_cents if made.amount_cents >= 1 else current.amount_cents
    current.status = _status_of(made, Refund.Status.PENDING)
    current.checked_at = clock.now()
    current.save(update_fields=["mollie_id", "amount_cents", "status", "checked_at"])
    # Mollie's refunded amount grows by this one (one made in its dashboard meanwhile stays in it).
    _payment_refunded_set(payment, max(_given_back_cents(payment), payment.refunded_cents))
    if current.counts:
        credit_note_issue(refund=current)
    _refunded_event(current, payment)
    return current


def _our_request(found: api.Refund, requested: dict[int, Refund]) -> Refund | None:
    """The requested row a refund at Mollie was made for: its metadata names the row (and it is of this payment)."""
    named = found.metadata.get("refund")
    try:
        return requested.get(int(str(named)))
    except ValueError:
        return None


@transaction.atomic
def refunds_take(*, payment: MolliePayment, listed: list[api.Refund], now: datetime | None = None) -> int:
    """Brings our refunds of a payment in line with Mollie's list of them: a status moved on (a failed or canceled one
    gets its credit note corrected), a request Mollie made settled, and a refund made in Mollie's dashboard written
    with its credit note. Under the payment's lock; returns how many changed."""
    now = now or clock.now()
    locked = MolliePayment.objects.for_studio(payment.studio_id).select_for_update().get(pk=payment.pk)
    ours = list(Refund.objects.for_studio(locked.studio_id).filter(payment=locked))
    by_id = {r.mollie_id: r for r in ours if r.mollie_id}
    requested = {r.pk: r for r in ours if r.status == Refund.Status.REQUESTED and not r.mollie_id}
    changed = 0
    for found in listed:
        if not found.id or found.payment_id not in ("", locked.mollie_id):
            continue
        if found.id in by_id:
            changed += _refund_moved(by_id[found.id], found)
        elif (request := _our_request(found, requested)) is not None:
            del requested[request.pk]
            refund_settle(refund=request, made=found)
            changed += 1
        elif found.amount_cents >= 1:
            _refund_found(locked, found, now)
            changed += 1
    Refund.objects.for_studio(locked.studio_id).filter(payment=locked).exclude(mollie_id="").exclude(
        status__in=Refund.GAVE_NOTHING
    ).update(checked_at=now)
    _payment_refunded_set(locked, _given_back_cents(locked))  # Mollie's whole list is ours now
    return changed


def _refund_moved(refund: Refund, found: api.Refund) -> int:
    """A known refund's status as Mollie has it now; from giving back to giving nothing, its credit note is
    corrected. A failed or canceled refund stays so."""
    status = _status_of(found, refund.status)
    if status == refund.status or refund.status in Refund.GAVE_NOTHING:
        return 0
    counted = refund.counts
    refund.status = status
    refund.save(update_fields=["status"])
    note = Invoice.objects.for_studio(refund.studio_id).filter(refund=refund).first()
    if counted and not refund.counts and note is not None:
        correction_issue(credit_note=note)
    elif refund.counts and note is None:
        credit_note_issue(refund=refund)
    return 1


def _refund_found(payment: MolliePayment, found: api.Refund, now: datetime) -> Refund:
    """A refund made in Mollie's dashboard, not through us: written as Mollie has it, with its credit note."""
    refund = Refund.objects.create(
        studio_id=payment.studio_id, payment=payment, mollie_id=found.id, amount_cents=found.amount_cents,
        status=_status_of(found, Refund.Status.PENDING), reason=Refund.Reason.MOLLIE,
        description=found.description[:140], created_at=found.created_at or now, checked_at=now,
    )  # fmt: skip
    if refund.counts:
        credit_note_issue(refund=refund)
    _refunded_event(refund, payment)
    return refund


def refunds_sync(*, payment: MolliePayment, mollie: Mollie, now: datetime | None = None) -> int:
    """Reads the payment's refunds from Mollie and takes them in (`refunds_take`); a request Mollie still does not
    have after ASK_AGAIN_AFTER is asked again with its own key. Mollie unavailable goes up to the caller."""
    now = now or clock.now()
    changed = refunds_take(payment=payment, listed=mollie.refunds_list(payment.mollie_id), now=now)
    waiting = Refund.objects.for_studio(payment.studio_id).filter(
        payment_id=payment.pk,
        status=Refund.Status.REQUESTED,
        mollie_id="",
        created_at__lt=now - ASK_AGAIN_AFTER,
    )
    for refund in list(waiting.order_by("pk")):
        try:
            made = _refund_ask(mollie, refund)
        except MollieRefused as exc:
            log.warning("Mollie refused requested refund %s: %s", refund.pk, exc)
            _refund_refused(refund)
        else:
            refund_settle(refund=refund, made=made)
        changed += 1
    return changed


def refunds_reconcile(
    *, now: datetime | None = None, limit: int = 200, mollie_round: MollieRound | None = None
) -> int:
    """The sweep: every payment with a refund still on its way (a few times a day) or a request without Mollie's
    answer is brought in line with Mollie's list (`refunds_sync`). A studio whose Mollie does not answer waits for the
    next round. Returns how many refunds changed."""
    now = now or clock.now()
    mollie_round = mollie_round or MollieRound()
    due = (
        Refund.all_studios.filter(
            Q(status=Refund.Status.REQUESTED, created_at__lt=now - ASK_AGAIN_AFTER)
            | Q(status__in=ON_ITS_WAY, checked_at__lt=now - REFRESH_EVERY)
        )
        .order_by("payment_id")
        .values_list("studio_id", "payment_id")
        .distinct()[:limit]
    )
    changed = 0
    for studio_id, payment_id in list(due):
        if mollie_round.skips(studio_id):
            continue
        mollie = mollie_for(studio_id)
        if mollie is None:
            continue
        payment = MolliePayment.objects.for_studio(studio_id).get(pk=payment_id)
        try:
            changed += refunds_sync(payment=payment, mollie=mollie, now=now)
        except MollieUnavailable as exc:
            mollie_round.down(studio_id, exc)
        except MollieRefused as exc:
            log.warning("refunds of payment %s not reconciled: %s", payment_id, exc)
    return changed


def withdrawals_refund(*, limit: int = 100, mollie_round: MollieRound | None = None) -> int:
    """Refunds in full every payment of a sign-up the member withdrew from within the 14 days (see the module's
    docstring for the rule), also one paid after the withdrawal; once: what was refunded already is not refunded
    again. Returns how many refunds were made (or requested, while Mollie does not answer)."""
    mollie_round = mollie_round or MollieRound()
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
        if mollie_round.skips(payment.studio_id):
            continue
        cancellation = (
            Cancellation.objects.for_studio(payment.studio_id)
            .filter(enrolment_id=payment.term.enrolment_id, rule=Cancellation.Rule.COOLING_OFF)
            .first()
        )
        left = refundable_cents(payment)
        if cancellation is None or left < 1:
            continue
        try:
            refund = refund_create(
                payment=payment, cents=left, by=None, reason=Refund.Reason.WITHDRAWAL, cancellation=cancellation,
                description=_("Herroeping binnen 14 dagen"),
            )  # fmt: skip
        except PaymentsError as exc:
            log.warning("withdrawal refund of payment %s not made: %s", payment.pk, exc.reason)
            continue
        if refund.status == Refund.Status.REQUESTED:
            mollie_round.down(payment.studio_id, MollieUnavailable("no answer to a withdrawal refund"))
        made += 1
    return made


def terms_withdrawn(term: Term) -> bool:
    """Whether the member withdrew from this term's sign-up within the 14 days (its payments go back in full)."""
    return (
        Cancellation.objects.for_studio(term.studio_id)
        .filter(enrolment_id=term.enrolment_id, rule=Cancellation.Rule.COOLING_OFF)
        .exists()
    )
