"""Benchmark data of the intake app (`vollegym generate`): the studio's questionnaire and conversation hours, each
lead's intake (finished, or left halfway) scored as the intake scores it, and the kennismakingsgesprekken with the
coach's time they took and what came of them."""

from __future__ import annotations

import random
from datetime import time
from typing import Any

from django.db.models.functions import Coalesce

from vollegym.core import clock
from vollegym.core.generator.run import Generation
from vollegym.intake import scoring, selectors, slots
from vollegym.intake.models import (
    Availability,
    Booking,
    BookingClaim,
    ConsultationType,
    IntakeResponse,
    QuestionnaireVersion,
)
from vollegym.intake.services import questionnaire_install
from vollegym.leads.models import Activity
from vollegym.people.events import ConversationBooked, ConversationRecorded, IntakeCompleted
from vollegym.people.generate import event_row
from vollegym.people.models import DomainEvent

GOALS = {"Sterker worden": "sterker", "Afvallen": "afvallen", "Zonder pijn bewegen": "pijnvrij",
         "Fit voor een bruiloft": "fit", "Weer fit na een blessure": "pijnvrij",
         "Beter slapen en meer energie": "fit"}  # fmt: skip
TIMES = ["ma_ochtend", "di_ochtend", "wo_ochtend", "do_ochtend", "vr_ochtend", "ma_avond", "di_avond", "wo_avond",
         "do_avond", "vr_middag", "za_ochtend"]  # fmt: skip
HOURS = [(day, time(9), time(20)) for day in range(5)] + [(5, time(9), time(13))]


def write(gen: Generation) -> None:
    plan, studio = gen.plan, gen.studio
    questionnaire_install(studio=studio, kind=selectors.questionnaire_kinds(studio)[0])
    version = QuestionnaireVersion.objects.for_studio(studio).select_related("questionnaire").get()
    definition = version.content
    kind = ConsultationType.objects.create(
        studio=studio,
        name="Kennismaking in de studio",
        place=ConsultationType.Place.STUDIO,
        duration_minutes=30,
    )
    gen.create(
        Availability,
        (
            Availability(studio=studio, coach=user, weekday=day, starts=starts, ends=ends)
            for user in gen.team
            for day, starts, ends in HOURS
        ),
    )
    rng = random.Random(f"intake-{studio.slug}")
    lead_ids = gen.ids["lead"]
    started = [p for p in plan.leads if p.intake_started_at is not None]
    responses = []
    for p in started:
        assert p.intake_started_at is not None
        answers = _answers(rng, p.goal, p.quality)
        if p.intake_completed_at is None:  # left at the step about their week
            answers = {
                k: v for k, v in answers.items() if k in ("goal", "goal_words", "tried", "looking_for")
            }
        result = scoring.score(definition, answers, referral=p.source == "referral")
        responses.append(
            IntakeResponse(
                studio=studio, version=version, lead_id=lead_ids[p.index], person_id=gen.ids["person"][p.person],
                answers=answers, step="plan" if p.intake_completed_at else "availability", score=result.points,
                temperature=result.temperature, disqualified=result.disqualified, reasons=result.reasons,
                created_at=p.intake_started_at, completed_at=p.intake_completed_at,
            )
        )  # fmt: skip
    responses = gen.create(IntakeResponse, responses)
    response_of = {p.index: r for p, r in zip(started, responses, strict=True) if r.completed_at is not None}
    talks = [p for p in plan.leads if p.conversation is not None]
    bookings = []
    for p in talks:
        talk = p.conversation
        assert talk is not None
        coach = gen.team[talk.coach]
        response = response_of.get(p.index)
        bookings.append(
            Booking(
                studio=studio, lead_id=lead_ids[p.index], person_id=gen.ids["person"][p.person], response=response,
                kind=kind, coach=coach, starts_at=talk.starts_at, ends_at=talk.ends_at, status=talk.status,
                outcome=talk.outcome, lost_reason=talk.lost_reason, created_at=talk.created_at,
                recorded_at=talk.recorded_at, recorded_by=coach if talk.recorded_at else None,
            )
        )  # fmt: skip
    bookings = gen.create(Booking, bookings)
    rules = selectors.rules_of(kind)
    gen.create(
        BookingClaim,
        (
            BookingClaim(studio=studio, booking=booking, coach_id=booking.coach_id, unit=unit)
            for booking in bookings
            for unit in slots.units(*slots.claimed_span(booking.starts_at, rules))
        ),
    )
    events: list[DomainEvent] = []
    activities: list[Activity] = []
    for p, response in ((p, response_of[p.index]) for p in started if p.index in response_of):
        assert response.completed_at is not None
        label = IntakeResponse.Temperature(response.temperature).label
        activities.append(
            Activity(
                studio=studio, lead_id=response.lead_id, kind=Activity.Kind.SUBMISSION, at=response.completed_at,
                body=f"Intake ingevuld: score {response.score} ({label})",
            )
        )  # fmt: skip
        events.append(
            event_row(
                gen, IntakeCompleted(lead_id=response.lead_id, response_id=response.pk, score=response.score,
                                     temperature=response.temperature),
                at=response.completed_at, person=p.person,
            )
        )  # fmt: skip
    for p, booking in zip(talks, bookings, strict=True):
        assert p.conversation is not None
        coach = gen.team[p.conversation.coach]
        when = clock.spoken(booking.starts_at, studio.zone)
        activities.append(
            Activity(
                studio=studio, lead_id=booking.lead_id, kind=Activity.Kind.BOOKING, by=coach, at=booking.created_at,
                data={"booking": booking.pk}, body=f"Kennismakingsgesprek gepland: {when} met {coach} ({kind.name})",
            )
        )  # fmt: skip
        events.append(
            event_row(
                gen, ConversationBooked(lead_id=booking.lead_id, booking_id=booking.pk, starts_at=booking.starts_at),
                at=booking.created_at, person=p.person,
            )
        )  # fmt: skip
        if booking.recorded_at is not None:
            events.append(
                event_row(
                    gen, ConversationRecorded(lead_id=booking.lead_id, booking_id=booking.pk, status=booking.status,
                                              outcome=booking.outcome, lost_reason=booking.lost_reason),
                    at=booking.recorded_at, person=p.person,
                )
            )  # fmt: skip
    gen.create(Activity, activities)
    gen.create(DomainEvent, events)
    # Last touched when they answered, not now.
    IntakeResponse.objects.for_studio(studio).update(updated_at=Coalesce("completed_at", "created_at"))


def _answers(rng: random.Random, goal: str, quality: str) -> dict[str, Any]:
    """Plausible answers to the ready-made PT intake, warmer or colder."""
    hot, cold = quality == "hot", quality == "cold"
    answers: dict[str, Any] = {
        "goal": GOALS.get(goal, "anders"),
        "goal_words": goal,
        "tried": rng.sample(["sportschool", "apps", "pt", "groep"], rng.randint(1, 2)),
        "looking_for": "begeleiding" if rng.random() < 0.7 else "groep",
        "availability": sorted(rng.sample(TIMES, rng.randint(2, 5))),
        "start": rng.choice(["nu", "maand"])
        if hot
        else rng.choice(["later", "orienteren"])
        if cold
        else "maand",
        "commitment": rng.randint(8, 10) if hot else rng.randint(3, 6) if cold else rng.randint(6, 8),
        "investment": rng.choice(["150_300", "300plus"]) if hot else "tot50" if cold else "50_150",
    }
    return answers
