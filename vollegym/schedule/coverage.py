"""The booking rule: which classes a member's programs give a place in, on which days, and why not otherwise.

Read once per member (`coverage_of`), asked per session: the member's agenda offers "Boek" by the same rule that
refuses a booking, so it never offers what the studio would then refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.programs.models import Enrolment, Member, Pause, Program
from vollegym.schedule.models import ClassSession, ClassTemplate


@dataclass(frozen=True)
class Run:
    """One running (not stopped) enrolment of the member, as the booking rule needs it."""

    program_id: int
    small_group: bool
    starts_on: date
    ends_on: date
    paused: tuple[tuple[date, date], ...] = ()  # first and last day of each pause in force

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on and not self.paused_on(day)

    def paused_on(self, day: date) -> tuple[date, date] | None:
        return next((p for p in self.paused if p[0] <= day <= p[1]), None)


@dataclass(frozen=True)
class Coverage:
    runs: tuple[Run, ...]

    def refusal(self, template: ClassTemplate, day: date) -> str:
        """Why the member may not take a place in this class on this day; "" when one of their runs gives one.

        A class of a program is for that program's runs; a class without one for any small-group run; a PT card
        never gives a place in a group class.
        """
        fitting = [
            run
            for run in self.runs
            if (run.program_id == template.program_id if template.program_id is not None else run.small_group)
        ]
        if any(run.covers(day) for run in fitting):
            return ""
        pause = next((p for run in fitting if (p := run.paused_on(day))), None)
        if pause is not None:
            return _("Je staat dan op pauze (tot en met %(day)s).") % {"day": date_format(pause[1], "j F")}
        later = [run.starts_on for run in fitting if run.starts_on > day]
        if later:
            return _("Je programma begint pas op %(day)s.") % {"day": date_format(min(later), "j F")}
        if fitting:
            return _("Je programma loopt dan niet meer.")
        return _("Deze les hoort niet bij je programma.")


def pauses_by_run(member: Member) -> dict[int, tuple[tuple[date, date], ...]]:
    """The member's pauses in force, per run: on those days the run gives no place."""
    found: dict[int, list[tuple[date, date]]] = {}
    for enrolment_id, first, last in (
        Pause.objects.for_studio(member.studio_id)
        .in_force()
        .filter(member=member)
        .values_list("enrolment_id", "starts_on", "ends_on")
    ):
        found.setdefault(enrolment_id, []).append((first, last))
    return {run: tuple(days) for run, days in found.items()}


def coverage_of(member: Member) -> Coverage:
    rows = (
        Enrolment.objects.for_studio(member.studio_id)
        .filter(member=member, status=Enrolment.Status.ACTIVE)
        .values_list("pk", "program_id", "program__format", "starts_on", "ends_on")
    )
    paused = pauses_by_run(member)
    return Coverage(
        tuple(
            Run(
                program_id,
                program_format == Program.Format.SMALL_GROUP,
                starts_on,
                ends_on,
                paused.get(pk, ()),
            )
            for pk, program_id, program_format, starts_on, ends_on in rows
        )
    )


def booking_refusal(member: Member, session: ClassSession, coverage: Coverage | None = None) -> str:
    """Why the member may not book (or wait for) this session under their programs; "" when they may.

    Pass the member's `coverage` when asking for many sessions, so their programs are read once.
    """
    day = clock.local(session.starts_at, member.studio.zone).date()
    return (coverage or coverage_of(member)).refusal(session.template, day)
