"""Taking the money: a first payment at Mollie's checkout (which gives the mandate), and later terms debited on the
mandate by our own worker, each announced to the member at least three working days ahead.

Not Mollie's subscriptions: charging each term ourselves keeps pauses and locked prices ours.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.money import euro
from vollegym.core.names import first_name
from vollegym.messaging.models import Message
from vollegym.messaging.services import backoff, message_queue
from vollegym.payments.missed import missed_open
from vollegym.payments.models import MandateSwitch, MissedPayment, MollieCustomer, MolliePayment, Term
from vollegym.payments.mollie import Mollie, MollieRefused, MollieUnavailable
from vollegym.payments.rounds import MollieRound
from vollegym.payments.selectors import term_owed_cents
from vollegym.payments.services import PaymentsError, customer_of, mollie_for, pay_link_send
from vollegym.payments.workdays import working_days_after
from vollegym.people.events import TermFailed, event_record
from vollegym.programs.models import Cancellation, Enrolment, Pause

log = logging.getLogger(__name__)

ANNOUNCE_WORKING_DAYS = 3  # the least: Mollie advises telling the member a few days before each debit
ANNOUNCE_AHEAD = timedelta(days=7)  # a debit is announced about a week before its day
CHECKOUT_REUSE = timedelta(minutes=12)  # an iDEAL checkout expires after about 15 minutes
STUCK_AFTER = timedelta(minutes=15)
CHECKOUTS = (MolliePayment.Sequence.FIRST, MolliePayment.Sequence.ONEOFF)
WEBHOOK_NAME = "payments_hooks:mollie"


def webhook_url(studio_slug: str) -> str:
    return f"{settings.SITE_URL}{reverse(WEBHOOK_NAME, kwargs={'studio': studio_slug})}"


def idempotency_key(term: Term, attempt: int) -> str:
    """One key per term and attempt: the same attempt sent twice (a lost answer, a second worker) is one payment."""
    return f"vollegym-term-{term.pk}-{attempt}"


def _description(term: Term) -> str:
    program = term.enrolment.program
    if term.of > 1:
        with translation.override("nl"):
            part = gettext("termijn %(number)s van %(of)s") % {"number": term.number, "of": term.of}
        return f"{term.studio.name} · {program.name} · {part}"[:255]
    return f"{term.studio.name} · {program.name}"[:255]


def _metadata(term: Term) -> dict[str, object]:
    return {
        "studio": term.studio.slug,
        "term": term.pk,
        "enrolment": term.enrolment_id,
        "member": term.member_id,
    }


def _customer(term: Term, mollie: Mollie) -> MollieCustomer:
    existing = customer_of(term.member_id, term.studio_id)
    if existing is not None:
        return existing
    member = term.member
    customer_id = mollie.customer_create(
        name=member.name, email=member.email, metadata={"member": member.pk},
        idempotency_key=f"vollegym-member-{member.pk}",
    )  # fmt: skip
    return MollieCustomer.objects.create(studio_id=term.studio_id, member=member, customer_id=customer_id)


def checkout_start(*, term: Term, redirect_url: str) -> str:
    """The member pays a term at Mollie's checkout (iDEAL | Wero) as a first payment, which gives the mandate for
    the later terms; a checkout still open for the term is used again rather than a second one made."""
    mollie = mollie_for(term.studio_id)
    if mollie is None:
        raise PaymentsError(_("Deze studio neemt nog geen betalingen aan via de website."))
    try:
        with transaction.atomic():
            return _checkout_start(term, mollie, redirect_url)
    except MollieUnavailable:
        raise PaymentsError(
            _("Betalen lukt nu even niet. Probeer het over een paar minuten nog eens.")
        ) from None
    except MollieRefused as exc:
        log.warning("Mollie refused a first payment for term %s: %s", term.pk, exc)
        raise PaymentsError(_("Betalen lukt nu niet. Neem contact op met de studio.")) from None


def _checkout_start(term: Term, mollie: Mollie, redirect_url: str, *, switch: bool = False) -> str:
    locked = Term.objects.for_studio(term.studio_id).select_for_update().select_related(
        "studio", "member__person", "enrolment__program"
    ).get(pk=term.pk)  # fmt: skip
    if locked.status in (Term.Status.PAID, Term.Status.CHARGING):
        raise PaymentsError(_("Deze termijn is al betaald of wordt al afgeschreven."))
    if locked.status == Term.Status.OPEN and switch:
        raise PaymentsError(_("Deze termijn wordt al afgeschreven; probeer het na de afschrijving opnieuw."))
    open_payment = (
        MolliePayment.objects.for_studio(term.studio_id)
        .filter(term=locked, sequence_type__in=CHECKOUTS, status=MolliePayment.Status.OPEN,
                created_at__gt=clock.now() - CHECKOUT_REUSE)
        .exclude(checkout_url="")
        .order_by("-created_at")
        .first()
    )  # fmt: skip
    if open_payment is not None and not switch:
        return open_payment.checkout_url
    # What the term still asks: after a charge-back in part, only what the bank took back.
    cents = term_owed_cents(locked)
    if cents < 1:
        raise PaymentsError(_("Deze termijn is al betaald of wordt al afgeschreven."))
    customer = _customer(locked, mollie)
    attempt = locked.attempts + 1
    key = idempotency_key(locked, attempt)
    # A failed debit is paid once at the checkout and the mandate stays, if Mollie still calls it valid; without
    # one, after a charge-back, or to move to another IBAN, the checkout is a first payment that gives a new mandate.
    oneoff = (
        bool(customer.mandate_id)
        and locked.status == Term.Status.FAILED
        and not switch
        and mandate_usable(customer=customer, mollie=mollie)
    )
    start = mollie.payment_oneoff if oneoff else mollie.payment_first
    payment = start(
        cents=cents, description=_description(locked), customer_id=customer.customer_id,
        redirect_url=redirect_url, webhook_url=webhook_url(locked.studio.slug), metadata=_metadata(locked),
        idempotency_key=key,
    )  # fmt: skip
    MolliePayment.objects.for_studio(locked.studio_id).update_or_create(
        idempotency_key=key,
        defaults={"studio_id": locked.studio_id, "term": locked, "mollie_id": payment.id,
                  "sequence_type": MolliePayment.Sequence.ONEOFF if oneoff else MolliePayment.Sequence.FIRST,
                  "amount_cents": cents, "checkout_url": payment.checkout_url,
                  "status": MolliePayment.Status.OPEN},
    )  # fmt: skip
    if switch:
        MandateSwitch.objects.create(
            studio_id=locked.studio_id, member_id=locked.member_id, term=locked, payment_id=payment.id
        )
    locked.attempts, locked.status, locked.last_error = attempt, Term.Status.OPEN, ""
    locked.save(update_fields=["attempts", "status", "last_error"])
    return payment.checkout_url


def mandate_usable(*, customer: MollieCustomer, mollie: Mollie) -> bool:
    """Whether the member's mandate can still be debited, as Mollie says now. One Mollie calls invalid (or does not
    know) is forgotten, so later terms go to a checkout that gives a new one; while Mollie does not answer the
    mandate is not trusted, but kept."""
    if not customer.mandate_id:
        return False
    try:
        mandate = mollie.mandate_get(customer_id=customer.customer_id, mandate_id=customer.mandate_id)
    except MollieUnavailable:
        return False
    except MollieRefused as exc:
        if exc.status not in (404, 410):  # a key Mollie no longer takes says nothing about the mandate
            return False
        log.info("Mollie does not know mandate %s: %s", customer.mandate_id, exc)
    else:
        if mandate.usable or mandate.status != "invalid":
            return mandate.usable
    MollieCustomer.objects.for_studio(customer.studio_id).filter(
        pk=customer.pk, mandate_id=customer.mandate_id
    ).update(mandate_id="", mandate_at=None)
    return False


def mandate_switch_start(*, term: Term, redirect_url: str) -> str:
    """Moves a member's debits to another IBAN: their next term is paid now at the checkout as a first payment,
    whose new mandate the later terms are debited on; if they let it go, the term is debited as announced."""
    mollie = mollie_for(term.studio_id)
    if mollie is None:
        raise PaymentsError(_("Deze studio neemt nog geen betalingen aan via de website."))
    try:
        with transaction.atomic():
            return _checkout_start(term, mollie, redirect_url, switch=True)
    except MollieUnavailable:
        raise PaymentsError(
            _("Betalen lukt nu even niet. Probeer het over een paar minuten nog eens.")
        ) from None
    except MollieRefused as exc:
        log.warning("Mollie refused a mandate switch for term %s: %s", term.pk, exc)
        raise PaymentsError(_("Betalen lukt nu niet. Neem contact op met de studio.")) from None


def checkout_check(*, term: Term) -> None:
    """The member is back from the checkout: their latest payment for the term goes in line to be fetched now."""
    from vollegym.payments.webhooks import webhook_store

    latest = (
        MolliePayment.objects.for_studio(term.studio_id)
        .filter(term=term, status__in=["open", "pending", "authorized"])
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is not None:
        webhook_store(studio=term.studio_id, payment_id=latest.mollie_id)


def still_owed(terms: QuerySet[Term], *, day_field: str = "due_on") -> QuerySet[Term]:
    """Terms a member still owes on their day: of an active studio, not of a stopped run, not after the last day of a
    cancellation, and not inside a pause (such a term waits until the pause is over, when its day has passed)."""
    cancelled = Cancellation.all_studios.filter(
        enrolment_id=OuterRef("enrolment_id"), effective_on__lt=OuterRef(day_field)
    )
    paused = Pause.all_studios.filter(
        withdrawn_at__isnull=True, enrolment_id=OuterRef("enrolment_id"), starts_on__lte=OuterRef(day_field),
        ends_on__gte=OuterRef(day_field),
    )  # fmt: skip
    return (
        terms.filter(studio__is_active=True)
        .exclude(enrolment__status=Enrolment.Status.STOPPED)
        .exclude(Exists(cancelled))
        .exclude(Exists(paused))
    )


def terms_announce(*, now: datetime | None = None, limit: int = 200) -> int:
    """Announces each debit on a mandate at least three working days ahead (its charge day moves if need be), and
    mails a pay link for a term due soon whose member has no mandate yet; once per term."""
    now = now or clock.now()
    today = clock.local(now).date()
    due = (
        still_owed(Term.all_studios.filter(status=Term.Status.SCHEDULED, announced_at__isnull=True,
                                           due_on__lte=today + ANNOUNCE_AHEAD))
        .select_related("studio", "member__person", "member__studio", "enrolment__program")
        .order_by("due_on", "id")[:limit]
    )  # fmt: skip
    done = 0
    for term in due:
        with transaction.atomic():
            customer = customer_of(term.member_id, term.studio_id)
            if customer is None or not customer.mandate_id:
                # No mandate (yet): the member pays this term at the checkout, by a link in their mail.
                if (
                    Term.objects.for_studio(term.studio_id)
                    .filter(pk=term.pk, announced_at__isnull=True)
                    .update(announced_at=now)
                ):
                    pay_link_send(term=term)
                    done += 1
                continue
            charge_on = max(term.due_on, working_days_after(today, ANNOUNCE_WORKING_DAYS))
            if (
                Term.objects.for_studio(term.studio_id)
                .filter(pk=term.pk, announced_at__isnull=True)
                .update(announced_at=now, charge_on=charge_on)
            ):
                term.charge_on = charge_on
                _announce(term)
                done += 1
    return done


def _announce(term: Term) -> None:
    member, studio = term.member, term.studio
    if not member.email:
        return
    message_queue(
        studio=studio, channel=Message.Channel.EMAIL, person=member.person, purpose="payment",
        key=f"term:{term.pk}:announce", ref=f"member:{member.pk}", reply_to=studio.email,
        subject=_("Aankondiging afschrijving %(amount)s") % {"amount": euro(term.amount_cents)},
        body=render_to_string("payments/mail/announce.txt", {
            "first_name": first_name(member.name), "studio": studio, "term": term, "amount": euro(term.amount_cents),
            "program": term.enrolment.program, "day": term.charge_on,
        }),
    )  # fmt: skip


def term_charge(*, term_id: int, now: datetime | None = None) -> str:
    """Debits one announced term on the member's mandate, once: claimed by a conditional update, sent to Mollie with
    the term's idempotency key, so two workers (or a retry after a lost answer) never make a second payment."""
    now = now or clock.now()
    today = clock.local(now).date()
    claimed = (
        Term.all_studios.filter(pk=term_id, status=Term.Status.SCHEDULED, announced_at__isnull=False,
                                charge_on__lte=today)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Term.Status.CHARGING, claimed_at=now)
    )  # fmt: skip
    if not claimed:
        return "not due or taken"
    term = Term.all_studios.select_related("studio", "member__person", "enrolment__program").get(pk=term_id)
    customer = customer_of(term.member_id, term.studio_id)
    mollie = mollie_for(term.studio_id)
    if mollie is None:
        # The studio took its Mollie key away: nothing can be paid, so no pay link goes out; the term waits failed
        # for the owner (paid outside Mollie, or debited again once a key is back).
        _charge_settle(term, Term.Status.FAILED, error="no Mollie connection")
        return "failed"
    if customer is None or not customer.mandate_id:
        _charge_failed(term, error="no mandate", detail="no mandate")
        return "failed"
    attempt = term.attempts + 1
    key = idempotency_key(term, attempt)
    try:
        payment = mollie.payment_recurring(
            cents=term.amount_cents, description=_description(term), customer_id=customer.customer_id,
            mandate_id=customer.mandate_id, webhook_url=webhook_url(term.studio.slug), metadata=_metadata(term),
            idempotency_key=key,
        )  # fmt: skip
    except MollieUnavailable as exc:
        # The same attempt (so the same key) again later: if Mollie did make the payment, it answers with that one.
        _charge_settle(term, Term.Status.SCHEDULED, error=str(exc), retry_at=now + backoff(term.retries + 1),
                       retries=term.retries + 1)  # fmt: skip
        return "retry"
    except MollieRefused as exc:
        # An ended mandate is forgotten here, so the later terms get a pay link instead of a debit refused again.
        mandate_usable(customer=customer, mollie=mollie)
        _charge_failed(term, error=str(exc), detail=f"refused {exc.status}", attempts=attempt)
        return "failed"
    with transaction.atomic():
        MolliePayment.objects.for_studio(term.studio_id).update_or_create(
            idempotency_key=key,
            defaults={"studio_id": term.studio_id, "term": term, "mollie_id": payment.id,
                      "sequence_type": MolliePayment.Sequence.RECURRING, "amount_cents": term.amount_cents,
                      "status": payment.status if payment.status in MolliePayment.Status.values else "pending",
                      "mandate_id": customer.mandate_id},
        )  # fmt: skip
        _charge_settle(term, Term.Status.OPEN, error="", attempts=attempt, retries=0)
    return "charged"


def _charge_settle(
    term: Term, status: str, *, error: str, retry_at: datetime | None = None, attempts: int | None = None,
    retries: int | None = None,
) -> int:  # fmt: skip
    change: dict[str, object] = {"status": status, "last_error": error, "next_attempt_at": retry_at}
    if attempts is not None:
        change["attempts"] = attempts
    if retries is not None:
        change["retries"] = retries
    return (
        Term.objects.for_studio(term.studio_id)
        .filter(pk=term.pk, status=Term.Status.CHARGING)
        .update(**change)
    )


@transaction.atomic
def _charge_failed(term: Term, *, error: str, detail: str, attempts: int | None = None) -> None:
    """A debit Mollie would not take (no valid mandate, refused): failed like a debit the bank refused, with the
    member's one pay link for it."""
    if not _charge_settle(term, Term.Status.FAILED, error=error, attempts=attempts, retries=0):
        return
    missed_open(term=term, reason=MissedPayment.Reason.FAILED, detail=detail)
    event_record(
        studio=term.studio_id, person=term.member.person_id,
        event=TermFailed(member_id=term.member_id, enrolment_id=term.enrolment_id, term_id=term.pk,
                         amount_cents=term.amount_cents, payment_id="", status=detail),
    )  # fmt: skip


def terms_charge_due(
    *, now: datetime | None = None, limit: int = 100, mollie_round: MollieRound | None = None
) -> int:
    """Debits every announced term whose day has come; safe to run in every worker at once. Once a studio's Mollie
    does not answer, its other terms wait for the next round (each keeps its own backoff)."""
    now = now or clock.now()
    mollie_round = mollie_round or MollieRound()
    today = clock.local(now).date()
    due = (
        still_owed(
            Term.all_studios.filter(
                status=Term.Status.SCHEDULED, announced_at__isnull=False, charge_on__lte=today
            ),
            day_field="charge_on",
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("charge_on", "id")
        .values_list("pk", "studio_id")[:limit]
    )
    charged = 0
    for pk, studio_id in list(due):
        if mollie_round.skips(studio_id):
            continue
        outcome = term_charge(term_id=pk, now=now)
        if outcome == "retry":
            mollie_round.down(studio_id, MollieUnavailable(f"no answer while debiting term {pk}"))
        charged += outcome == "charged"
    return charged


def charges_unstick(*, now: datetime | None = None) -> int:
    """A debit cut off mid-call (a crash) goes back in line with the same attempt, so the same idempotency key."""
    now = now or clock.now()
    return Term.all_studios.filter(status=Term.Status.CHARGING, claimed_at__lt=now - STUCK_AFTER).update(
        status=Term.Status.SCHEDULED, next_attempt_at=now
    )
