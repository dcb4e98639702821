"""When a debit fails or is charged back: the member gets one pay link for that term (however often Mollie's webhook
or the daily reconcile says so), the coach a task on the Today page, and once payments failed often enough in a row
the owner decides from the member's page: a new link, paid outside Mollie, a pause or a stop.

The pay link is the term's own signed link (`pay_url`): it opens a new checkout for the term each time it is used,
so one link per term is enough, and paying it settles the term through the same webhook as every payment.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.money import euro
from vollegym.core.names import first_name
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.payments.models import DECIDE_AFTER_MOST, MissedPayment, MollieConnection, Term
from vollegym.payments.services import PAY_LINK_DAYS, PaymentsError, pay_url
from vollegym.people.events import MissedPaymentDecided, event_record
from vollegym.programs.models.endings import Reason
from vollegym.programs.services import ProgramError
from vollegym.studios.models import Studio, User

PAUSE_WEEKS_MAX = 26
# After these the missed payment is settled for the back office; after a new link it can still be decided on.
FINAL = frozenset(
    {MissedPayment.Decision.PAID_OUTSIDE, MissedPayment.Decision.PAUSED, MissedPayment.Decision.STOPPED}
)


@transaction.atomic
def decide_after_set(*, studio: Studio, value: int) -> int:
    """Sets after how many failed payments in a row the owner decides (1 to 12); the studio must take payments."""
    if not 1 <= value <= DECIDE_AFTER_MOST:
        raise PaymentsError(_("Kies een aantal van 1 tot 12."))
    if not MollieConnection.objects.for_studio(studio).filter(studio=studio).update(decide_after=value):
        raise PaymentsError(_("Koppel eerst Mollie."))
    return value


def missed_open(
    *, term: Term, reason: str, detail: str, payment_id: str = "", amount_cents: int | None = None
) -> MissedPayment | None:
    """Opens the one missed payment of a term for this reason and mails the member its pay link, in the caller's
    transaction; a second call for the same term and reason (a webhook twice, the reconcile) changes nothing."""
    if reason not in MissedPayment.Reason.values:
        raise ValueError(reason)
    if MissedPayment.objects.for_studio(term.studio_id).filter(term=term, reason=reason).exists():
        return None
    missed = MissedPayment(
        studio_id=term.studio_id, term=term, member_id=term.member_id, reason=reason, detail=detail[:80],
        payment_id=payment_id, amount_cents=term.amount_cents if amount_cents is None else amount_cents,
        links_sent=1,
    )  # fmt: skip
    try:
        with transaction.atomic():
            missed.save(force_insert=True)
    except IntegrityError:
        return None  # another worker opened it a moment ago: theirs stands, with its one mail
    _link_mail(missed, key=f"term:{term.pk}:missed:{reason}")
    return missed


def missed_owed(*, term: Term, amount_cents: int) -> int:
    """The bank took back more of a charged-back term: its open task (and what the member is asked) says how much."""
    return (
        MissedPayment.objects.for_studio(term.studio_id)
        .filter(term_id=term.pk, reason=MissedPayment.Reason.CHARGED_BACK, paid_at__isnull=True)
        .update(amount_cents=amount_cents)
    )


def _link_mail(missed: MissedPayment, *, key: str) -> Message | None:
    term = (
        Term.objects.for_studio(missed.studio_id)
        .select_related("studio", "member__person", "member__studio", "enrolment__program")
        .get(pk=missed.term_id)
    )
    member, studio = term.member, term.studio
    if not member.email:
        return None
    program = term.enrolment.program
    return message_queue(
        studio=studio, channel=Message.Channel.EMAIL, person=member.person, purpose="payment", key=key,
        ref=f"member:{member.pk}", reply_to=studio.email,
        subject=_("Je betaling voor %(program)s is niet gelukt") % {"program": program.name},
        body=render_to_string("payments/mail/missed.txt", {
            "first_name": first_name(member.name), "studio": studio, "program": program, "term": term,
            "amount": euro(missed.amount_cents), "link": pay_url(term, studio), "days": PAY_LINK_DAYS,
            "charged_back": missed.reason == MissedPayment.Reason.CHARGED_BACK, "again": missed.links_sent > 1,
        }),
    )  # fmt: skip


def missed_paid(*, term: Term) -> int:
    """The term is paid after all: its missed payments are settled (the task leaves the Today page)."""
    return (
        MissedPayment.objects.for_studio(term.studio_id)
        .filter(term_id=term.pk, paid_at__isnull=True)
        .update(paid_at=term.paid_at or clock.now())
    )


def _locked(missed: MissedPayment) -> MissedPayment:
    found = (
        MissedPayment.objects.for_studio(missed.studio_id)
        .select_for_update()
        .select_related("term__enrolment", "member__person", "member__studio")
        .get(pk=missed.pk)
    )
    if found.paid_at is not None or found.term.status == Term.Status.PAID:
        raise PaymentsError(_("Deze termijn is inmiddels betaald; er valt niets meer te beslissen."))
    if found.decision in FINAL:
        raise PaymentsError(
            _("Hierover is al besloten: %(what)s.") % {"what": found.get_decision_display().lower()}
        )
    return found


def _decide(
    missed: MissedPayment,
    decision: str,
    by: User | None,
    *,
    whole_member: bool = False,
    whole_enrolment: bool = False,
) -> None:
    now = clock.now()
    still_open = (
        MissedPayment.objects.for_studio(missed.studio_id)
        .filter(paid_at__isnull=True)
        .exclude(decision__in=FINAL)
    )
    # A pause answers for the member, so for every payment of theirs still open; a stop for the enrolment it ends.
    if whole_member:
        still_open = still_open.filter(member_id=missed.member_id)
    elif whole_enrolment:
        still_open = still_open.filter(term__enrolment_id=missed.term.enrolment_id)
    else:
        still_open = still_open.filter(pk=missed.pk)
    still_open.update(decision=decision, decided_at=now, decided_by=by)
    event_record(
        studio=missed.studio_id, person=missed.member.person_id, by=by,
        event=MissedPaymentDecided(member_id=missed.member_id, term_id=missed.term_id, missed_id=missed.pk,
                                   decision=decision),
    )  # fmt: skip


@transaction.atomic
def missed_link_again(*, missed: MissedPayment, by: User | None) -> MissedPayment:
    """Mails the member the term's pay link once more (a new mail, the same term), as a decision on the task."""
    missed = _locked(missed)
    missed.links_sent += 1
    missed.save(update_fields=["links_sent"])
    _link_mail(missed, key=f"term:{missed.term_id}:missed:{missed.reason}:{missed.links_sent}")
    _decide(missed, MissedPayment.Decision.NEW_LINK, by)
    return missed


@transaction.atomic
def missed_paid_outside(*, missed: MissedPayment, by: User | None) -> MissedPayment:
    """The member paid the studio another way (cash, a transfer): the term counts as paid, outside Mollie."""
    missed = _locked(missed)
    now = clock.now()
    Term.objects.for_studio(missed.studio_id).filter(pk=missed.term_id).exclude(
        status=Term.Status.PAID
    ).update(status=Term.Status.PAID, paid_outside=True, paid_at=now, last_error="")
    _decide(missed, MissedPayment.Decision.PAID_OUTSIDE, by)
    MissedPayment.objects.for_studio(missed.studio_id).filter(
        term_id=missed.term_id, paid_at__isnull=True
    ).update(paid_at=now)
    missed.refresh_from_db()
    return missed


@transaction.atomic
def missed_pause(*, missed: MissedPayment, by: User | None, weeks: int) -> MissedPayment:
    """Puts the membership on hold from today by the studio's own pause rules (the agenda frees the mats); the
    term stays owed and its pay link keeps working."""
    from vollegym.schedule.endings import member_pause

    missed = _locked(missed)
    if not 1 <= weeks <= PAUSE_WEEKS_MAX:
        raise PaymentsError(_("Kies een pauze van 1 tot %(max)s weken.") % {"max": PAUSE_WEEKS_MAX})
    today = clock.today(missed.member.studio.zone)
    try:
        member_pause(
            enrolment=missed.term.enrolment, starts_on=today, ends_on=today + timedelta(days=weeks * 7 - 1),
            by=by, by_member=False, reason=_("Betaling niet gelukt"),
        )  # fmt: skip
    except ProgramError as exc:
        raise PaymentsError(exc.reason) from None
    _decide(missed, MissedPayment.Decision.PAUSED, by, whole_member=True)
    missed.refresh_from_db()
    return missed


@transaction.atomic
def missed_stop(*, missed: MissedPayment, by: User | None) -> MissedPayment:
    """Cancels the membership by the Dutch rules that apply to any cancellation (the member gets the confirmation);
    the term stays owed."""
    from vollegym.schedule.endings import member_cancel

    missed = _locked(missed)
    try:
        member_cancel(
            enrolment=missed.term.enrolment, by=by, by_member=False, reason=Reason.OTHER,
            reason_text=_("Betalingen niet gelukt"),
        )  # fmt: skip
    except ProgramError as exc:
        raise PaymentsError(exc.reason) from None
    _decide(missed, MissedPayment.Decision.STOPPED, by, whole_enrolment=True)
    missed.refresh_from_db()
    return missed
