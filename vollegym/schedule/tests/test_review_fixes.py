"""Defects a review found in the agenda and programs, each pinned down."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from vollegym.core.testing import client_for
from vollegym.programs.models import Enrolment
from vollegym.programs.services import enrolment_create, enrolment_renew
from vollegym.programs.tests.test_prices_and_enrolment import make_lead, make_program
from vollegym.schedule.models import ClassSession, SessionBooking
from vollegym.schedule.services import session_book, sessions_generate, template_save
from vollegym.schedule.tests.test_agenda import MONDAY, first_session, make_class, make_member

pytestmark = pytest.mark.django_db


def test_a_longer_class_keeps_its_sessions_and_their_bookings(cast):
    template = make_class(cast.studio, capacity=4)
    eva = make_member(cast.studio)
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=2)
        session_book(session=first_session(cast.studio), member=eva)
        template.duration_minutes = 60
        template_save(template=template)
    session = first_session(cast.studio)
    assert session.status == "scheduled" and session.ends_at - session.starts_at == timedelta(minutes=60)
    assert SessionBooking.objects.for_studio(cast.studio).get().status == "booked"


def test_a_class_taken_off_and_put_back_gets_its_moments_back(cast):
    template = make_class(cast.studio, capacity=4)
    eva = make_member(cast.studio)
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=2)
        session_book(session=first_session(cast.studio), member=eva)
        template.is_active = False
        template_save(template=template)
        assert not ClassSession.objects.for_studio(cast.studio).filter(status="scheduled").exists()
        template.is_active = True
        template_save(template=template)
        sessions_generate(studio=cast.studio, weeks=2)
    assert ClassSession.objects.for_studio(cast.studio).filter(status="scheduled").count() == 2


def test_a_run_is_renewed_once_and_entered_once_by_the_database_too(cast):
    program = make_program(cast.studio)
    with time_machine.travel(MONDAY, tick=False):
        first = enrolment_create(
            lead=make_lead(cast.studio), program=program, starts_on=date(2026, 3, 2), by=None
        )
        enrolment_renew(enrolment=first, by=None)
    second = Enrolment.objects.for_studio(cast.studio).get(renewal_of=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.pk, second.starts_on = None, date(2026, 7, 1)
        second.save()  # a second renewal of the same run, as a double click would make it


def test_bad_dates_in_the_back_office_are_no_crash(cast):
    owner = client_for(cast.owner)
    for week in ("0001-01-01", "9999-12-31", "2026-02-30"):
        assert owner.get(f"/app/kracht-utrecht/rooster/?week={week}").status_code == 200
    response = owner.post(
        "/app/kracht-utrecht/rooster/sluitingen/", {"first_day": "9999-12-31", "reason": "Ver weg"}
    )
    assert response.status_code == 200 and "te ver weg" in response.content.decode()
    response = owner.post(
        "/app/kracht-utrecht/rooster/sluitingen/", {"first_day": "31-12-2035", "reason": "Ver weg"}
    )
    assert response.status_code == 200 and "vijf jaar" in response.content.decode()


def test_attendance_waits_for_the_start(cast):
    from vollegym.schedule.services import AgendaError, attendance_mark

    make_class(cast.studio, capacity=4, at=time(7, 0))
    eva = make_member(cast.studio)
    with time_machine.travel(MONDAY, tick=False):
        sessions_generate(studio=cast.studio, weeks=1)
        booking = session_book(session=first_session(cast.studio), member=eva)
    early = first_session(cast.studio).starts_at - timedelta(minutes=10)
    with time_machine.travel(early, tick=False), pytest.raises(AgendaError):
        attendance_mark(booking=booking, attended=True, by=cast.coach)
