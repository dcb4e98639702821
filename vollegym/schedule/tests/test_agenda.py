"""The small-group agenda: sessions from weekly classes, the last mat, the waitlist, closures and attendance."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from vollegym.core import clock
from vollegym.core.testing import make_member as build_member
from vollegym.messaging.models import Message
from vollegym.programs.models import Enrolment, Member
from vollegym.programs.services import enrolment_create, enrolment_renew
from vollegym.programs.tests.test_prices_and_enrolment import make_lead, make_program
from vollegym.schedule.models import ClassSession, ClassTemplate, SessionBooking, WaitlistEntry
from vollegym.schedule.services import (
    AgendaError,
    SessionFull,
    attendance_mark,
    booking_cancel,
    closure_add,
    fixed_slot_add,
    session_book,
    sessions_generate,
    template_save,
    waitlist_join,
    waitlist_position,
)

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 08:00 in Utrecht; the clocks go forward on Sunday 29 March.
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def make_class(studio, *, weekday=1, at=time(7, 0), capacity=2, name="Kracht & conditie", coach=None):
    return ClassTemplate.objects.create(
        studio=studio, name=name, weekday=weekday, starts=at, capacity=capacity, coach=coach, room="Zaal 1"
    )


def make_member(studio, name="Eva de Boer") -> Member:
    return build_member(studio, name=name, email=f"{name.split()[0].lower()}@example.nl")


def first_session(studio) -> ClassSession:
    return ClassSession.objects.for_studio(studio).order_by("starts_at")[0]


def test_sessions_are_made_for_the_coming_weeks_in_local_time_across_the_clock_change(cast):
    make_class(cast.studio, weekday=1, at=time(7, 0))  # Tuesdays 07:00
    with time_machine.travel(MONDAY, tick=False):
        created = sessions_generate(studio=cast.studio, weeks=5)
        again = sessions_generate(studio=cast.studio, weeks=5)
    starts = list(ClassSession.objects.for_studio(cast.studio).values_list("starts_at", flat=True))
    assert created == 5 and again == 0
    assert {f"{clock.local(s):%H:%M}" for s in starts} == {"07:00"}
    assert starts[3] == datetime(2026, 3, 24, 6, 0, tzinfo=UTC) and starts[4] == datetime(
        2026, 3, 31, 5, 0, tzinfo=UTC
    )


def test_closed_days_get_no_sessions(cast):
    make_class(cast.studio, weekday=1)
    with time_machine.travel(MONDAY, tick=False):
        closure_add(
            studio=cast.studio, first_day=date(2026, 3, 10), last_day=date(2026, 3, 10), reason="Verbouwing"
        )
        sessions_generate(studio=cast.studio, weeks=3)
    days = [
        clock.local(s).date()
        for s in ClassSession.objects.for_studio(cast.studio).values_list("starts_at", flat=True)
    ]
    assert days == [date(2026, 3, 3), date(2026, 3, 17)]


def test_the_last_mat_goes_to_one_and_the_next_lands_on_the_waitlist(cast):
    make_class(cast.studio, capacity=2)
    eva, tom, ilse = (make_member(cast.studio, n) for n in ("Eva de Boer", "Tom Bakker", "Ilse Jansen"))
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=1)
        session = first_session(cast.studio)
        session_book(session=session, member=eva)
        session_book(session=session, member=tom)
        with pytest.raises(SessionFull):
            session_book(session=session, member=ilse)
        entry = waitlist_join(session=session, member=ilse)
    session.refresh_from_db()
    assert session.booked == 2 and waitlist_position(entry) == 1


def test_the_database_refuses_a_count_above_capacity(cast):
    make_class(cast.studio, capacity=2)
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=1)
    session = first_session(cast.studio)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClassSession.objects.for_studio(cast.studio).filter(pk=session.pk).update(booked=3)


def test_a_cancellation_promotes_the_first_in_line_and_tells_them(cast):
    make_class(cast.studio, capacity=1)
    eva, tom, ilse = (make_member(cast.studio, n) for n in ("Eva de Boer", "Tom Bakker", "Ilse Jansen"))
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=1)
        session = first_session(cast.studio)
        booking = session_book(session=session, member=eva)
        first = waitlist_join(session=session, member=tom)
        second = waitlist_join(session=session, member=ilse)
        assert (waitlist_position(first), waitlist_position(second)) == (1, 2)
        booking_cancel(booking=booking, by_member=True)
    promoted = SessionBooking.objects.for_studio(cast.studio).get(session=session, status="booked")
    assert promoted.member == tom and promoted.via == "waitlist"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "promoted" and second.status == "waiting" and waitlist_position(second) == 1
    notice = Message.objects.for_studio(cast.studio).get(purpose="agenda")
    assert notice.to == "tom@example.nl" and notice.subject.startswith("Er is plek: Kracht & conditie")


def test_members_cancel_only_within_the_window(cast):
    make_class(cast.studio, capacity=4)
    eva = make_member(cast.studio)
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=1)
        booking = session_book(session=first_session(cast.studio), member=eva)
    with time_machine.travel(datetime(2026, 3, 2, 19, 30, tzinfo=UTC), tick=False):  # 11.5 h before 07:00
        with pytest.raises(AgendaError, match="tot 12 uur"):
            booking_cancel(booking=booking, by_member=True)
        booking_cancel(booking=booking, by_member=False)  # the studio may
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_booking_twice_is_one_booking_and_a_full_or_past_session_is_refused(cast):
    make_class(cast.studio, capacity=3)
    eva = make_member(cast.studio)
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=1)
        session = first_session(cast.studio)
        assert session_book(session=session, member=eva) == session_book(session=session, member=eva)
    session.refresh_from_db()
    assert session.booked == 1
    with (
        time_machine.travel(session.starts_at + timedelta(minutes=1), tick=False),
        pytest.raises(AgendaError),
    ):
        session_book(session=session, member=make_member(cast.studio, "Tom Bakker"))


def test_a_closure_calls_off_booked_sessions_and_tells_the_members(cast):
    make_class(cast.studio, capacity=3)
    eva, tom = make_member(cast.studio), make_member(cast.studio, "Tom Bakker")
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=2)
        session = first_session(cast.studio)
        session_book(session=session, member=eva)
        session_book(session=session, member=tom)
        closure_add(
            studio=cast.studio, first_day=date(2026, 3, 3), last_day=date(2026, 3, 3), reason="Storing"
        )
    session.refresh_from_db()
    assert session.status == "cancelled" and session.booked == 0
    assert not SessionBooking.objects.for_studio(cast.studio).filter(status="booked").exists()
    told = sorted(
        Message.objects.for_studio(cast.studio).filter(purpose="agenda").values_list("to", flat=True)
    )
    assert told == ["eva@example.nl", "tom@example.nl"]
    later = ClassSession.objects.for_studio(cast.studio).exclude(pk=session.pk).get()
    assert later.status == "scheduled"


def test_a_fixed_place_books_every_session_while_the_program_runs_and_waits_where_full(cast):
    template = make_class(cast.studio, capacity=1)
    membership = make_program(
        cast.studio, name="Lidmaatschap", kind="membership", format="small_group", weeks=4
    )
    tom = make_member(cast.studio, "Tom Bakker")
    with time_machine.travel(MONDAY, tick=False):
        first = enrolment_create(
            lead=make_lead(cast.studio), program=membership, starts_on=date(2026, 3, 2), by=None
        )
        eva = first.member
        sessions_generate(studio=cast.studio, weeks=6)
        session_book(session=first_session(cast.studio), member=tom)
        fixed_slot_add(member=eva, template=template, first_day=date(2026, 3, 2))
    mine = SessionBooking.objects.for_studio(cast.studio).filter(member=eva, status="booked")
    # four weeks of program: three mats and one place in line (Tom had the first); nothing after the program ends
    assert mine.count() == 3 and {b.via for b in mine} == {"fixed"}
    assert WaitlistEntry.objects.for_studio(cast.studio).filter(member=eva, status="waiting").count() == 1
    with time_machine.travel(MONDAY, tick=False):
        enrolment_renew(enrolment=first, by=None)  # the renewal carries the fixed place on
        sessions_generate(studio=cast.studio, weeks=6)
    assert SessionBooking.objects.for_studio(cast.studio).filter(member=eva, status="booked").count() == 5


def test_attendance_counts_on_the_members_group_program_not_on_a_pt_card(cast):
    program = make_program(cast.studio, weeks=8, sessions_per_week=2, format="small_group")
    pt_card = make_program(cast.studio, name="PT 10 keer", weeks=10, sessions_per_week=1)
    lead = make_lead(cast.studio)
    make_class(cast.studio, capacity=4)
    with time_machine.travel(MONDAY, tick=False):
        enrolment = enrolment_create(lead=lead, program=program, starts_on=date(2026, 3, 2), by=None)
        card = enrolment_create(lead=lead, program=pt_card, starts_on=date(2026, 3, 2), by=None)
        sessions_generate(studio=cast.studio, weeks=1)
        member = Member.objects.for_studio(cast.studio).get()
        booking = session_book(session=first_session(cast.studio), member=member)
        with pytest.raises(AgendaError, match="vanaf het begin"):
            attendance_mark(booking=booking, attended=True, by=cast.coach)
    with time_machine.travel(first_session(cast.studio).starts_at + timedelta(minutes=50), tick=False):
        attendance_mark(booking=booking, attended=True, by=cast.coach)
        attendance_mark(booking=booking, attended=True, by=cast.coach)  # twice: counted once
        assert Enrolment.objects.for_studio(cast.studio).get(pk=enrolment.pk).sessions_used == 1
        attendance_mark(booking=booking, attended=False, by=cast.coach)
    assert Enrolment.objects.for_studio(cast.studio).get(pk=enrolment.pk).sessions_used == 0
    assert Enrolment.objects.for_studio(cast.studio).get(pk=card.pk).sessions_used == 0


def test_another_studios_member_cannot_take_a_mat(cast):
    make_class(cast.studio)
    outsider = make_member(cast.other_studio, "Olga Smit")
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=1)
        with pytest.raises(AgendaError, match="andere studio"):
            session_book(session=first_session(cast.studio), member=outsider)


def test_moving_a_class_clears_the_old_moments_and_tells_who_had_booked(cast):
    template = make_class(cast.studio, weekday=1, capacity=4)
    eva = make_member(cast.studio)
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=2)
        session_book(session=first_session(cast.studio), member=eva)
        template.weekday = 3  # Tuesday → Thursday
        template_save(template=template)
        sessions_generate(studio=cast.studio, weeks=2)
    scheduled = ClassSession.objects.for_studio(cast.studio).filter(status="scheduled")
    assert {clock.local(s.starts_at).weekday() for s in scheduled} == {3}
    called_off = ClassSession.objects.for_studio(cast.studio).get(status="cancelled")
    assert called_off.cancel_reason == "de les is verplaatst"
    assert Message.objects.for_studio(cast.studio).get(purpose="agenda").to == "eva@example.nl"
