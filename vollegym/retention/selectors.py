"""Reads of onboarding: the playbook version in force, visits, the coach's open tasks, a member's runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, QuerySet

from vollegym.programs.models import Member
from vollegym.retention.models import ActivationCheck, Playbook, PlaybookVersion, Run, Step, Touchpoint
from vollegym.schedule.models import SessionBooking
from vollegym.studios.models import Studio, User

ATTENDED = SessionBooking.Status.ATTENDED


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
    """Class sessions the member came to (marked present) that began in [start, end)."""
    return (
        SessionBooking.objects.for_studio(member.studio_id)
        .filter(member=member, status=ATTENDED, session__starts_at__gte=start, session__starts_at__lt=end)
        .count()
    )


def has_any_booking(member: Member) -> bool:
    return SessionBooking.objects.for_studio(member.studio_id).filter(member=member).exists()


def last_visit(member: Member, *, before: datetime) -> datetime | None:
    """When the member last came to a class before a moment (None: never)."""
    found: datetime | None = (
        SessionBooking.objects.for_studio(member.studio_id)
        .filter(member=member, status=ATTENDED, session__starts_at__lt=before)
        .aggregate(last=Max("session__starts_at"))["last"]
    )
    return found


def _visible(studio: Studio, user: User, role: str) -> QuerySet[Member]:
    """The members whose tasks a person sees: a coach their own; owners (and the agency) every member."""
    members = Member.objects.for_studio(studio)
    return members.filter(coach=user) if role == "coach" else members


@dataclass(frozen=True)
class Tasks:
    steps: list[Step]
    flags: list[ActivationCheck]


def tasks_open(studio: Studio, user: User, role: str, *, now: datetime) -> Tasks:
    """The open coach tasks of the first 30 days and the members flagged for low activation, oldest first."""
    members = _visible(studio, user, role).values("pk")
    steps = (
        Step.objects.for_studio(studio)
        .filter(status=Step.Status.OPEN, due_at__lte=now, run__member__in=members)
        .select_related("touchpoint", "run__enrolment__program", "run__member__person", "run__member__coach")
        .order_by("due_at", "id")
    )
    flags = (
        ActivationCheck.objects.for_studio(studio)
        .filter(status=ActivationCheck.Status.FLAGGED, member__in=members)
        .select_related("member__person", "member__coach", "enrolment__program")
        .order_by("checked_at", "id")
    )
    return Tasks(steps=list(steps[:200]), flags=list(flags[:200]))


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
    """How many members follow this version (the editor says who keeps an older one)."""
    return Run.objects.for_studio(version.studio_id).filter(version=version).count()
