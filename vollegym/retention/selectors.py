"""Reads of onboarding: the playbook version in force, visits, the coach's open tasks, a member's runs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TypeVar

from django.db.models import Count, Exists, Max, OuterRef, QuerySet

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned, StudioScopedManager
from vollegym.leads.models import Lead
from vollegym.programs.models import Member
from vollegym.retention.models import (
    LOW_SCORE,
    ActivationCheck,
    Playbook,
    PlaybookVersion,
    Rating,
    Run,
    Sequence,
    Step,
    Touchpoint,
)
from vollegym.schedule.models import PersonalSession, SessionBooking
from vollegym.studios.models import Studio, User

M = TypeVar("M", bound=StudioOwned)
ATTENDED = SessionBooking.Status.ATTENDED
PT_ATTENDED = PersonalSession.Status.ATTENDED


def versions_current(playbook: Playbook) -> PlaybookVersion:
    """The latest published version: what a member who starts now follows."""
    return (
        PlaybookVersion.objects.for_studio(playbook.studio_id)
        .filter(playbook=playbook)
        .order_by("-number")[0]
    )


def touchpoints_of(version: PlaybookVersion) -> list[Touchpoint]:
    return list(Touchpoint.objects.for_studio(version.studio_id).filter(version=version))


def visits_between(member: Member, start: datetime, end: datetime) -> int:
    """Visits that began in [start, end): classes the member came to (marked present) and PT trainings given."""
    classes = (
        SessionBooking.objects.for_studio(member.studio_id)
        .filter(member=member, status=ATTENDED, session__starts_at__gte=start, session__starts_at__lt=end)
        .count()
    )
    personal = (
        PersonalSession.objects.for_studio(member.studio_id)
        .filter(member=member, status=PT_ATTENDED, starts_at__gte=start, starts_at__lt=end)
        .count()
    )
    return classes + personal


def has_any_booking(member: Member) -> bool:
    """Whether anything of the member's training is recorded: a class booked, or a PT training."""
    return (
        SessionBooking.objects.for_studio(member.studio_id).filter(member=member).exists()
        or PersonalSession.objects.for_studio(member.studio_id).filter(member=member).exists()
    )


def last_visit(member: Member, *, before: datetime) -> datetime | None:
    """When the member last came to a class or a PT training before a moment (None: never)."""
    classes: datetime | None = (
        SessionBooking.objects.for_studio(member.studio_id)
        .filter(member=member, status=ATTENDED, session__starts_at__lt=before)
        .aggregate(last=Max("session__starts_at"))["last"]
    )
    personal: datetime | None = (
        PersonalSession.objects.for_studio(member.studio_id)
        .filter(member=member, status=PT_ATTENDED, starts_at__lt=before)
        .aggregate(last=Max("starts_at"))["last"]
    )
    found = [moment for moment in (classes, personal) if moment is not None]
    return max(found) if found else None


def _visible(studio: Studio, user: User, role: str) -> QuerySet[Member]:
    """The members whose tasks a person sees: a coach their own; owners (and the agency) every member."""
    members = Member.objects.for_studio(studio)
    return members.filter(coach=user) if role == "coach" else members


@dataclass(frozen=True)
class Tasks:
    steps: list[Step]
    flags: list[ActivationCheck]
    lead_steps: list[Step] = field(default_factory=list)


def _picked(studio: Studio, rows: QuerySet[M], order: tuple[str, ...], limit: int, *related: str) -> list[M]:
    """The first `limit` rows in `order` with their related rows, read in two steps: their keys by the filter, then
    the rows joined to what the list shows. Most of these lists are empty on most days, and the database takes
    longer to plan a join of eight tables under a filter than to read the rows: an empty list costs one cheap
    read."""
    keys = list(rows.order_by(*order).values_list("pk", flat=True)[:limit])
    if not keys:
        return []
    joined: StudioScopedManager[M] = rows.model._default_manager  # type: ignore[assignment]
    return list(joined.for_studio(studio).filter(pk__in=keys).select_related(*related).order_by(*order))


def tasks_open(studio: Studio, user: User, role: str, *, now: datetime) -> Tasks:
    """The open coach tasks of the first 30 days and of the leads' follow-up, and the members flagged for low
    activation, oldest first. A coach sees their own members and leads."""
    open_steps, open_flags, open_lead_steps = _open(studio, user, role, now)
    steps = _picked(
        studio, open_steps, ("due_at", "id"), 200,
        "touchpoint", "run__enrolment__program", "run__member__person", "run__member__coach",
    )  # fmt: skip
    flags = _picked(
        studio, open_flags, ("checked_at", "id"), 400, "member__person", "member__coach", "enrolment__program"
    )
    leads = _picked(
        studio, open_lead_steps, ("due_at", "id"), 200,
        "touchpoint", "run__lead__person", "run__lead__assigned_to", "run__lead__studio",
    )  # fmt: skip
    # One call per member: a day-21 flag stands for the day-10 one of the same enrolment.
    latest: dict[int, ActivationCheck] = {}
    for check in flags:
        if check.enrolment_id not in latest or check.day > latest[check.enrolment_id].day:
            latest[check.enrolment_id] = check
    return Tasks(
        steps=steps,
        flags=sorted(latest.values(), key=lambda c: (c.checked_at, c.pk))[:200],
        lead_steps=leads,
    )


def _open(
    studio: Studio, user: User, role: str, now: datetime
) -> tuple[QuerySet[Step], QuerySet[ActivationCheck], QuerySet[Step]]:
    members = _visible(studio, user, role).values("pk")
    steps = Step.objects.for_studio(studio).filter(
        status=Step.Status.OPEN, due_at__lte=now, run__member__in=members
    )
    flags = ActivationCheck.objects.for_studio(studio).filter(
        status=ActivationCheck.Status.FLAGGED, member__in=members
    )
    leads = Step.objects.for_studio(studio).filter(
        status=Step.Status.OPEN, due_at__lte=now, run__lead__isnull=False
    )
    if role == "coach":
        leads = leads.filter(run__lead__assigned_to=user)
    return steps, flags, leads


@dataclass(frozen=True)
class TaskCounts:
    steps: int
    flags: int  # enrolments flagged (one call each), members in `leaving_out` not counted
    lead_steps: int


def tasks_open_counts(
    studio: Studio, user: User, role: str, *, now: datetime, leaving_out: Iterable[int] = ()
) -> TaskCounts:
    """How many `tasks_open` lists (uncapped), in COUNT queries; the flags of members in `leaving_out` (already on
    another list) not counted."""
    steps, flags, lead_steps = _open(studio, user, role, now)
    return TaskCounts(
        steps=steps.count(),
        flags=flags.exclude(member_id__in=list(leaving_out)).values("enrolment_id").distinct().count(),
        lead_steps=lead_steps.count(),
    )


def ratings_low_open_count(studio: Studio, user: User, role: str) -> int:
    """How many `ratings_low_open` lists (uncapped), in one COUNT."""
    return _low_open(studio, user, role).count()


def runs_of(member: Member) -> list[tuple[Run, list[Step]]]:
    """A member's runs, newest first, each with its steps in order (for the member's page)."""
    runs = (
        Run.objects.for_studio(member.studio_id)
        .filter(member=member)
        .select_related("version", "enrolment__program")
        .order_by("-started_at")
    )
    found = []
    for run in runs:
        steps = (
            Step.objects.for_studio(member.studio_id)
            .filter(run=run)
            .select_related(
                "touchpoint",
                "message",
                "run__member__person",
                "run__member__coach",
                "run__enrolment__program",
            )
            .order_by("due_at", "touchpoint__position")
        )
        found.append((run, list(steps)))
    return found


def activation_of(member: Member) -> list[ActivationCheck]:
    return list(
        ActivationCheck.objects.for_studio(member.studio_id)
        .filter(member=member)
        .select_related("enrolment__program")
        .order_by("-enrolment__starts_on", "day")
    )


def members_on(version: PlaybookVersion) -> int:
    """How many members (or leads) follow this version (the editor says who keeps an older one)."""
    return Run.objects.for_studio(version.studio_id).filter(version=version).count()


def lead_runs_of(lead: Lead) -> list[tuple[Run, list[Step]]]:
    """A lead's sequences, newest first, each with its steps in order (for the lead's page)."""
    runs = (
        Run.objects.for_studio(lead.studio_id)
        .filter(lead=lead)
        .select_related("version")
        .order_by("-started_at")
    )
    found = []
    for run in runs:
        steps = (
            Step.objects.for_studio(lead.studio_id)
            .filter(run=run)
            .select_related(
                "touchpoint", "message", "run__lead__person", "run__lead__assigned_to", "run__lead__studio"
            )
            .order_by("due_at", "touchpoint__position")
        )
        found.append((run, list(steps)))
    return found


@dataclass(frozen=True)
class SequenceSummary:
    """One of a studio's lead sequences on its overview: its steps, and how many leads it has now and had."""

    sequence: str
    label: str
    playbook: Playbook
    version: PlaybookVersion
    touchpoints: list[Touchpoint]
    running: int
    stopped: dict[str, int]
    finished: int

    @property
    def stopped_total(self) -> int:
        return sum(self.stopped.values())


def sequence_summary(playbook: Playbook, *, since: datetime) -> SequenceSummary:
    """A sequence's current steps, the leads in it now, and of those that began since a moment how they ended."""
    version = versions_current(playbook)
    runs = Run.objects.for_studio(playbook.studio_id).filter(sequence=playbook.sequence, lead__isnull=False)
    waiting = Step.objects.for_studio(playbook.studio_id).filter(
        run_id=OuterRef("pk"), status__in=[Step.Status.PLANNED, Step.Status.OPEN]
    )
    running = runs.filter(stopped_at__isnull=True).filter(Exists(waiting)).count()
    recent = runs.filter(started_at__gte=since)
    stopped = dict(
        recent.filter(stopped_at__isnull=False)
        .order_by()
        .values("stop_reason")
        .annotate(n=Count("pk"))
        .values_list("stop_reason", "n")
    )
    finished = recent.filter(stopped_at__isnull=True).exclude(Exists(waiting)).count()
    return SequenceSummary(
        sequence=playbook.sequence, label=str(Sequence(playbook.sequence).label), playbook=playbook,
        version=version, touchpoints=touchpoints_of(version), running=running, stopped=stopped, finished=finished,
    )  # fmt: skip


def ratings_low_open(studio: Studio, user: User, role: str) -> list[Rating]:
    """Answers of 0 to 6 nobody has called about yet: a call for the coach, oldest first."""
    return _picked(
        studio, _low_open(studio, user, role), ("answered_at", "id"), 200,
        "person", "member__person", "member__coach", "enrolment__program", "coach",
    )  # fmt: skip


def _low_open(studio: Studio, user: User, role: str) -> QuerySet[Rating]:
    members = _visible(studio, user, role).values("pk")
    return Rating.objects.for_studio(studio).filter(
        score__lte=LOW_SCORE, called_at__isnull=True, member__in=members
    )


@dataclass(frozen=True)
class Nps:
    """Net Promoter Score of a group of answers: % promoters (9-10) minus % detractors (0-6), whole numbers."""

    label: str
    answered: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> int | None:
        if not self.answered:
            return None
        return round(100 * (self.promoters - self.detractors) / self.answered)


def nps_of(label: str, scores: list[int]) -> Nps:
    return Nps(
        label=label,
        answered=len(scores),
        promoters=sum(1 for s in scores if s >= 9),
        passives=sum(1 for s in scores if 7 <= s <= 8),
        detractors=sum(1 for s in scores if s <= LOW_SCORE),
    )


@dataclass(frozen=True)
class NpsReport:
    total: Nps
    asked: int
    months: list[tuple[date, Nps]]
    coaches: list[Nps]


def nps_report(studio: Studio, *, since: date) -> NpsReport:
    """The studio's NPS since a day: in all, per month of answering (studio's clock) and per coach at the time."""
    start = clock.wall_time(since, time(0)) or datetime.combine(since, time(0), tzinfo=clock.AMSTERDAM)
    asked = Rating.objects.for_studio(studio).filter(asked_at__gte=start).count()
    rows = list(
        Rating.objects.for_studio(studio)
        .filter(answered_at__gte=start, score__isnull=False)
        .select_related("coach")
        .order_by("answered_at")
    )
    by_month: dict[date, list[int]] = defaultdict(list)
    by_coach: dict[str, list[int]] = defaultdict(list)
    for rating in rows:
        assert rating.score is not None and rating.answered_at is not None
        by_month[clock.local(rating.answered_at).date().replace(day=1)].append(rating.score)
        by_coach[rating.coach.get_short_name() if rating.coach else ""].append(rating.score)
    return NpsReport(
        total=nps_of("", [r.score for r in rows if r.score is not None]),
        asked=asked,
        months=[(month, nps_of("", scores)) for month, scores in sorted(by_month.items(), reverse=True)],
        coaches=sorted(
            (nps_of(name, scores) for name, scores in by_coach.items()),
            key=lambda n: (n.label == "", n.label),
        ),
    )
