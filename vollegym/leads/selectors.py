"""Reads about leads: the inbox in order of urgency, a lead's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.core.phones import display_phone
from vollegym.leads.models import CLOSED_STAGES, Activity, Lead, LeadQuerySet, Stage
from vollegym.people.models import ConsentEntry
from vollegym.people.search import people_search
from vollegym.people.selectors import consent_ledger
from vollegym.studios.models import Studio, User

# How the list can be read (the values are what the list's links carry).
URGENCY, NEWEST, NAME = "urgentie", "nieuwste", "naam"
OPEN, CLOSED, ALL = "open", "gesloten", "alle"
UNASSIGNED = "geen"


@dataclass(frozen=True)
class LeadFilters:
    """What the leads list shows: open leads by urgency unless the viewer narrows or reorders it."""

    search: str = ""
    stage: str = ""  # one stage; it says open or closed by itself, so `status` then does not apply
    source: str = ""
    coach: str = ""  # a coach's user id, UNASSIGNED, or "" for everyone's
    status: str = OPEN
    order: str = URGENCY

    @property
    def narrowed(self) -> bool:
        """Anything other than the inbox as it opens (the order does not narrow it)."""
        return bool(self.search or self.stage or self.source or self.coach or self.status != OPEN)


def lead_list(studio: Studio, filters: LeadFilters) -> QuerySet[Lead]:
    """The leads of a studio as the list shows them: searched, filtered, in the chosen order; never test leads."""
    leads: QuerySet[Lead] = Lead.objects.for_studio(studio).real().select_related("person", "assigned_to")
    if filters.stage:
        leads = leads.filter(stage=filters.stage)
    elif filters.status == OPEN:
        leads = leads.exclude(stage__in=CLOSED_STAGES)
    elif filters.status == CLOSED:
        leads = leads.filter(stage__in=CLOSED_STAGES)
    if filters.source:
        leads = leads.filter(source=filters.source)
    if filters.coach == UNASSIGNED:
        leads = leads.filter(assigned_to__isnull=True)
    elif filters.coach:
        leads = leads.filter(assigned_to_id=int(filters.coach))
    leads = people_search(leads, filters.search)
    if filters.order == NEWEST:
        return leads.order_by("-created_at", "-id")
    if filters.order == NAME:
        return leads.order_by(Lower("person__name"), "id")
    return leads.order_by(
        F("first_contact_at").asc(nulls_first=True), F("due_at").asc(nulls_last=True), "-updated_at", "-id"
    )


@dataclass(frozen=True)
class Clock:
    """How a lead's speed-to-lead clock reads now."""

    minutes: int  # until the deadline (negative: late)
    state: str  # "answered", "running", "late"

    @property
    def label(self) -> str:
        """ "12 min te laat", "3 uur te laat", "7 dagen te laat", "nog 24 min" (the countdown script says the same)."""
        if self.state == "answered":
            return _("beantwoord")
        span = _span(abs(self.minutes))
        return (
            _("%(span)s te laat") % {"span": span} if self.minutes < 0 else _("nog %(span)s") % {"span": span}
        )


def _span(minutes: int) -> str:
    if minutes < 120:
        return _("%(n)s min") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(n)s uur") % {"n": minutes // 60}
    return _("%(n)s dagen") % {"n": minutes // (24 * 60)}


def clock_of(lead: Lead, now: datetime | None = None) -> Clock:
    if lead.first_contact_at is not None or lead.due_at is None or not lead.is_open:
        return Clock(0, "answered")
    minutes = int((lead.due_at - (now or clock.now())).total_seconds() // 60)
    return Clock(minutes, "late" if minutes < 0 else "running")


def late_for(studio: Studio, user: User, now: datetime | None = None) -> list[tuple[Lead, Clock]]:
    """The open leads past their deadline without a personal answer that wait on this person: theirs, and nobody's.

    Read from the leads themselves, not from the notices sent about them, so a lead reassigned after its notice
    went out, or one whose notice is still on its way, is listed too. Longest late first.
    """
    now = now or clock.now()
    late = (
        Lead.objects.for_studio(studio)
        .open()
        .filter(first_contact_at__isnull=True, due_at__lte=now)
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
        .select_related("assigned_to")
        .order_by("due_at", "id")[:100]
    )
    return [(lead, clock_of(lead, now)) for lead in late]


def waiting_for_answer(
    studio: Studio, *, coach: User | None = None, limit: int = 50
) -> list[tuple[Lead, Clock]]:
    """Open leads still without a personal answer, the nearest deadline first: a coach's own and nobody's, or all.

    Different from `late_for`: these include the leads whose clock still runs, so they are answered in time."""
    now = clock.now()
    waiting = (
        _waiting(studio, coach)
        .select_related("person", "assigned_to")
        .order_by(F("due_at").asc(nulls_last=True), "created_at", "id")
    )
    return [(lead, clock_of(lead, now)) for lead in waiting[:limit]]


def _waiting(studio: Studio, coach: User | None) -> LeadQuerySet:
    waiting = Lead.objects.for_studio(studio).open().filter(first_contact_at__isnull=True, is_test=False)
    if coach is not None:
        waiting = waiting.filter(Q(assigned_to=coach) | Q(assigned_to__isnull=True))
    return waiting


def waiting_for_answer_counts(studio: Studio, *, coach: User | None = None) -> tuple[int, int]:
    """How many `waiting_for_answer` would list, uncapped, in one query: (past their deadline, still in time)."""
    found = _waiting(studio, coach).aggregate(
        late=Count("id", filter=Q(due_at__lt=clock.now())), all=Count("id")
    )
    return found["late"], found["all"] - found["late"]


def timeline(lead: Lead) -> QuerySet[Activity]:
    return Activity.objects.for_studio(lead.studio_id).filter(lead=lead).select_related("by")


def earlier_leads(lead: Lead) -> int:
    """How many times this person asked before (a returning prospect keeps one record and gets a new lead)."""
    return (
        Lead.objects.for_studio(lead.studio_id)
        .filter(person_id=lead.person_id, created_at__lt=lead.created_at)
        .count()
    )


def consents_of(lead: Lead) -> QuerySet[ConsentEntry]:
    """The person's consent ledger, newest first (consent belongs to the person, not to one of their leads)."""
    return consent_ledger(lead.person)


def whatsapp_link(lead: Lead, coach_name: str, studio_name: str) -> str | None:
    """Click-to-chat with a prefilled, personal Dutch first message."""
    if not lead.phone:
        return None
    first = first_name(lead.name, "")
    text = (
        f"Hoi {first}, met {coach_name} van {studio_name}. Dank voor je aanvraag! "
        "Heb je even om kort te bellen over wat je wilt bereiken?"
    ).replace("Hoi ,", "Hoi,")
    return f"https://wa.me/{lead.phone.lstrip('+')}?text={quote(text)}"


def phone_label(lead: Lead) -> str:
    return display_phone(lead.phone) if lead.phone else lead.phone_as_given


PIPELINE = [Stage.NEW, Stage.CONTACTED, Stage.INTAKE_BOOKED, Stage.INTAKE_HELD, Stage.NO_SHOW]


def pipeline(studio: Studio) -> dict[str, list[Lead]]:
    """Open leads per stage of the pipeline, oldest first."""
    columns: dict[str, list[Lead]] = {stage: [] for stage in PIPELINE}
    for lead in (
        Lead.objects.for_studio(studio).open().select_related("assigned_to").order_by("created_at")[:500]
    ):
        columns.setdefault(lead.stage, []).append(lead)
    return columns


# Where a lead usually goes next from a stage of the board: one tap each. Every other stage sits in a menu.
NEXT_STAGES: dict[str, tuple[Stage, ...]] = {
    Stage.NEW: (Stage.CONTACTED, Stage.INTAKE_BOOKED),
    Stage.CONTACTED: (Stage.INTAKE_BOOKED,),
    Stage.INTAKE_BOOKED: (Stage.INTAKE_HELD, Stage.NO_SHOW),
    Stage.INTAKE_HELD: (Stage.WON,),
    Stage.NO_SHOW: (Stage.INTAKE_BOOKED, Stage.CONTACTED),
}


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    leads: list[Lead]
    next_stages: list[Stage]  # a button each on every card
    other_stages: list[Stage]  # behind "Andere fase"; never lost, which takes a reason on the lead's page


def board(studio: Studio) -> list[BoardColumn]:
    """The pipeline as a board: its columns with their leads, and the stages a card can move to from each."""
    columns = []
    for stage, leads in pipeline(studio).items():
        here = Stage(stage)
        following = list(NEXT_STAGES.get(here, ()))
        others = [s for s in Stage if s not in (here, Stage.LOST, *following)]
        columns.append(BoardColumn(here, leads, following, others))
    return columns
