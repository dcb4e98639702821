"""Writes of payments: the studio's Mollie connection, payment plans, and each enrolment's terms at its locked price."""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.money import euro
from vollegym.core.names import first_name
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.payments import plans
from vollegym.payments.crypto import secret_open, secret_seal
from vollegym.payments.models import MollieConnection, MollieCustomer, PaymentPlan, Term
from vollegym.payments.mollie import Mollie, MollieRefused, MollieUnavailable
from vollegym.programs.models import Enrolment, Program
from vollegym.studios.models import Studio, User

API_KEY = re.compile(r"(test|live)_[A-Za-z0-9]{20,}")
PAY_SALT = "vollegym.payments.term"
PAY_LINK_DAYS = 60


class PaymentsError(ValueError):
    """A change to payments that is not allowed, or Mollie refusing it; the reason is for the person who tried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def connection_of(studio: Studio | int) -> MollieConnection | None:
    return MollieConnection.objects.for_studio(studio).first()


def mollie_for(studio: Studio | int) -> Mollie | None:
    """Mollie with the studio's own key, or None when the studio has not connected Mollie."""
    connection = connection_of(studio)
    return Mollie(secret_open(connection.api_key_encrypted)) if connection else None


def connection_save(*, studio: Studio, api_key: str, by: User | None) -> MollieConnection:
    """Keeps a studio's Mollie API key only once Mollie accepted it, and only encrypted."""
    key = api_key.strip()
    if not API_KEY.fullmatch(key):
        raise PaymentsError(
            _("Een API-sleutel van Mollie begint met test_ of live_ en staat in Mollie onder Ontwikkelaars.")
        )
    try:
        Mollie(key).methods()
    except MollieRefused as exc:
        if exc.status == 401:
            raise PaymentsError(_("Mollie kent deze sleutel niet. Kopieer hem opnieuw uit Mollie.")) from None
        raise PaymentsError(_("Mollie weigerde de sleutel: %(why)s") % {"why": exc.detail}) from None
    except MollieUnavailable:
        raise PaymentsError(
            _("Mollie antwoordt nu niet. Probeer het over een paar minuten nog eens.")
        ) from None
    return _connection_store(studio, key, by)


@transaction.atomic
def _connection_store(studio: Studio, key: str, by: User | None) -> MollieConnection:
    connection = MollieConnection.objects.for_studio(studio).select_for_update().first()
    sealed, mode, hint = secret_seal(key), key.split("_", 1)[0], key[-4:]
    if connection is None:
        return MollieConnection.objects.create(
            studio=studio, api_key_encrypted=sealed, mode=mode, key_hint=hint, connected_by=by
        )
    connection.api_key_encrypted, connection.mode, connection.key_hint = sealed, mode, hint
    connection.checked_at, connection.connected_by = clock.now(), by
    connection.save(update_fields=["api_key_encrypted", "mode", "key_hint", "checked_at", "connected_by"])
    return connection


@transaction.atomic
def connection_remove(*, studio: Studio) -> bool:
    """Forgets the studio's key: nothing more is charged; payments already made stay as they are."""
    return bool(MollieConnection.objects.for_studio(studio).delete()[0])


@transaction.atomic
def plan_set(*, program: Program, kind: str, terms: int = 1, every_weeks: int = 4) -> PaymentPlan:
    """Sets how a program is paid from now on; enrolments that already have their terms keep them."""
    if kind not in PaymentPlan.Kind.values:
        raise PaymentsError(_("Kies een betaalwijze."))
    if kind == PaymentPlan.Kind.PER_PERIOD and program.kind != Program.Kind.MEMBERSHIP:
        raise PaymentsError(_("Per periode betalen kan alleen bij een doorlopend lidmaatschap."))
    if kind == PaymentPlan.Kind.TERMS and not (2 <= terms <= 24 and 1 <= every_weeks <= 52):
        raise PaymentsError(_("In termijnen: 2 tot 24 termijnen, elke 1 tot 52 weken."))
    if kind != PaymentPlan.Kind.TERMS:
        terms, every_weeks = 1, program.weeks if kind == PaymentPlan.Kind.PER_PERIOD else 4
    plan, _created = PaymentPlan.objects.for_studio(program.studio_id).update_or_create(
        program=program, defaults={"studio_id": program.studio_id, "kind": kind, "terms": terms,
                                   "every_weeks": every_weeks},
    )  # fmt: skip
    return plan


def plan_of(program: Program) -> PaymentPlan | None:
    return PaymentPlan.objects.for_studio(program.studio_id).filter(program=program).first()


@transaction.atomic
def terms_create(*, enrolment: Enrolment) -> list[Term]:
    """Gives an enrolment its terms at its locked price (once): in whole cents, adding up to the price exactly.

    The enrolment flow may call this when it enrols; until it does, `schedules_sweep` calls it for new enrolments.
    A first payment staff already marked as received is the first term, paid outside Mollie.
    """
    existing = list(
        Term.objects.for_studio(enrolment.studio_id).filter(enrolment=enrolment).order_by("number")
    )
    if existing:
        return existing
    plan = PaymentPlan.objects.for_studio(enrolment.studio_id).filter(program_id=enrolment.program_id).first()
    count = plan.terms if plan is not None and plan.kind == PaymentPlan.Kind.TERMS else 1
    every = plan.every_weeks if plan is not None else 4
    dues = plans.schedule(
        total_cents=enrolment.price_cents,
        terms=count,
        every_weeks=every,
        first_due=enrolment.first_payment_due,
    )
    paid_at = enrolment.first_payment_paid_at
    Term.objects.bulk_create(
        [
            Term(
                studio_id=enrolment.studio_id,
                enrolment=enrolment,
                member_id=enrolment.member_id,
                number=due.number,
                of=due.of,
                amount_cents=due.amount_cents,
                due_on=due.due_on,
                status=Term.Status.PAID if paid_at and due.number == 1 else Term.Status.SCHEDULED,
                paid_outside=bool(paid_at and due.number == 1),
                paid_at=paid_at if due.number == 1 else None,
            )
            for due in dues
        ],
        ignore_conflicts=True,  # another worker made them a moment ago: theirs stand
    )
    return list(Term.objects.for_studio(enrolment.studio_id).filter(enrolment=enrolment).order_by("number"))


def schedules_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Gives the enrolments made since their studio connected Mollie their terms (until enrolment does it itself)."""
    now = now or clock.now()
    made = 0
    for connection in MollieConnection.all_studios.only("studio_id", "connected_at"):
        enrolments = (
            Enrolment.objects.for_studio(connection.studio_id)
            .filter(status=Enrolment.Status.ACTIVE, created_at__gte=connection.connected_at,
                    ends_on__gte=clock.local(now).date())
            .exclude(pk__in=Term.objects.for_studio(connection.studio_id).values("enrolment_id"))
            .order_by("id")[:limit]
        )  # fmt: skip
        for enrolment in enrolments:
            terms_create(enrolment=enrolment)
            made += 1
    return made


def pay_token(term: Term) -> str:
    return signing.TimestampSigner(salt=PAY_SALT).sign(f"{term.studio_id}.{term.pk}")


def pay_token_term(studio: Studio, token: str) -> Term | None:
    """The term a pay link is for; None for a forged, expired or other studio's link."""
    try:
        value = signing.TimestampSigner(salt=PAY_SALT).unsign(token, max_age=PAY_LINK_DAYS * 86400)
        studio_id, term_id = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        return None
    if studio_id != studio.pk:
        return None
    return Term.objects.for_studio(studio).filter(pk=term_id).select_related("enrolment__program").first()


def pay_url(term: Term, studio: Studio) -> str:
    path = reverse("payments_public:pay", kwargs={"studio": studio.slug, "token": pay_token(term)})
    return f"{settings.SITE_URL}{path}"


def pay_link_send(*, term: Term) -> Message | None:
    """Mails the member a link to pay a term at the checkout (iDEAL | Wero); once per term and attempt."""
    member = term.member
    studio = member.studio
    if not member.email:
        return None
    program = term.enrolment.program
    return message_queue(
        studio=studio, channel=Message.Channel.EMAIL, person=member.person, purpose="payment",
        key=f"term:{term.pk}:pay:{term.attempts}", ref=f"member:{member.pk}", reply_to=studio.email,
        subject=_("Betaal %(what)s bij %(studio)s") % {"what": program.name, "studio": studio.name},
        body=render_to_string("payments/mail/pay_link.txt", {
            "first_name": first_name(member.name), "studio": studio, "program": program, "term": term,
            "amount": euro(term.amount_cents), "link": pay_url(term, studio), "days": PAY_LINK_DAYS,
        }),
    )  # fmt: skip


def customer_of(member_id: int, studio: Studio | int) -> MollieCustomer | None:
    return MollieCustomer.objects.for_studio(studio).filter(member_id=member_id).first()
