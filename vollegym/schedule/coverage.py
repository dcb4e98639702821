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
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.schedule.models import ClassSession, ClassTemplate


@dataclass(frozen=True)
class Run:
    """One running (not stopped) enrolment of the member, as the booking rule needs it."""

    program_id: int
    small_group: bool
    starts_on: date
    ends_on: date


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
        if any(run.starts_on <= day <= run.ends_on for run in fitting):
            return ""
        later = [run.starts_on for run in fitting if run.starts_on > day]
        if later:
            return _("Je programma begint pas op %(day)s.") % {"day": date_format(min(later), "j F")}
        if fitting:
            return _("Je programma loopt dan niet meer.")
        return _("Deze les hoort niet bij je programma.")


def coverage_of(member: Member) -> Coverage:
    rows = (
        Enrolment.objects.for_studio(member.studio_id)
        .filter(member=member, status=Enrolment.Status.ACTIVE)
        .values_list("program_id", "program__format", "starts_on", "ends_on")
    )
    return Coverage(
        tuple(
            Run(program_id, program_format == Program.Format.SMALL_GROUP, starts_on, ends_on)
            for program_id, program_format, starts_on, ends_on in rows
        )
    )


def booking_refusal(member: Member, session: ClassSession, coverage: Coverage | None = None) -> str:
    """Why the member may not book (or wait for) this session under their programs; "" when they may.

    Pass the member's `coverage` when asking for many sessions, so their programs are read once.
    """
    day = clock.local(session.starts_at, member.studio.zone).date()
    return (coverage or coverage_of(member)).refusal(session.template, day)
