"""Benchmark data of the programs app (`vollegym generate`): the studio's programs and their prices through time,
its members, and every enrolment at the price agreed that day (renewals keep it), with its first payment."""

from __future__ import annotations

from vollegym.core.generator.run import Generation
from vollegym.core.money import euro
from vollegym.leads.models import Activity
from vollegym.people.events import Enrolled, FirstPaymentReceived, PriceChanged
from vollegym.people.generate import event_row
from vollegym.people.models import DomainEvent
from vollegym.programs.models import Enrolment, Member, Program, ProgramPrice


def write(gen: Generation) -> None:
    plan, studio = gen.plan, gen.studio
    owner = gen.team[0]
    planned = list(plan.programs.values())
    programs = gen.create(
        Program,
        (
            Program(
                studio=studio, name=p.name, promise=p.promise, kind=p.kind, format=p.format, weeks=p.weeks,
                sessions_per_week=p.per_week, position=n, created_at=p.created_at,
            )
            for n, p in enumerate(planned)
        ),
    )  # fmt: skip
    program_of = {p.key: program for p, program in zip(planned, programs, strict=True)}
    gen.ids["program"] = [program.pk for program in programs]
    prices = {
        (p.key, n): ProgramPrice(
            studio=studio, program=program_of[p.key], amount_cents=price.cents, effective_from=price.effective_from,
            reason=price.reason, created_at=price.created_at, created_by=owner,
        )
        for p in planned
        for n, price in enumerate(p.prices)
    }  # fmt: skip
    gen.create(ProgramPrice, prices.values())
    events: list[DomainEvent] = [
        event_row(
            gen, PriceChanged(program_id=price.program_id, amount_cents=price.amount_cents,
                              effective_from=price.effective_from),
            at=price.created_at,
        )
        for (_key, n), price in prices.items()
        if n > 0
    ]  # fmt: skip
    lead_ids = gen.ids["lead"]
    members = gen.create(
        Member,
        (
            Member(
                studio=studio, lead_id=None if m.lead is None else lead_ids[m.lead],
                person_id=gen.ids["person"][m.person], coach=gen.team[m.coach], created_at=m.created_at,
            )
            for m in plan.members
        ),
    )  # fmt: skip
    gen.keep("member", members)
    # A renewal points at the run before it, so runs go in by their place in the chain: first runs, then renewals.
    rows: list[Enrolment | None] = [None] * len(plan.runs)
    pending = list(plan.runs)
    while pending:
        ready = [r for r in pending if r.renewal_of is None or rows[r.renewal_of] is not None]
        made = gen.create(
            Enrolment,
            (
                Enrolment(
                    studio=studio, member=members[r.member], program=program_of[r.program],
                    price=prices[(r.program, r.price)], price_cents=r.cents, starts_on=r.starts_on, ends_on=r.ends_on,
                    sessions_total=r.sessions_total, sessions_used=r.sessions_used,
                    renewal_of=None if r.renewal_of is None else rows[r.renewal_of], first_payment_cents=r.cents,
                    first_payment_due=r.starts_on, first_payment_paid_at=r.paid_at, created_at=r.created_at,
                    created_by=gen.team[plan.members[r.member].coach],
                )
                for r in ready
            ),
        )  # fmt: skip
        for run, row in zip(ready, made, strict=True):
            rows[run.index] = row
        pending = [r for r in pending if rows[r.index] is None]
    enrolments = [row for row in rows if row is not None]
    gen.keep("run", enrolments)
    activities = []
    for run, row in zip(plan.runs, enrolments, strict=True):
        member = plan.members[run.member]
        payload = Enrolled(
            member_id=row.member_id, enrolment_id=row.pk, program_id=row.program_id, price_cents=row.price_cents,
            starts_on=row.starts_on, renewal_of=row.renewal_of_id,
        )  # fmt: skip
        events.append(event_row(gen, payload, at=run.created_at, person=member.person))
        if run.paid_at is not None:
            paid = FirstPaymentReceived(member_id=row.member_id, enrolment_id=row.pk, amount_cents=run.cents)
            events.append(event_row(gen, paid, at=run.paid_at, person=member.person))
        if member.lead is not None and run.index == member.runs[0]:
            activities.append(
                Activity(
                    studio=studio, lead_id=lead_ids[member.lead], kind=Activity.Kind.NOTE, by=row.created_by,
                    at=run.created_at, data={"enrolment": row.pk},
                    body=f"Ingeschreven: {plan.programs[run.program].name} vanaf {run.starts_on:%d-%m-%Y} voor "
                    f"{euro(run.cents)}",
                )
            )  # fmt: skip
    gen.create(Activity, activities)
    gen.create(DomainEvent, events)
