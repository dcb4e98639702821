"""The last mat, taken by many at the same instant: real threads, each a member signed in through their own link.

Each thread posts through its own test client and so talks to the database over its own connection; the tests are
transactional, so what one thread commits the others see. Three ways to race are tried:

- "at-the-door": every thread waits on a barrier and then posts (each request still does its own checks).
- "past-the-page": every thread has passed the member page's checks (signed in, a running program, the session
  found) before any of them reaches the booking service.
- "past-the-check" (PostgreSQL): every thread has looked whether it holds a mat already and is about to take one;
  only the conditional update and the check constraint are left to stop them. SQLite cannot get there: it begins
  every write transaction IMMEDIATE, so a second thread cannot look until the one before it committed.

Run it many times to show it is not flaky, e.g. `for i in $(seq 10); do pytest …/test_last_mat.py; done`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from vollegym.core import clock
from vollegym.core.races import BARRIER_TIMEOUT, meet_before, race
from vollegym.messaging.models import Message
from vollegym.programs.models import Member
from vollegym.programs.services import enrolment_create
from vollegym.programs.tests.test_prices_and_enrolment import make_lead, make_program
from vollegym.schedule import services as schedule_services
from vollegym.schedule.models import ClassSession, ClassTemplate, SessionBooking, WaitlistEntry
from vollegym.schedule.services import member_link, session_book, waitlist_join

RACERS = 8
CAPACITY = 4
FULL = "Deze les is vol."

pytestmark = pytest.mark.django_db(transaction=True)


def _local_today() -> date:
    return clock.local(clock.now()).date()


def make_session(studio, *, capacity: int = CAPACITY, days_ahead: int = 2) -> ClassSession:
    """A session a few days ahead (so within every booking and cancelling window)."""
    template = ClassTemplate.objects.create(
        studio=studio, name="Kracht & conditie", weekday=1, starts=time(7, 0), capacity=capacity
    )
    starts = clock.now().replace(microsecond=0) + timedelta(days=days_ahead)
    return ClassSession.objects.create(
        studio=studio, template=template, starts_at=starts, ends_at=starts + timedelta(minutes=45),
        capacity=capacity,
    )  # fmt: skip


def enrolled_members(studio, names: list[str]) -> list[Member]:
    """Members with a program that runs today (the member area lets only them book)."""
    program = make_program(studio, format="small_group", name="Small group 12 weken")
    members = []
    for name in names:
        enrolment_create(lead=make_lead(studio, name), program=program, starts_on=_local_today(), by=None)
        members.append(Member.objects.for_studio(studio).get(person__name=name))
    return members


def signed_in(member: Member) -> Client:
    """A browser of its own, signed in to the member area through the member's magic link."""
    client = Client()
    link = member_link(member).removeprefix(settings.SITE_URL)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == f"/s/{member.studio.slug}/leden/rooster/"
    return client


def meet_after_first_call(monkeypatch, target: Any, name: str, barrier: threading.Barrier) -> None:
    """Makes each racer wait after its first call of `target.name` until all of them got its answer."""
    original = getattr(target, name)
    local = threading.local()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if not getattr(local, "met", False):
            local.met = True
            barrier.wait()
        return result

    monkeypatch.setattr(target, name, waiting)


def book(session: ClassSession) -> Callable[[Client], Any]:
    url = f"/s/{session.studio.slug}/leden/rooster/{session.pk}/boeken/"
    return lambda client: client.post(url)


def holding(session: ClassSession):
    return SessionBooking.objects.for_studio(session.studio_id).filter(
        session=session, status__in=SessionBooking.HOLDS_A_MAT
    )


def barrier_for(monkeypatch, where: str) -> threading.Barrier | None:
    if where == "past-the-check" and connection.vendor == "sqlite":
        pytest.skip(
            "SQLite begins every write transaction IMMEDIATE: a racer cannot look at its own mats until the one "
            "before it committed, so there is no moment where all of them have passed the check."
        )
    if where == "at-the-door":
        return None
    before = threading.Barrier(RACERS, timeout=BARRIER_TIMEOUT)
    if where == "past-the-page":
        meet_before(monkeypatch, schedule_services, "session_book", before)
    else:
        meet_after_first_call(monkeypatch, schedule_services, "_holding", before)
    return before


@pytest.mark.parametrize("where", ["at-the-door", "past-the-page", "past-the-check"])
def test_members_booking_the_last_mat_at_once_get_it_once_and_the_rest_hear_it_is_full(
    cast, monkeypatch, where
):
    session = make_session(cast.studio, capacity=CAPACITY)
    early = enrolled_members(cast.studio, [f"Vroeg{n} Vogel" for n in range(CAPACITY - 1)])
    for member in early:
        session_book(session=session, member=member)
    racers = enrolled_members(cast.studio, [f"Racer{n} Jansen" for n in range(RACERS)])
    clients = [signed_in(m) for m in racers]
    before = barrier_for(monkeypatch, where)

    outcomes = race([book(session)] * len(clients), clients=clients, before=before)

    winners = [o for o in outcomes if o.status == 302]
    losers = [o for o in outcomes if o.status != 302]
    assert len(winners) == 1, [(o.racer, o.status) for o in outcomes]
    assert winners[0].location == f"/s/kracht-utrecht/leden/rooster/#les-{session.pk}"
    assert all(o.status == 409 and FULL in o.text for o in losers), [(o.racer, o.status) for o in losers]
    session.refresh_from_db()
    assert session.booked == CAPACITY
    held = holding(session)
    assert held.count() == CAPACITY
    assert set(held.values_list("member_id", flat=True)) == {m.pk for m in early} | {
        racers[winners[0].racer].pk
    }
    assert not WaitlistEntry.objects.for_studio(cast.studio).exists()  # refused is refused, not put in line


@pytest.mark.parametrize("where", ["at-the-door", "past-the-page"])
def test_a_full_session_stays_full_when_everyone_tries_at_once(cast, monkeypatch, where):
    session = make_session(cast.studio, capacity=2)
    for member in enrolled_members(cast.studio, ["Vroeg0 Vogel", "Vroeg1 Vogel"]):
        session_book(session=session, member=member)
    clients = [
        signed_in(m) for m in enrolled_members(cast.studio, [f"Racer{n} Jansen" for n in range(RACERS)])
    ]
    before = barrier_for(monkeypatch, where)

    outcomes = race([book(session)] * len(clients), clients=clients, before=before)

    assert [o.status for o in outcomes] == [409] * RACERS
    assert all(FULL in o.text for o in outcomes)
    session.refresh_from_db()
    assert session.booked == 2 and holding(session).count() == 2


def test_one_member_clicking_book_many_times_at_once_gets_one_mat(cast):
    session = make_session(cast.studio, capacity=CAPACITY)
    (eva,) = enrolled_members(cast.studio, ["Eva de Boer"])
    clients = [signed_in(eva) for _ in range(RACERS)]

    outcomes = race([book(session)] * len(clients), clients=clients)

    assert [o.status for o in outcomes] == [302] * RACERS
    session.refresh_from_db()
    assert session.booked == 1
    assert list(holding(session).values_list("member_id", flat=True)) == [eva.pk]


def test_one_member_double_submitting_the_last_mat_is_told_they_have_it(cast, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises the two requests before the check, so the second finds the booking")
    session = make_session(cast.studio, capacity=2)
    (early,) = enrolled_members(cast.studio, ["Vroeg0 Vogel"])
    session_book(session=session, member=early)
    (eva,) = enrolled_members(cast.studio, ["Eva de Boer"])
    clients = [signed_in(eva) for _ in range(2)]
    before = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    meet_after_first_call(monkeypatch, schedule_services, "_holding", before)

    outcomes = race([book(session)] * len(clients), clients=clients, before=before)

    session.refresh_from_db()
    assert session.booked == 2 and holding(session).filter(member=eva).count() == 1  # the mat itself is right
    assert [o.status for o in outcomes] == [302, 302], [(o.status, FULL in o.text) for o in outcomes]


def test_two_cancellations_at_once_promote_the_first_two_in_line_each_once(cast):
    session = make_session(cast.studio, capacity=2)
    eva, tom = enrolled_members(cast.studio, ["Eva de Boer", "Tom Bakker"])
    ilse, joep, lot = enrolled_members(cast.studio, ["Ilse Jansen", "Joep Smit", "Lot Visser"])
    for member in (eva, tom):
        session_book(session=session, member=member)
    entries = [waitlist_join(session=session, member=m) for m in (ilse, joep, lot)]
    clients = [signed_in(eva), signed_in(tom)]
    url = f"/s/kracht-utrecht/leden/rooster/{session.pk}/afmelden/"

    outcomes = race([lambda client: client.post(url)] * len(clients), clients=clients)

    assert [o.status for o in outcomes] == [302, 302]
    session.refresh_from_db()
    assert session.booked == 2
    assert set(holding(session).values_list("member_id", flat=True)) == {ilse.pk, joep.pk}
    assert set(holding(session).values_list("via", flat=True)) == {"waitlist"}
    for entry in entries:
        entry.refresh_from_db()
    assert [e.status for e in entries] == ["promoted", "promoted", "waiting"]
    told = sorted(
        Message.objects.for_studio(cast.studio).filter(purpose="agenda").values_list("to", flat=True)
    )
    assert told == ["ilse@example.nl", "joep@example.nl"]
