"""Reads of payments: what the owner sees of the studio's money, and what a member sees of their own terms."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, QuerySet, Sum

from vollegym.core import clock
from vollegym.payments.models import (
    DECIDE_AFTER_DEFAULT,
    MandateSwitch,
    MissedPayment,
    MollieConnection,
    MollieCustomer,
    MolliePayment,
    PaymentPlan,
    Term,
)
from vollegym.programs.models import Member, Program
from vollegym.studios.models import StaffMembership, Studio, User

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


def term_owed_cents(term: Term) -> int:
    """What a term still asks of the member: its amount, less what its paid payments brought in and kept (after a
    partial charge-back, the part the bank took back; not less what the studio refunded of its own accord)."""
    kept = (
        MolliePayment.objects.for_studio(term.studio_id)
        .filter(term_id=term.pk, status=MolliePayment.Status.PAID)
        .aggregate(kept=Sum(F("amount_cents") - F("charged_back_cents")))["kept"]
        or 0
    )
    return max(term.amount_cents - kept, 0)


@dataclass(frozen=True)
class Owed:
    term: Term
    cents: int  # what is still owed on it (a charge-back in part asks only that part again)


@dataclass(frozen=True)
class MemberMoney:
    terms: list[Term]
    payable: Term | None  # the one term the member can pay now at the checkout
    mandate: bool  # later terms are debited on their mandate
    today: date
    paid: list[Term] = field(default_factory=list)  # payments made, the latest first
    coming: list[Term] = field(default_factory=list)  # debits (or checkouts) to come, at the locked price
    unpaid: list[Owed] = field(default_factory=list)  # failed or charged back, still owed
    switch_term: Term | None = None  # the term that moves the debits to another IBAN when paid now
    payable_cents: int = 0  # what paying `payable` now costs

    @property
    def coming_cents(self) -> int:
        return sum(t.amount_cents for t in self.coming)


def member_money(member: Member) -> MemberMoney:
    """A member's terms: paid, to come (only what they still owe: not after a cancellation, nor of a stopped run),
    and which one they pay now: without a mandate the first unpaid one, and any that failed or was charged back."""
    from vollegym.payments.charging import still_owed

    owed = Term.objects.for_studio(member.studio_id).filter(member=member)
    terms = list(owed.select_related("enrolment__program").order_by("due_on", "number", "id"))
    going_on = set(still_owed(owed).values_list("pk", flat=True))
    customer = MollieCustomer.objects.for_studio(member.studio_id).filter(member=member).first()
    mandate = bool(customer and customer.mandate_id)
    paid = sorted(
        (t for t in terms if t.status == Term.Status.PAID), key=lambda t: (t.paid_at or t.created_at, t.pk)
    )
    coming = [t for t in terms if t.status in COMING and t.pk in going_on]
    unpaid = [
        Owed(t, term_owed_cents(t))
        for t in terms
        if t.status in (Term.Status.FAILED, Term.Status.CHARGED_BACK)
    ]
    switch_term = next((t for t in coming if t.status == Term.Status.SCHEDULED), None) if mandate else None
    payable = payable_term(terms, mandate=mandate)
    return MemberMoney(
        terms, payable, mandate, clock.today(member.studio.zone), paid[::-1], coming, unpaid, switch_term,
        term_owed_cents(payable) if payable is not None else 0,
    )  # fmt: skip


COMING = (Term.Status.SCHEDULED, Term.Status.CHARGING, Term.Status.OPEN)


def payable_term(terms: list[Term], *, mandate: bool) -> Term | None:
    for term in terms:
        if term.status in (Term.Status.FAILED, Term.Status.OPEN, Term.Status.CHARGED_BACK):
            return term
        if term.status == Term.Status.SCHEDULED and not mandate:
            return term
    return None


# ---- payments missed: the coach's task, the owner's decision ---------------------------------------------------

FAILURES = ("failed", "canceled", "expired")


def failures_in_a_row(studio: Studio | int, member_ids: list[int]) -> dict[int, int]:
    """Per member, how many of their latest payments failed (or were charged back, or Mollie refused the debit)
    with none paid since; a checkout left to move to another IBAN does not count. Three queries."""
    outcomes: dict[int, list[tuple[datetime, bool]]] = defaultdict(list)
    switches = MandateSwitch.objects.for_studio(studio).filter(member_id__in=member_ids).values("payment_id")
    for member_id, created, status, back in (
        MolliePayment.objects.for_studio(studio)
        .filter(term__member_id__in=member_ids)
        .exclude(mollie_id__in=switches)
        .values_list("term__member_id", "created_at", "status", "charged_back_cents")
    ):
        if back or status in FAILURES:
            outcomes[member_id].append((created, False))
        elif status == MolliePayment.Status.PAID:
            outcomes[member_id].append((created, True))
    for member_id, opened in (
        MissedPayment.objects.for_studio(studio)
        .filter(member_id__in=member_ids, payment_id="")
        .values_list("member_id", "opened_at")
    ):
        outcomes[member_id].append((opened, False))  # a debit Mollie would not take: no payment of its own
    for member_id, paid_at in (
        Term.objects.for_studio(studio)
        .filter(member_id__in=member_ids, paid_outside=True, paid_at__isnull=False)
        .values_list("member_id", "paid_at")
    ):
        if paid_at is not None:
            outcomes[member_id].append((paid_at, True))
    found: dict[int, int] = {}
    for member_id in member_ids:
        count = 0
        for _at, ok in sorted(outcomes[member_id], key=lambda o: o[0], reverse=True):
            if ok:
                break
            count += 1
        found[member_id] = count
    return found


def decide_after(studio: Studio | int) -> int:
    connection = MollieConnection.objects.for_studio(studio).only("decide_after").first()
    return connection.decide_after if connection else DECIDE_AFTER_DEFAULT


def books_open_to(role: str) -> bool:
    """Who reads a member's payments, refunds and invoices in the back office: the owner (and the agency), not a
    coach."""
    return role != StaffMembership.Role.COACH


def decisions_allowed(*, role: str, in_a_row: int, decide_after: int) -> frozenset[str]:
    """The owner's decision rule on a missed payment, the one place it is written (the member's page, the Today page
    and the answer itself all ask here): anyone of the team may send the pay link again; the owner (or the agency)
    may also record it as paid outside Mollie, and once `decide_after` payments in a row failed, pause or stop."""
    allowed = {MissedPayment.Decision.NEW_LINK}
    if role == StaffMembership.Role.COACH:
        return frozenset(allowed)
    allowed.add(MissedPayment.Decision.PAID_OUTSIDE)
    if in_a_row >= decide_after:
        allowed |= {MissedPayment.Decision.PAUSED, MissedPayment.Decision.STOPPED}
    return frozenset(allowed)


@dataclass(frozen=True)
class MissedRow:
    missed: MissedPayment
    in_a_row: int
    decide_after: int
    allowed: frozenset[str]  # the decisions the person looking may take (see decisions_allowed)

    @property
    def member(self) -> Member:
        return self.missed.member

    @property
    def owner_decides(self) -> bool:
        """Failed often enough in a row that pausing or stopping is on the table (for the owner)."""
        return self.in_a_row >= self.decide_after

    @property
    def may_decide(self) -> bool:
        """The person looking may pause or stop now."""
        return MissedPayment.Decision.PAUSED in self.allowed

    @property
    def may_settle_outside(self) -> bool:
        return MissedPayment.Decision.PAID_OUTSIDE in self.allowed


def missed_decisions(missed: MissedPayment, *, role: str) -> frozenset[str]:
    """What this person may decide on this missed payment now (the answer checks it before it acts)."""
    in_a_row = max(failures_in_a_row(missed.studio_id, [missed.member_id]).get(missed.member_id, 0), 1)
    return decisions_allowed(role=role, in_a_row=in_a_row, decide_after=decide_after(missed.studio_id))


def _missed_open(studio: Studio, *, coach: User | None) -> QuerySet[MissedPayment]:
    found = (
        MissedPayment.objects.for_studio(studio)
        .filter(paid_at__isnull=True, decided_at__isnull=True)
        .exclude(term__status=Term.Status.PAID)
    )
    return found.filter(member__coach=coach) if coach is not None else found


def missed_to_follow_count(studio: Studio, *, coach: User | None = None) -> int:
    """How many rows `missed_to_follow` has (uncapped), in one COUNT query (the overview's count)."""
    return _missed_open(studio, coach=coach).count()


def missed_to_follow(
    studio: Studio, *, role: str, coach: User | None = None, member: Member | None = None
) -> list[MissedRow]:
    """Missed payments not yet paid nor decided on (of one coach's members, or of one member), the oldest first,
    with how many payments failed in a row and what someone of this role may decide on each. Four queries."""
    found = (
        _missed_open(studio, coach=coach)
        .select_related("member__person", "member__coach", "term__enrolment__program")
        .order_by("opened_at", "id")
    )
    if member is not None:
        found = found.filter(member=member)
    rows = list(found[:100])
    streaks = failures_in_a_row(studio, sorted({m.member_id for m in rows}))
    limit = decide_after(studio)
    found_rows = []
    for missed in rows:
        in_a_row = max(streaks.get(missed.member_id, 0), 1)
        allowed = decisions_allowed(role=role, in_a_row=in_a_row, decide_after=limit)
        found_rows.append(MissedRow(missed, in_a_row, limit, allowed))
    return found_rows
