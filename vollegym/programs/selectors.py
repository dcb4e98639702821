"""Reads of programs and members: the price in force on a day, the history, who is enrolled where."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from vollegym.core import clock
from vollegym.leads.models import Lead, Stage
from vollegym.programs.models import Enrolment, Member, Program, ProgramPrice
from vollegym.studios.models import Studio


def today() -> date:
    # Studios all live in Europe/Amsterdam today; a price's day is read on that calendar.
    return clock.today()


def price_in_force(program: Program, on: date | None = None) -> ProgramPrice | None:
    """The price that applies on a day: the latest one that took effect on or before it."""
    return (
        ProgramPrice.objects.for_studio(program.studio_id)
        .filter(program=program, effective_from__lte=on or today())
        .order_by("-effective_from")
        .first()
    )


def price_history(program: Program) -> list[ProgramPrice]:
    return list(
        ProgramPrice.objects.for_studio(program.studio_id)
        .filter(program=program)
        .select_related("created_by")
        .order_by("-effective_from")
    )


@dataclass(frozen=True)
class ProgramRow:
    program: Program
    price: ProgramPrice | None  # in force today
    next_price: ProgramPrice | None  # already set for a later day
    enrolled: int  # running enrolments


def programs_overview(studio: Studio) -> list[ProgramRow]:
    day = today()
    prices: dict[int, list[ProgramPrice]] = {}
    for price in ProgramPrice.objects.for_studio(studio).order_by("effective_from"):
        prices.setdefault(price.program_id, []).append(price)
    running: dict[int, int] = {}
    for program_id in Enrolment.objects.for_studio(studio).current(day).values_list("program_id", flat=True):
        running[program_id] = running.get(program_id, 0) + 1
    rows = []
    for program in Program.objects.for_studio(studio).order_by("position", "id"):
        history = prices.get(program.pk, [])
        in_force = [p for p in history if p.effective_from <= day]
        later = [p for p in history if p.effective_from > day]
        rows.append(
            ProgramRow(
                program,
                in_force[-1] if in_force else None,
                later[0] if later else None,
                running.get(program.pk, 0),
            )
        )
    return rows


def programs_for_sale(studio: Studio) -> list[tuple[Program, ProgramPrice]]:
    """Active programs with the price a new member pays today."""
    return [
        (row.program, row.price) for row in programs_overview(studio) if row.program.is_active and row.price
    ]


def member_of_lead(lead: Lead) -> Member | None:
    return Member.objects.for_studio(lead.studio_id).filter(lead=lead).first()


def ready_to_enrol(studio: Studio) -> list[Lead]:
    """Won leads without a member yet: the conversation said yes, the enrolment is still to do."""
    enrolled = Member.objects.for_studio(studio).exclude(lead=None).values_list("lead_id", flat=True)
    return list(
        Lead.objects.for_studio(studio)
        .filter(stage=Stage.WON)
        .exclude(pk__in=enrolled)
        .select_related("assigned_to")
        .order_by("-updated_at")[:50]
    )


def enrolments_of(member: Member) -> list[Enrolment]:
    return list(
        Enrolment.objects.for_studio(member.studio_id)
        .filter(member=member)
        .select_related("program", "price", "created_by")
        .order_by("-starts_on", "-id")
    )


@dataclass(frozen=True)
class Standing:
    """Where a member stands on a day; every page that says until when someone is a member reads `until` here."""

    run: Enrolment | None  # the run going on the day (else the next to start); None when nothing is going
    until: date | None  # the end of the last run not stopped and not ended: an agreed renewal counts
    then: Enrolment | None  # the run that follows `run` (a renewal, or the membership after a program)
    last: Enrolment | None  # their latest run of all (for one who is no member any more: when it ended)

    @property
    def renewed(self) -> bool:
        return self.then is not None


def standing_from(enrolments: Iterable[Enrolment], day: date) -> Standing:
    """The rule of a member's end date, on their runs (any order): each run ends where enrolment put it (its start
    plus the program's weeks); a member is one until the end of the last run still going, renewals included."""
    runs = sorted(enrolments, key=lambda e: (e.starts_on, e.pk))
    going = [e for e in runs if e.status == Enrolment.Status.ACTIVE and e.ends_on >= day]
    last = max(runs, key=lambda e: (e.ends_on, e.pk), default=None)
    if not going:
        return Standing(None, None, None, last)
    return Standing(going[0], max(e.ends_on for e in going), going[1] if len(going) > 1 else None, last)


def standing_of(member: Member, day: date | None = None) -> Standing:
    return standing_from(
        Enrolment.objects.for_studio(member.studio_id).filter(member=member).select_related("program"),
        day or today(),
    )


def members_overview(studio: Studio) -> list[tuple[Member, Enrolment | None]]:
    """Every member with their latest enrolment."""
    latest: dict[int, Enrolment] = {}
    for enrolment in (
        Enrolment.objects.for_studio(studio).select_related("program").order_by("starts_on", "id")
    ):
        latest[enrolment.member_id] = enrolment
    return [
        (member, latest.get(member.pk))
        for member in Member.objects.for_studio(studio)
        .select_related("person")
        .order_by("person__name", "id")
    ]
