"""Benchmark data of the agenda (`vollegym generate`): the weekly classes, their sessions from before the history
to four weeks ahead, the members' fixed places, and every mat booked, cancelled, come to or missed.

`booked` of each session is the number of mats held (booked, came, or not come), as the services keep it."""

from __future__ import annotations

from datetime import timedelta

from vollegym.core.generator.run import Generation
from vollegym.people.events import SessionBooked, SessionCancelled, SessionMarked
from vollegym.people.generate import event_row
from vollegym.people.models import DomainEvent
from vollegym.schedule.models import ClassSession, ClassTemplate, FixedSlot, SessionBooking
from vollegym.schedule.services import settings_for

MARKED_AFTER = timedelta(minutes=10)  # the coach marks who came just after the class


def write(gen: Generation) -> None:
    plan, studio = gen.plan, gen.studio
    settings_for(studio)
    if not plan.spec.classes:
        return
    program_ids = dict(zip(plan.programs, gen.ids["program"], strict=True))
    templates = gen.create(
        ClassTemplate,
        (
            ClassTemplate(
                studio=studio, name=c.name, program_id=program_ids.get(c.program), weekday=c.weekday,
                starts=c.starts, duration_minutes=c.minutes, capacity=c.capacity, coach=gen.team[c.coach],
                room=c.room,
            )
            for c in plan.spec.classes
        ),
    )  # fmt: skip
    members, people = gen.ids["member"], gen.ids["person"]
    gen.create(
        FixedSlot,
        (
            FixedSlot(
                studio=studio, member_id=members[s.member], template=templates[s.cls], first_day=s.first_day,
                last_day=s.last_day, created_at=s.created_at,
            )
            for s in plan.slots
        ),
    )  # fmt: skip
    sessions = gen.create(
        ClassSession,
        (
            ClassSession(
                studio=studio, template=templates[s.cls], starts_at=s.starts_at, ends_at=s.ends_at,
                capacity=s.capacity, booked=s.taken, coach=templates[s.cls].coach,
            )
            for s in plan.sessions
        ),
    )  # fmt: skip
    rows = []
    for planned, session in zip(plan.sessions, sessions, strict=True):
        for mat in planned.mats:
            marked = mat.status in (SessionBooking.Status.ATTENDED, SessionBooking.Status.NO_SHOW)
            rows.append(
                SessionBooking(
                    studio=studio, session=session, member_id=members[mat.member],
                    person_id=people[plan.members[mat.member].person], status=mat.status,
                    via=SessionBooking.Via.FIXED, created_at=mat.created_at, cancelled_at=mat.cancelled_at,
                    marked_by=session.coach if marked else None,
                )
            )  # fmt: skip
    bookings = gen.create(SessionBooking, rows)
    events: list[DomainEvent] = []
    for booking, (planned, mat) in zip(
        bookings, ((s, m) for s in plan.sessions for m in s.mats), strict=True
    ):
        person = plan.members[mat.member].person
        ids = {"member_id": booking.member_id, "session_id": booking.session_id, "booking_id": booking.pk}
        events.append(event_row(gen, SessionBooked(**ids, via=booking.via), at=mat.created_at, person=person))
        if mat.cancelled_at is not None:
            events.append(event_row(gen, SessionCancelled(**ids), at=mat.cancelled_at, person=person))
        elif booking.status in (SessionBooking.Status.ATTENDED, SessionBooking.Status.NO_SHOW):
            came = SessionMarked(**ids, status=booking.status)
            events.append(event_row(gen, came, at=planned.starts_at + MARKED_AFTER, person=person))
    gen.create(DomainEvent, events)
