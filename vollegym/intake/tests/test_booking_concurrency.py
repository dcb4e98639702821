"""Two people can never book the same moment, also when they try at the same instant: real threads, real requests.

Each thread posts through its own test client and so talks to the database over its own connection; the tests
are transactional, so what one thread commits the others see. Three ways to race are tried:

- "at-the-door": every thread waits on a barrier and then posts (the page's own check of the moment runs in each
  request, so a loser may already be stopped there, by the form).
- "past-the-page": every thread has passed the page's check before any of them reaches the booking service, so a
  loser can only be stopped inside the service.
- "past-the-check" (PostgreSQL): every thread has passed the service's own look at the free coaches too, before
  any of them writes; only the database's unique constraint on the coach's time is left to stop them. SQLite
  cannot get there: it begins every write transaction IMMEDIATE, so a second thread waits for the first to commit
  before it can look at all (that whole-database lock is SQLite's way of keeping the moment single).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from vollegym.core.races import BARRIER_TIMEOUT, meet_before, race
from vollegym.intake import booking_views, selectors
from vollegym.intake.models import Booking, BookingClaim, ConsultationType, IntakeResponse
from vollegym.intake.services import (
    WindowInput,
    availability_set,
    booking_make,
    intake_start,
    questionnaire_install,
)
from vollegym.intake.services import booking as booking_service
from vollegym.intake.services.booking import booking_path
from vollegym.intake.slots import claimed_span, units
from vollegym.intake.tests.test_booking import BEFORE_SPRING, local, make_kind, make_lead
from vollegym.leads.models import Lead, Stage

RACERS = 8
FRIDAY = date(2026, 3, 27)  # BEFORE_SPRING is the Wednesday before, 10:00 in Utrecht
TAKEN = ("Dat moment is niet meer vrij", "Dit moment is net door iemand anders geboekt")

pytestmark = pytest.mark.django_db(transaction=True)


def value(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


@pytest.fixture
def now() -> Iterator[Any]:
    # time-machine patches the clock process-wide: every thread lives on the same Wednesday morning.
    with time_machine.travel(BEFORE_SPRING, tick=False) as traveller:
        yield traveller


def fridays_only(cast, *, slots: int) -> ConsultationType:
    """One coach, free on Fridays from 09:00 for `slots` half hours; only this Friday is within reach."""
    ends = (local(FRIDAY, 9) + timedelta(minutes=30 * slots)).time()
    availability_set(studio=cast.studio, coach=cast.coach, windows=[WindowInput(4, time(9, 0), ends)])
    return make_kind(cast.studio, buffer_minutes=0, horizon_days=3)


def free_moments(kind: ConsultationType) -> list[str]:
    return [value(s.starts_at) for s in selectors.open_slots(kind)]


def meet_after(monkeypatch, target: Any, name: str, barrier: threading.Barrier) -> None:
    """Makes every racer wait after `target.name` ran, until all of them got its answer."""
    original = getattr(target, name)

    def waiting(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(target, name, waiting)


def assert_claims_match_bookings(cast) -> None:
    """Every planned booking holds exactly its own minutes, nothing else holds any, and no minute twice."""
    claims = BookingClaim.objects.for_studio(cast.studio)
    planned = list(Booking.objects.for_studio(cast.studio).planned().select_related("kind"))
    for booking in planned:
        rules = selectors.rules_of(booking.kind)
        held = sorted(claims.filter(booking=booking).values_list("unit", flat=True))
        assert held == units(*claimed_span(booking.starts_at, rules)), booking
        assert set(claims.filter(booking=booking).values_list("coach_id", flat=True)) == {booking.coach_id}
    assert not claims.exclude(booking__in=planned).exists()
    units_held = list(claims.values_list("coach_id", "unit"))
    assert len(units_held) == len(set(units_held))


def finished(response: IntakeResponse) -> str:
    """An intake answered to the end (booking comes after the plan); its token."""
    IntakeResponse.objects.for_studio(response.studio_id).filter(pk=response.pk).update(
        step="plan", completed_at=response.created_at
    )
    return response.token


def setup_last_moment(cast) -> tuple[ConsultationType, str, list[str]]:
    """Four half hours on Friday, three of them booked already: 10:30 is the last free moment. N fresh intakes."""
    kind = fridays_only(cast, slots=4)
    for n, (hour, minute) in enumerate(((9, 0), (9, 30), (10, 0))):
        at = local(FRIDAY, hour, minute)
        booking_make(lead=make_lead(cast.studio, f"Vroege{n} Vogel", email=f"vroeg{n}@example.nl"), kind=kind,
                     starts_at=at)  # fmt: skip
    last = value(local(FRIDAY, 10, 30))
    assert free_moments(kind) == [last]
    version = selectors.current_version(cast.studio)
    assert version is not None
    tokens = [
        finished(intake_start(studio=cast.studio, version=version, name=f"Racer{n} Jansen",
                              email=f"racer{n}@example.nl", phone=""))
        for n in range(RACERS)
    ]  # fmt: skip
    return kind, last, tokens


@pytest.mark.parametrize("where", ["at-the-door", "past-the-page", "past-the-check"])
def test_prospects_posting_the_last_moment_at_once_get_it_once(cast, now, monkeypatch, where):
    if where == "past-the-check" and connection.vendor == "sqlite":
        pytest.skip(
            "SQLite begins every write transaction IMMEDIATE: a racer cannot look at the free coaches until the "
            "one before it committed, so there is no moment where all of them have passed the check."
        )
    questionnaire_install(studio=cast.studio, kind="pt")
    kind, last, tokens = setup_last_moment(cast)
    before = None
    if where == "past-the-page":
        before = threading.Barrier(RACERS, timeout=BARRIER_TIMEOUT)
        meet_before(monkeypatch, booking_views, "booking_make", before)
    elif where == "past-the-check":
        before = threading.Barrier(RACERS, timeout=BARRIER_TIMEOUT)
        meet_after(monkeypatch, booking_service, "_free_coaches", before)

    def post(token: str) -> Callable[[Client], Any]:
        return lambda client: client.post(
            f"/s/kracht-utrecht/intake/{token}/gesprek/", {"soort": str(kind.pk), "slot": last}
        )

    outcomes = race([post(t) for t in tokens], before=before)

    winners = [o for o in outcomes if o.status == 302]
    losers = [o for o in outcomes if o.status != 302]
    assert len(winners) == 1, [(o.racer, o.status) for o in outcomes]
    assert re.match(r"^/s/kracht-utrecht/gesprek/[^/]+/$", winners[0].location)
    assert [o.status for o in losers] == [200] * (RACERS - 1)
    for loser in losers:
        assert any(message in loser.text for message in TAKEN), loser.text[:3000]
        assert last not in loser.text  # the re-drawn page no longer offers it
    if where != "at-the-door":
        # Every loser got past the page's check, so the service (and the database) had to stop it.
        assert all(TAKEN[1] in o.text for o in losers)

    at = local(FRIDAY, 10, 30)
    assert Booking.objects.for_studio(cast.studio).filter(starts_at=at).count() == 1
    assert Booking.objects.for_studio(cast.studio).count() == 4  # the three from before, and one winner
    won = Booking.objects.for_studio(cast.studio).get(starts_at=at)
    winner_token = tokens[winners[0].racer]
    assert won.response == IntakeResponse.objects.for_studio(cast.studio).get(token=winner_token)
    assert booking_path(won) == winners[0].location
    racers = Lead.objects.for_studio(cast.studio).filter(person__email__startswith="racer")
    assert racers.count() == RACERS
    assert list(racers.filter(stage=Stage.INTAKE_BOOKED)) == [won.lead]
    assert free_moments(kind) == []
    assert_claims_match_bookings(cast)


@pytest.mark.parametrize("where", ["at-the-door", "past-the-page", "past-the-check"])
def test_moving_several_conversations_onto_the_last_moment_at_once_moves_one(cast, now, monkeypatch, where):
    if where == "past-the-check" and connection.vendor == "sqlite":
        pytest.skip(
            "SQLite begins every write transaction IMMEDIATE: a racer cannot look at the free coaches until the "
            "one before it committed, so there is no moment where all of them have passed the check."
        )
    kind = fridays_only(cast, slots=RACERS + 1)
    bookings = [
        booking_make(lead=make_lead(cast.studio, f"Racer{n} Jansen", email=f"racer{n}@example.nl"), kind=kind,
                     starts_at=local(FRIDAY, 9) + timedelta(minutes=30 * n))
        for n in range(RACERS)
    ]  # fmt: skip
    last_at = local(FRIDAY, 9) + timedelta(minutes=30 * RACERS)  # 13:00
    last = value(last_at)
    assert free_moments(kind) == [last]
    before = None
    if where == "past-the-page":
        before = threading.Barrier(RACERS, timeout=BARRIER_TIMEOUT)
        meet_before(monkeypatch, booking_views, "booking_reschedule", before)
    elif where == "past-the-check":
        before = threading.Barrier(RACERS, timeout=BARRIER_TIMEOUT)
        meet_after(monkeypatch, booking_service, "_free_coaches", before)

    def move(booking: Booking) -> Callable[[Client], Any]:
        return lambda client: client.post(
            f"{booking_path(booking)}verzetten/", {"soort": str(kind.pk), "slot": last}
        )

    outcomes = race([move(b) for b in bookings], before=before)

    winners = [o for o in outcomes if o.status == 302]
    losers = [o for o in outcomes if o.status != 302]
    assert len(winners) == 1, [(o.racer, o.status) for o in outcomes]
    moved = bookings[winners[0].racer]
    assert winners[0].location == f"{booking_path(moved)}?verzet=1"
    assert [o.status for o in losers] == [200] * (RACERS - 1)
    for loser in losers:
        assert any(message in loser.text for message in TAKEN), loser.text[:3000]
        assert "Nu gepland: <strong>vrijdag 27 maart" in loser.text
    if where != "at-the-door":
        assert all(TAKEN[1] in o.text for o in losers)

    for before_move in bookings:
        after = Booking.objects.for_studio(cast.studio).get(pk=before_move.pk)
        assert after.status == Booking.Status.BOOKED
        if after.pk == moved.pk:
            assert after.starts_at == last_at and after.sequence == 1
        else:
            assert after.starts_at == before_move.starts_at and after.sequence == 0  # the old time holds
    assert Booking.objects.for_studio(cast.studio).filter(starts_at=last_at).count() == 1
    # The winner's old moment is the one free moment now.
    assert free_moments(kind) == [value(moved.starts_at)]
    assert_claims_match_bookings(cast)


def test_one_prospect_double_clicking_two_moments_at_once_books_one(cast, now):
    questionnaire_install(studio=cast.studio, kind="pt")
    kind = fridays_only(cast, slots=4)
    version = selectors.current_version(cast.studio)
    assert version is not None
    token = finished(intake_start(studio=cast.studio, version=version, name="Eva de Boer", email="eva@example.nl",
                                  phone=""))  # fmt: skip
    moments = [value(local(FRIDAY, 9)), value(local(FRIDAY, 10)), value(local(FRIDAY, 10, 30))]

    def post(moment: str) -> Callable[[Client], Any]:
        return lambda client: client.post(
            f"/s/kracht-utrecht/intake/{token}/gesprek/", {"soort": str(kind.pk), "slot": moment}
        )

    outcomes = race([post(m) for m in moments])

    planned = list(Booking.objects.for_studio(cast.studio).planned())
    assert len(planned) == 1
    path = booking_path(planned[0])
    for outcome in outcomes:
        # The one that won goes to its booking; the others either see it (and go there too) or are told.
        assert outcome.status in (200, 302), outcome.status
        if outcome.status == 302:
            assert outcome.location == path
        else:
            assert "Je hebt al een gesprek gepland" in outcome.text
    assert any(o.status == 302 for o in outcomes)
    assert not Booking.objects.for_studio(cast.studio).exclude(pk=planned[0].pk).exists()
    assert_claims_match_bookings(cast)


def test_cancelling_and_moving_the_same_conversation_at_once_leaves_one_consistent_state(cast, now):
    pairs = 5
    kind = fridays_only(cast, slots=2 * pairs)
    bookings = [
        booking_make(lead=make_lead(cast.studio, f"Racer{n} Jansen", email=f"racer{n}@example.nl"), kind=kind,
                     starts_at=local(FRIDAY, 9) + timedelta(minutes=30 * n))
        for n in range(pairs)
    ]  # fmt: skip
    targets = [value(local(FRIDAY, 9) + timedelta(minutes=30 * (pairs + n))) for n in range(pairs)]

    def cancel(booking: Booking) -> Callable[[Client], Any]:
        return lambda client: client.post(f"{booking_path(booking)}annuleren/", {"reason": "Toch niet"})

    def move(booking: Booking, target: str) -> Callable[[Client], Any]:
        return lambda client: client.post(
            f"{booking_path(booking)}verzetten/", {"soort": str(kind.pk), "slot": target}
        )

    requests: list[Callable[[Client], Any]] = []
    for booking, target in zip(bookings, targets, strict=True):
        requests += [cancel(booking), move(booking, target)]
    outcomes = race(requests)

    for n, booking in enumerate(bookings):
        cancelled, moved = outcomes[2 * n], outcomes[2 * n + 1]
        path = booking_path(booking)
        assert cancelled.status == 302 and cancelled.location == path
        # The move went first (and was then cancelled), or came too late: told on the page, or sent back to it.
        went_first = moved.status == 302 and moved.location == f"{path}?verzet=1"
        if moved.status == 200:
            assert "Dit gesprek staat niet meer gepland" in moved.text, moved.text[:3000]
        else:
            assert moved.status == 302 and moved.location in (path, f"{path}?verzet=1"), moved
        after = Booking.objects.for_studio(cast.studio).get(pk=booking.pk)
        # The cancel always lands, and every change that happened raised the sequence once.
        assert after.status == Booking.Status.CANCELLED
        assert after.sequence == (2 if went_first else 1)
        assert not BookingClaim.objects.for_studio(cast.studio).filter(booking=after).exists()
        lead = Lead.objects.for_studio(cast.studio).get(pk=booking.lead_id)
        assert lead.stage != Stage.INTAKE_BOOKED
    assert sorted(free_moments(kind)) == sorted(
        value(local(FRIDAY, 9) + timedelta(minutes=30 * n)) for n in range(2 * pairs)
    )
    assert_claims_match_bookings(cast)
