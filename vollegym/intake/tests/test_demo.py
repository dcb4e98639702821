"""The demo's intake history: every lead that got as far as an intake has the conversation its stage tells of."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from vollegym.core import clock
from vollegym.core.appmodules import app_modules
from vollegym.core.management.commands.demo import load_demo_data
from vollegym.intake import scoring, selectors
from vollegym.intake.models import (
    Availability,
    AvailabilityException,
    Booking,
    BookingClaim,
    ConsultationType,
    IntakeResponse,
)
from vollegym.intake.services import coach_calendar_renew
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.messaging.models import Message
from vollegym.studios.models import Studio

pytestmark = pytest.mark.django_db

# Monday night; a Wednesday afternoon before the clocks go forward; two days before Christmas.
MOMENTS = [
    datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
    datetime(2026, 3, 25, 14, 0, tzinfo=UTC),
    datetime(2026, 12, 23, 9, 30, tzinfo=UTC),
]


def load_demo() -> Studio:
    """The demo's loads in the demo command's order: the studios, then the leads, then the intake."""
    order = [module.__name__ for module in app_modules("demo")]
    assert order.index("vollegym.studios.demo") < order.index("vollegym.leads.demo")
    assert order.index("vollegym.leads.demo") < order.index("vollegym.intake.demo")
    load_demo_data()
    return Studio.objects.get(slug="demo")


def snapshot(studio: Studio) -> dict[str, object]:
    return {
        "bookings": sorted(
            Booking.objects.for_studio(studio).values_list("lead_id", "status", "outcome", "starts_at")
        ),
        "claims": BookingClaim.objects.for_studio(studio).count(),
        "responses": IntakeResponse.objects.for_studio(studio).count(),
        "activities": Activity.objects.for_studio(studio).count(),
        "messages": Message.objects.for_studio(studio).count(),
        "kinds": ConsultationType.objects.for_studio(studio).count(),
        "availability": Availability.objects.for_studio(studio).count(),
        "exceptions": AvailabilityException.objects.for_studio(studio).count(),
        "stages": sorted(Lead.objects.for_studio(studio).values_list("pk", "stage", "lost_reason")),
    }


@pytest.mark.parametrize("moment", MOMENTS, ids=["monday-night", "before-dst", "before-christmas"])
def test_the_demo_history_tells_one_story(moment):
    with time_machine.travel(moment, tick=False):
        studio = load_demo()
        now = clock.now()
        bookings = list(Booking.objects.for_studio(studio).select_related("lead", "kind", "response"))
        by_lead = defaultdict(list)
        for booking in bookings:
            by_lead[booking.lead_id].append(booking)
        leads = list(Lead.objects.for_studio(studio))

        assert {b.status for b in bookings} == set(Booking.Status.values)
        assert not Booking.all_studios.exclude(studio=studio).exists()
        assert all(b.lead.studio_id == studio.pk and b.kind.studio_id == studio.pk for b in bookings)

        for lead in leads:
            mine = by_lead[lead.pk]
            if lead.stage == Stage.WON:
                assert [(b.status, b.outcome) for b in mine] == [(Booking.Status.SHOWED, Booking.Outcome.WON)]
            elif lead.stage == Stage.NO_SHOW or lead.lost_reason == "Niet verschenen op de intake":
                assert [b.status for b in mine] == [Booking.Status.NO_SHOW]
            elif lead.stage == Stage.INTAKE_HELD:
                assert [(b.status, b.outcome) for b in mine] == [(Booking.Status.SHOWED, "")]
            elif lead.stage == Stage.INTAKE_BOOKED:
                assert [b.status for b in mine] == [Booking.Status.BOOKED]
            elif lead.stage == Stage.LOST and mine:
                (booking,) = mine
                if booking.status == Booking.Status.SHOWED:
                    assert booking.outcome == Booking.Outcome.LOST
                    assert booking.lost_reason == lead.lost_reason
                else:
                    assert booking.status == Booking.Status.CANCELLED
            else:
                assert mine == [], lead.stage
            for booking in mine:
                assert booking.created_at >= lead.created_at
                assert booking.created_at < booking.starts_at
        lost_after_intake = [b for b in bookings if b.outcome == Booking.Outcome.LOST]
        assert lost_after_intake
        assert (
            Lead.objects.for_studio(studio).filter(stage=Stage.LOST, lost_reason="Geen reactie meer").exists()
        )

        # Within the coach's weekly hours, in Utrecht's time; the past has been recorded, claims keep them apart.
        hours = defaultdict(list)
        for window in Availability.objects.for_studio(studio):
            hours[(window.coach_id, window.weekday)].append((window.starts, window.ends))
        for booking in bookings:
            starts, ends = clock.local(booking.starts_at), clock.local(booking.ends_at)
            assert starts.date() == ends.date()
            assert any(
                a <= starts.time() and ends.time() <= b
                for a, b in hours[(booking.coach_id, starts.weekday())]
            )
            if booking.status in (Booking.Status.SHOWED, Booking.Status.NO_SHOW):
                assert booking.ends_at <= now
                assert booking.recorded_at is not None and booking.ends_at < booking.recorded_at <= now
        held = [b for b in bookings if b.status != Booking.Status.CANCELLED]
        units = BookingClaim.objects.for_studio(studio).filter(booking__in=held).count()
        assert units == sum(
            (b.ends_at - b.starts_at + timedelta(minutes=b.kind.buffer_minutes)) // timedelta(minutes=5)
            for b in held
        )

        # The coming days: booked as a prospect books, with the coach's time claimed and the messages queued.
        upcoming = selectors.bookings_upcoming(studio)
        assert len(upcoming) >= 4
        for booking in upcoming:
            assert now + timedelta(hours=12) <= booking.starts_at <= now + timedelta(days=6)
            assert BookingClaim.objects.for_studio(studio).filter(booking=booking).exists()
            assert Message.objects.for_studio(studio).filter(ref=f"booking:{booking.pk}").exists()
        per_coach = defaultdict(list)
        for booking in held:
            per_coach[booking.coach_id].append((booking.starts_at, booking.ends_at))
        for spans in per_coach.values():
            spans.sort()
            assert all(end <= next_start for (_s, end), (next_start, _e) in itertools.pairwise(spans))

        # Not on a day off: Christmas for the whole studio, the coach's free day.
        days_off = list(AvailabilityException.objects.for_studio(studio).filter(starts__isnull=True))
        assert any(e.coach_id is None and e.first_day == date(now.year, 12, 25) for e in days_off)
        assert any(e.coach_id is not None for e in days_off)
        for booking in held:
            day = clock.local(booking.starts_at).date()
            assert not any(
                e.first_day <= day <= e.last_day and e.coach_id in (None, booking.coach_id) for e in days_off
            )

        # Every coach's private calendar feed shows their conversations of the coming days.
        for coach in {b.coach for b in upcoming}:
            token = coach_calendar_renew(studio=studio, coach=coach)
            url = reverse("intake:coach_feed", kwargs={"studio": studio.slug, "token": token})
            ics = Client().get(url).content.decode()
            assert ics.count("BEGIN:VEVENT") >= sum(b.coach == coach for b in upcoming)

        # Begun lately and still to record: one not marked yet, one held without what came of it.
        to_record = selectors.bookings_to_record(studio)
        assert {b.status for b in to_record} == {Booking.Status.BOOKED, Booking.Status.SHOWED}
        assert all(b.starts_at >= now - timedelta(days=3) for b in to_record)

        # The intake answers, scored as the public intake scores them, and on the lead as the coach reads them.
        responses = list(IntakeResponse.objects.for_studio(studio).select_related("lead", "version"))
        assert len([b for b in bookings if b.response_id]) > len(bookings) // 2
        assert {r.temperature for r in responses} == {"hot", "warm", "cold"}
        assert any(r.completed_at is None for r in responses)
        assert any(r.disqualified for r in responses)
        for response in responses:
            definition = response.version.content
            result = scoring.score(definition, response.answers, referral=response.lead.source == "referral")
            assert (response.score, response.temperature, response.reasons) == (
                result.points,
                result.temperature,
                result.reasons,
            )
            assert response.lead.studio_id == studio.pk
            assert response.lead.created_at <= response.created_at <= now
            goal = definition.question("goal")
            assert goal is not None
            assert response.answers["goal"] in {o.value for o in goal.options}
            assert goal.label in response.lead.answers
            if response.completed_at is not None:
                assert response.step == "plan"
                assert response.created_at < response.completed_at <= now
        for booking in bookings:
            if booking.response is not None:
                assert booking.response.lead_id == booking.lead_id
                completed = booking.response.completed_at
                assert completed is not None and completed <= booking.created_at + timedelta(minutes=1)


def test_loading_the_demo_again_changes_nothing():
    with time_machine.travel(MOMENTS[0], tick=False):
        studio = load_demo()
        before = snapshot(studio)
        load_demo_data()
        assert snapshot(studio) == before
        assert before["responses"] and before["claims"] and before["exceptions"]
