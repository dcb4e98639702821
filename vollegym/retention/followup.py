"""Leads on the playbook engine: which lead a sequence is for, when it must stop, and its words (reads only).

The leads and intake apps know nothing of sequences, and need not: each sweep reads their own rows and domain events
and finds the leads that should have one (`causes`), and the first sign that a person should carry on instead of a
sequence (`stops`): a reply (a contact attempt logged as reached, a message from them), a booked conversation, a no,
becoming a member, a new request. Both read moments, not the state of now, so a step is never carried out after a
sign that came before it, and a replay of the past (the demo) decides as the sweep did then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.intake.selectors import lead_booking_url
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.people.events import ConversationBooked, ConversationRecorded, Enrolled, LeadStageChanged
from vollegym.people.models import DomainEvent, Person
from vollegym.programs.models import Member
from vollegym.retention.models import QUIET_MONTHS, Playbook, Run, Sequence, Step, StopReason
from vollegym.studios.models import Studio

# A lead is put on a sequence by the first sweep after its cause; one older than this when first seen (the sweep
# did not run, or the engine is new) is left alone rather than followed up late.
START_WITHIN = timedelta(days=2)
# The "gone quiet" check-in goes to whoever went quiet in the last two weeks before the studio's line (4 months):
# the first sweep does not write to everyone who ever went quiet.
QUIET_CATCH_UP = timedelta(days=14)
# How the stage a lead moved to reads as a sign (a booked conversation, a no, a member).
STAGE_SIGNS = {
    Stage.CONTACTED: StopReason.REPLIED,  # moved to "gesproken" by hand
    Stage.INTAKE_BOOKED: StopReason.BOOKED,
    Stage.INTAKE_HELD: StopReason.BOOKED,
    Stage.LOST: StopReason.SAID_NO,
    Stage.WON: StopReason.MEMBER,
}
# Two signs at the same moment: the one that says most.
WEIGHT: dict[str, int] = {StopReason.MEMBER: 0, StopReason.BOOKED: 1, StopReason.SAID_NO: 2, StopReason.CAME_BACK: 3,
          StopReason.REPLIED: 4, StopReason.ERASED: 5}  # fmt: skip
BATCH = 300
# A run keeps watching this long after its last step: a reply in that week still stops it (and counts for the step).
WATCH = timedelta(days=7)


@dataclass(frozen=True)
class Cause:
    """A lead that should be on a sequence: since when (a reply from then on stops it) and which day is day 0."""

    lead_id: int
    sequence: str
    at: datetime
    starts_on: date


@dataclass(frozen=True)
class Stop:
    reason: str
    at: datetime


def _day(moment: datetime, timezone: str) -> date:
    """The date of a moment on the studio's wall calendar."""
    return clock.local(moment, ZoneInfo(timezone)).date()


def causes(now: datetime) -> list[Cause]:
    """Every lead that should be on a sequence now and is not: new and not answered, a no-show, gone quiet."""
    return [*_not_booked(now), *_no_shows(now), *gone_quiet(now)]


def _on(sequence: str) -> Exists:
    """The lead (the outer query's row) is on this sequence already (the unique index of lead and sequence)."""
    return Exists(Run.all_studios.filter(lead_id=OuterRef("pk"), sequence=sequence))


def _not_booked(now: datetime) -> list[Cause]:
    """Leads that came in lately, with a clock running (they asked for an answer), not yet spoken to or booked."""
    rows = (
        Lead.all_studios.filter(
            is_test=False, stage=Stage.NEW, due_at__isnull=False, created_at__gte=now - START_WITHIN, studio__is_active=True,
            created_at__lte=now,
        )
        .exclude(_on(Sequence.NOT_BOOKED))
        .values_list("pk", "created_at", "studio__timezone")
    )  # fmt: skip
    return [Cause(pk, Sequence.NOT_BOOKED, at, _day(at, zone)) for pk, at, zone in rows]


def _no_shows(now: datetime) -> list[Cause]:
    """Leads whose conversation was recorded as a no-show lately, and who are still "niet verschenen"."""
    # Studio by studio: the events' index starts with the studio (one short range each, not the whole table).
    missed = [
        row
        for studio_id in Studio.objects.values_list("pk", flat=True)
        for row in DomainEvent.objects.for_studio(studio_id)
        .filter(
            kind=ConversationRecorded.kind, payload__status="no_show", at__gte=now - START_WITHIN, at__lte=now
        )
        .values_list("lead_id", "at")
    ]
    first: dict[int, datetime] = {}
    for lead_id, at in missed:
        if lead_id is not None and (lead_id not in first or at < first[lead_id]):
            first[lead_id] = at
    if not first:
        return []
    rows = (
        Lead.all_studios.filter(
            pk__in=list(first), stage=Stage.NO_SHOW, is_test=False, studio__is_active=True
        )
        .exclude(_on(Sequence.NO_SHOW))
        .values_list("pk", "studio__timezone")
    )
    return [Cause(pk, Sequence.NO_SHOW, first[pk], _day(first[pk], zone)) for pk, zone in rows]


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (31 March less one month: the last day of February)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


def _quiet_months() -> dict[int, int]:
    """Per studio that set it, the months of quiet before the check-in (the rest: QUIET_MONTHS)."""
    return dict(
        Playbook.all_studios.filter(sequence=Sequence.GONE_QUIET)
        .exclude(quiet_months=QUIET_MONTHS)
        .values_list("studio_id", "quiet_months")
    )


def gone_quiet(now: datetime) -> list[Cause]:
    """Leads of people who went quiet: no sign of life (the timeline's last line) for the studio's months, not a
    member, not asking anything newer, and never checked in on before (in any of their leads)."""
    found: list[Cause] = []
    chosen = _quiet_months()
    groups: dict[int, list[int]] = {QUIET_MONTHS: []}
    for studio_id, months in chosen.items():
        groups.setdefault(months, []).append(studio_id)
    for months, studio_ids in groups.items():
        utc = now.astimezone(UTC)
        line = datetime.combine(months_before(utc.date(), months), utc.time(), tzinfo=UTC)
        activities = Activity.all_studios.filter(at__gt=line - QUIET_CATCH_UP, at__lte=line)
        if months == QUIET_MONTHS:
            activities = activities.exclude(studio_id__in=list(chosen))
        else:
            activities = activities.filter(studio_id__in=studio_ids)
        later = Activity.all_studios.filter(lead_id=OuterRef("pk"), at__gt=line)
        newer = Lead.all_studios.filter(
            person_id=OuterRef("person_id"), created_at__gt=OuterRef("created_at")
        )
        rows = (
            Lead.all_studios.filter(
                pk__in=activities.values("lead_id"),
                is_test=False,
                person__erased_at__isnull=True,
                studio__is_active=True,
            )
            .exclude(stage=Stage.WON)
            .exclude(Exists(later))
            .exclude(Exists(newer))
            .exclude(person_id__in=Member.all_studios.values("person_id"))
            .exclude(
                person_id__in=Run.all_studios.filter(sequence=Sequence.GONE_QUIET).values("lead__person_id")
            )
            .values_list("pk", "studio__timezone")
        )
        found += [Cause(pk, Sequence.GONE_QUIET, now, _day(now, zone)) for pk, zone in rows]
    return found


def stops(runs: list[Run], now: datetime) -> dict[int, Stop]:
    """For each lead run that must stop by `now`: the first sign since it started, and what it says."""
    found: dict[int, Stop] = {}
    for start in range(0, len(runs), BATCH):
        found |= _stops(runs[start : start + BATCH], now)
    return found


def _stops(runs: list[Run], now: datetime) -> dict[int, Stop]:
    lead_runs = [(run, run.lead_id) for run in runs if run.lead_id is not None]
    if not lead_runs:
        return {}
    since = min(run.started_at for run, _lead in lead_runs)
    lead_ids = {lead for _run, lead in lead_runs}
    leads = {pk: (person, created) for pk, person, created in
             Lead.all_studios.filter(pk__in=lead_ids).values_list("pk", "person_id", "created_at")}  # fmt: skip
    # What happened in the lead: reached by a call or in person, a conversation booked, a stage that says so.
    signs: dict[int, list[tuple[datetime, str]]] = defaultdict(list)  # lead id → (moment, reason)
    for lead, at in Activity.all_studios.filter(
        lead_id__in=lead_ids, kind__in=Activity.PERSONAL_CONTACT, outcome=Activity.Outcome.REACHED,
        at__gte=since, at__lte=now,
    ).values_list("lead_id", "at"):  # fmt: skip
        signs[lead].append((at, StopReason.REPLIED))
    for event_lead, kind, payload, at in DomainEvent.all_studios.filter(
        lead_id__in=lead_ids,
        kind__in=[ConversationBooked.kind, LeadStageChanged.kind],
        at__gte=since,
        at__lte=now,
    ).values_list("lead_id", "kind", "payload", "at"):
        said = StopReason.BOOKED if kind == ConversationBooked.kind else STAGE_SIGNS.get(payload.get("after"))
        if said is not None and event_lead is not None:
            signs[event_lead].append((at, said))
    # What the person did, in this lead or another: wrote to us, became a member, asked again, was erased.
    person_ids = {person for person, _created in leads.values()}
    people: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for person, inbound, erased in Person.all_studios.filter(pk__in=person_ids).values_list(
        "pk", "last_inbound_at", "erased_at"
    ):
        if inbound is not None and since <= inbound <= now:
            people[person].append((inbound, StopReason.REPLIED))
        if erased is not None and erased <= now:
            people[person].append((max(erased, since), StopReason.ERASED))
    for enrolled, at in DomainEvent.all_studios.filter(
        person_id__in=person_ids, kind=Enrolled.kind, at__gte=since, at__lte=now
    ).values_list("person_id", "at"):
        if enrolled is not None:
            people[enrolled].append((at, StopReason.MEMBER))
    for asked, at in Lead.all_studios.filter(
        person_id__in=person_ids, is_test=False, created_at__gte=since, created_at__lte=now
    ).values_list("person_id", "created_at"):
        people[asked].append((at, StopReason.CAME_BACK))
    found: dict[int, Stop] = {}
    for run, lead in lead_runs:
        person, created = leads[lead]
        own = [
            (at, why)
            for at, why in [*signs[lead], *people[person]]
            # an erasure counts whenever it was; a new lead only when newer than this one
            if (at >= run.started_at or why == StopReason.ERASED)
            and (why != StopReason.CAME_BACK or at > created)
        ]
        if own:
            first, why = min(own, key=lambda sign: (sign[0], WEIGHT[sign[1]]))
            found[run.pk] = Stop(reason=why, at=max(first, run.started_at))
    return found


def runs_active(now: datetime) -> list[Run]:
    """Lead runs still going: not stopped, with a step to come or a task still open, or a step in the last week
    (a reply to the last step still stops the run, so the report can say what that step brought in)."""
    going = Step.all_studios.filter(run__lead__isnull=False).filter(
        Q(status__in=[Step.Status.PLANNED, Step.Status.OPEN]) | Q(due_at__gte=now - WATCH)
    )
    return list(
        Run.all_studios.filter(pk__in=going.values("run_id"), stopped_at__isnull=True, started_at__lte=now)
    )


def lead_values(lead: Lead, *, fresh: bool, link: bool, for_task: bool = False) -> dict[str, str]:
    """What a lead sequence's placeholders say for this lead; the link (a query) only when the text has one.

    A lead without a name is "daar" in a message ("Hoi daar,") and what the coach knows them by in a task.
    """
    studio = lead.studio
    coach = (
        lead.assigned_to.get_short_name()
        if lead.assigned_to
        else _("het team van %(studio)s") % {"studio": studio.name}
    )
    name = first_name(lead.person.name, fallback="") or (str(lead) if for_task else _("daar"))
    return {
        "voornaam": name, "coach": coach, "studio": studio.name,
        "intakelink": lead_booking_url(lead, fresh=fresh) if link else "",
    }  # fmt: skip


def fill_in_lead(text: str, lead: Lead, sequence: str, *, for_task: bool = False) -> str:
    """A lead sequence's text with its placeholders filled in for this lead (for the lead, or for the coach)."""
    with translation.override("nl"):
        values = lead_values(
            lead, fresh=sequence == Sequence.GONE_QUIET, link="{intakelink}" in text, for_task=for_task
        )
    try:
        return text.format_map(values)
    except (KeyError, ValueError, IndexError):  # saved before the check existed: sent as written
        return text


def last_sign(lead_id: int, studio_id: int, *, before: datetime) -> datetime | None:
    """The last line on a lead's timeline before a moment (since when a lead who went quiet was quiet)."""
    return (
        Activity.objects.for_studio(studio_id)
        .filter(lead_id=lead_id, at__lt=before)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
