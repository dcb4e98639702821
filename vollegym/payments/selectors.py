"""Reads of payments: what the owner sees of the studio's money, and what a member sees of their own terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from vollegym.core import clock
from vollegym.payments.models import MollieConnection, MollieCustomer, MolliePayment, PaymentPlan, Term
from vollegym.programs.models import Member, Program
from vollegym.studios.models import Studio

UNPAID = (Term.Status.SCHEDULED, Term.Status.OPEN, Term.Status.FAILED, Term.Status.CHARGING)


@dataclass(frozen=True)
class PlanRow:
    program: Program
    plan: PaymentPlan | None


@dataclass(frozen=True)
class Overview:
    connection: MollieConnection | None
    plans: list[PlanRow]
    coming: list[Term]  # unpaid terms due within the coming weeks, the late ones first
    payments: list[MolliePayment]  # the latest payments at Mollie
    coming_cents: int


def payments_overview(studio: Studio, *, weeks: int = 5) -> Overview:
    plans = {p.program_id: p for p in PaymentPlan.objects.for_studio(studio)}
    programs = list(Program.objects.for_studio(studio).filter(is_active=True).order_by("position", "id"))
    until = clock.today(studio.zone) + timedelta(weeks=weeks)
    coming = list(
        Term.objects.for_studio(studio)
        .filter(status__in=UNPAID, due_on__lte=until)
        .select_related("member__person", "enrolment__program")
        .order_by("due_on", "id")[:100]
    )
    payments = list(
        MolliePayment.objects.for_studio(studio)
        .select_related("term__member__person", "term__enrolment__program")
        .order_by("-created_at", "-id")[:20]
    )
    return Overview(
        connection=MollieConnection.objects.for_studio(studio).first(),
        plans=[PlanRow(program, plans.get(program.pk)) for program in programs],
        coming=coming, payments=payments, coming_cents=sum(t.amount_cents for t in coming),
    )  # fmt: skip


@dataclass(frozen=True)
class MemberMoney:
    terms: list[Term]
    payable: Term | None  # the one term the member can pay now at the checkout
    mandate: bool  # later terms are debited on their mandate
    today: date


def member_money(member: Member) -> MemberMoney:
    """A member's terms, and which one they pay now: without a mandate the first unpaid one, and any that failed."""
    terms = list(
        Term.objects.for_studio(member.studio_id)
        .filter(member=member)
        .select_related("enrolment__program")
        .order_by("due_on", "number", "id")
    )
    customer = MollieCustomer.objects.for_studio(member.studio_id).filter(member=member).first()
    mandate = bool(customer and customer.mandate_id)
    return MemberMoney(terms, payable_term(terms, mandate=mandate), mandate, clock.today(member.studio.zone))


def payable_term(terms: list[Term], *, mandate: bool) -> Term | None:
    for term in terms:
        if term.status in (Term.Status.FAILED, Term.Status.OPEN):
            return term
        if term.status == Term.Status.SCHEDULED and not mandate:
            return term
    return None
