"""Builders of member histories for the churn-risk tests: a program, a member in it, and the sessions they came to."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import time_machine

from vollegym.core import clock
from vollegym.core.testing import make_lead
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.programs.services import enrolment_create, program_create
from vollegym.schedule.models import ClassSession, ClassTemplate, SessionBooking
from vollegym.studios.models import Studio, User

# Monday 5 January 2026: the members' start; Monday 16 March 2026, 09:00 in Amsterdam: the moment of the list.
START = date(2026, 1, 5)
NOW = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
ATTENDED, NO_SHOW, CANCELLED = (
    SessionBooking.Status.ATTENDED,
    SessionBooking.Status.NO_SHOW,
    SessionBooking.Status.CANCELLED,
)


def program(
    studio: Studio, name: str, *, format: str = "small_group", weeks: int = 26, per_week: int = 2
) -> Program:
    with time_machine.travel(datetime(2025, 12, 1, 9, tzinfo=UTC), tick=False):
        return program_create(
            studio=studio,
            program=Program(
                name=name, format=format, weeks=weeks, sessions_per_week=per_week,
                kind="membership" if format == "small_group" and weeks >= 26 else "program",
            ),
            price_cents=14900,
        )  # fmt: skip


def member_in(
    studio: Studio,
    name: str,
    prog: Program,
    *,
    starts_on: date = START,
    coach: User | None = None,
    phone: str = "",
    paid: bool = True,
) -> tuple[Member, Enrolment]:
    """A member enrolled on their start day (made that morning), first payment paid unless said otherwise."""
    with time_machine.travel(datetime.combine(starts_on, time(6), tzinfo=UTC), tick=False):
        lead = make_lead(studio, name=name, email=f"{name.split()[0].lower()}@example.nl", phone=phone)
        enrolment = enrolment_create(lead=lead, program=prog, starts_on=starts_on, by=None)
    if paid:
        Enrolment.objects.for_studio(studio).filter(pk=enrolment.pk).update(
            first_payment_paid_at=enrolment.created_at
        )
    member = Member.objects.for_studio(studio).get(pk=enrolment.member_id)
    if coach is not None:
        Member.objects.for_studio(studio).filter(pk=member.pk).update(coach=coach)
        member.coach = coach
    return member, Enrolment.objects.for_studio(studio).get(pk=enrolment.pk)


def mondays_and_thursdays(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() in (0, 3)
    ]


def sessions(member: Member, days: list[date], status: str = ATTENDED) -> None:
    """The member held a mat at 07:00 (Amsterdam) on each day, and came (or did not)."""
    studio_id = member.studio_id
    template = ClassTemplate.objects.for_studio(studio_id).filter(name="Kracht").first()
    if template is None:
        template = ClassTemplate.objects.create(
            studio_id=studio_id, name="Kracht", weekday=0, starts=time(7), capacity=60
        )
    for day in days:
        starts_at = clock.wall_time(day, time(7))
        assert starts_at is not None
        session, _new = ClassSession.objects.for_studio(studio_id).get_or_create(
            studio_id=studio_id, template=template, starts_at=starts_at,
            defaults={"ends_at": starts_at + timedelta(minutes=45), "capacity": 60},
        )  # fmt: skip
        SessionBooking.objects.create(
            studio_id=studio_id, session=session, member=member, person_id=member.person_id, status=status,
            via=SessionBooking.Via.FIXED,
        )  # fmt: skip
        if status in SessionBooking.HOLDS_A_MAT:
            ClassSession.objects.for_studio(studio_id).filter(pk=session.pk).update(booked=session.booked + 1)


def steady(member: Member, until: date = date(2026, 3, 12)) -> None:
    """Twice a week, Monday and Thursday, from the start."""
    sessions(member, mondays_and_thursdays(START, until))


def fading(member: Member) -> None:
    """Twice a week until Monday 23 February, then two booked sessions missed, then nothing."""
    sessions(member, mondays_and_thursdays(START, date(2026, 2, 23)))
    sessions(member, [date(2026, 2, 26), date(2026, 3, 2)], NO_SHOW)
