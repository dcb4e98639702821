"""Reads of programs and members: the price in force on a day, the history, who is enrolled where."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import DateField, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower

from vollegym.core import clock
from vollegym.leads.models import Lead, Stage
from vollegym.people.search import people_search
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


def price_histories(studio: Studio, programs: Iterable[Program]) -> dict[int, list[ProgramPrice]]:
    """`price_history` of many programs in one query: program id → its prices, the latest first."""
    found: dict[int, list[ProgramPrice]] = {}
    for price in (
        ProgramPrice.objects.for_studio(studio)
        .filter(program__in=[program.pk for program in programs])
        .order_by("-effective_from", "-id")
    ):
        found.setdefault(price.program_id, []).append(price)
    return found


def price_in_force_of(history: list[ProgramPrice], on: date | None = None) -> ProgramPrice | None:
    """`price_in_force` read from a price history that is already loaded (the latest first)."""
    day = on or today()
    return next((price for price in history if price.effective_from <= day), None)


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


# How the members list can be read (the values are what the list's links carry).
ACTIVE, ENDED = "actief", "afgelopen"
BY_NAME, BY_START, BY_END = "naam", "start", "einde"
UNASSIGNED = "geen"


@dataclass(frozen=True)
class MemberFilters:
    """What the members list shows: active members by name unless the viewer asks otherwise."""

    search: str = ""
    program: str = ""  # a program's id: members with a run in it
    coach: str = ""  # a coach's user id, UNASSIGNED, or "" for everyone's
    status: str = ACTIVE  # active: a run that has not ended (running or still to start); ended: the rest
    order: str = BY_NAME

    @property
    def narrowed(self) -> bool:
        """Searched or filtered within the tab (the tab and the order do not narrow it)."""
        return bool(self.search or self.program or self.coach)


def member_list(studio: Studio, filters: MemberFilters) -> QuerySet[Member]:
    """The members of a studio as the list shows them: active or ended, searched, filtered, in the chosen order.

    Active: a run that is not stopped and has not ended (one that starts next week counts). `until` is the end of
    the last such run (a renewal counts), `shown_start`/`shown_end` those of the run the row shows.
    """
    day = today()
    runs = Enrolment.objects.for_studio(studio).filter(member=OuterRef("pk"))
    going = runs.filter(status=Enrolment.Status.ACTIVE, ends_on__gte=day)
    ended = filters.status == ENDED
    shown = runs.order_by("-ends_on", "-id") if ended else going.order_by("starts_on", "id")
    members = (
        Member.objects.for_studio(studio)
        .select_related("person", "coach")
        .annotate(
            until=Subquery(going.order_by("-ends_on").values("ends_on")[:1], output_field=DateField()),
            shown_start=Subquery(shown.values("starts_on")[:1], output_field=DateField()),
            shown_end=Subquery(shown.values("ends_on")[:1], output_field=DateField()),
        )
        .filter(until__isnull=ended)
    )
    if filters.program:
        members = members.filter(Exists((runs if ended else going).filter(program_id=int(filters.program))))
    if filters.coach == UNASSIGNED:
        members = members.filter(coach__isnull=True)
    elif filters.coach:
        members = members.filter(coach_id=int(filters.coach))
    found = people_search(members, filters.search)
    if filters.order == BY_START:
        return found.order_by("-shown_start", Lower("person__name"), "id")
    if filters.order == BY_END:
        # who stops soonest first among the active; the most recently ended first among the rest
        return found.order_by("-shown_end" if ended else "until", Lower("person__name"), "id")
    return found.order_by(Lower("person__name"), "id")


def member_tab_counts(studio: Studio, filters: MemberFilters) -> dict[str, int]:
    """How many members each tab holds with the same search and filters."""
    return {
        status: member_list(studio, MemberFilters(search=filters.search, program=filters.program,
                                                  coach=filters.coach, status=status)).count()
        for status in (ACTIVE, ENDED)
    }  # fmt: skip


@dataclass(frozen=True)
class MemberRow:
    member: Member
    # the run the row is about: the one running today (or next to start); for an ended member the last one
    enrolment: Enrolment | None
    until: date | None  # member until: the end of the last run that has not ended (a renewal counts)
    renewed: bool  # a run follows the one shown


def member_rows(studio: Studio, members: list[Member]) -> list[MemberRow]:
    """The runs of one page of members, read at once."""
    day = today()
    runs: dict[int, list[Enrolment]] = {}
    for enrolment in (
        Enrolment.objects.for_studio(studio)
        .filter(member__in=[m.pk for m in members])
        .select_related("program")
        .order_by("starts_on", "id")
    ):
        runs.setdefault(enrolment.member_id, []).append(enrolment)
    rows = []
    for member in members:
        standing = standing_from(runs.get(member.pk, []), day)  # the member's end date, as every page has it
        if standing.run is not None:
            rows.append(MemberRow(member, standing.run, standing.until, standing.renewed))
        else:
            last = standing.last
            rows.append(MemberRow(member, last, last.ends_on if last else None, False))
    return rows
