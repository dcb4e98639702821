"""Reads of the intake: the questionnaire a studio asks, a prospect's answers, free moments and booked ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q

from vollegym.core import clock
from vollegym.intake import slots
from vollegym.intake.definition import Offer
from vollegym.intake.models import (
    Availability,
    AvailabilityException,
    Booking,
    BookingClaim,
    ConsultationType,
    IntakeResponse,
    Questionnaire,
    QuestionnaireVersion,
)
from vollegym.intake.slots import DayOff, Rules, Slot, Window
from vollegym.leads.models import Lead
from vollegym.programs.models import Program
from vollegym.programs.selectors import price_in_force
from vollegym.studios.models import StaffMembership, Studio, User


def current_version(studio: Studio) -> QuestionnaireVersion | None:
    """The version the public intake of a studio asks: the newest of its newest active questionnaire."""
    questionnaire = (
        Questionnaire.objects.for_studio(studio).filter(is_active=True).order_by("-created_at").first()
    )
    if questionnaire is None:
        return None
    return (
        QuestionnaireVersion.objects.for_studio(studio)
        .filter(questionnaire=questionnaire)
        .order_by("-number")
        .first()
    )


def response_by_token(studio: Studio, token: str) -> IntakeResponse | None:
    return (
        IntakeResponse.objects.for_studio(studio)
        .filter(token=token)
        .select_related("version", "lead")
        .first()
    )


# ---- the kennismakingsgesprek --------------------------------------------------------------------------------


def rules_of(kind: ConsultationType) -> Rules:
    return Rules(
        duration=timedelta(minutes=kind.duration_minutes),
        buffer=timedelta(minutes=kind.buffer_minutes),
        min_notice=timedelta(hours=kind.min_notice_hours),
        horizon_days=kind.horizon_days,
    )


def consultation_types(studio: Studio) -> list[ConsultationType]:
    return list(ConsultationType.objects.for_studio(studio).filter(is_active=True))


def open_slots(
    kind: ConsultationType,
    *,
    days: list[date] | None = None,
    ignore: Booking | None = None,
    now: datetime | None = None,
) -> list[Slot]:
    """The free moments for a kind of conversation, with the coaches free at each; `ignore` frees one booking."""
    studio_id = kind.studio_id
    now = now or clock.now()
    rules = rules_of(kind)
    coaches = StaffMembership.objects.for_studio(studio_id).values_list("user_id", flat=True)
    windows = [
        Window(a.coach_id, a.weekday, a.starts, a.ends)
        for a in Availability.objects.for_studio(studio_id).filter(coach_id__in=coaches)
    ]
    if not windows:
        return []
    first, last = now.date() - timedelta(days=1), now.date() + timedelta(days=rules.horizon_days + 1)
    day_offs = [
        DayOff(e.coach_id, e.first_day, e.last_day, e.starts, e.ends)
        for e in AvailabilityException.objects.for_studio(studio_id).filter(
            last_day__gte=first, first_day__lte=last
        )
    ]
    claims = BookingClaim.objects.for_studio(studio_id).filter(
        unit__gte=now - timedelta(days=1), unit__lte=now + timedelta(days=rules.horizon_days + 2)
    )
    if ignore is not None:
        claims = claims.exclude(booking=ignore)
    busy: dict[int, set[datetime]] = {}
    for coach_id, unit in claims.values_list("coach_id", "unit"):
        busy.setdefault(coach_id, set()).add(unit)
    zone = kind.studio.zone
    return slots.open_slots(
        rules=rules, windows=windows, day_offs=day_offs, busy=busy, now=now, zone=zone, days=days
    )


def bookings_upcoming(studio: Studio, *, coach: User | None = None) -> list[Booking]:
    planned = Booking.objects.for_studio(studio).upcoming().select_related("lead", "kind", "coach")
    if coach is not None:
        planned = planned.filter(coach=coach)
    return list(planned)


def bookings_to_record(studio: Studio) -> list[Booking]:
    """Conversations that have begun and still need a showed / no-show or an outcome."""
    now = clock.now()
    return list(
        Booking.objects.for_studio(studio)
        .filter(starts_at__lte=now, starts_at__gte=now - timedelta(days=60))
        .filter(Q(status=Booking.Status.BOOKED) | Q(status=Booking.Status.SHOWED, outcome=""))
        .select_related("lead", "kind", "coach")
        .order_by("-starts_at")
    )


def bookings_of_lead(lead: Lead) -> list[Booking]:
    return list(
        Booking.objects.for_studio(lead.studio_id)
        .filter(lead=lead)
        .select_related("kind", "coach")
        .order_by("-starts_at")
    )


def booking_of_response(response: IntakeResponse) -> Booking | None:
    """The lead's conversation still ahead (one that passed unrecorded does not stand in the way of a new one)."""
    return Booking.objects.for_studio(response.studio_id).upcoming().filter(lead_id=response.lead_id).first()


def availability_of(studio: Studio, coach: User) -> list[Availability]:
    return list(Availability.objects.for_studio(studio).filter(coach=coach).order_by("weekday", "starts"))


def exceptions_ahead(studio: Studio) -> list[AvailabilityException]:
    """Days off that still matter: today and later, the studio's and every coach's."""
    today = clock.today()
    return list(
        AvailabilityException.objects.for_studio(studio)
        .filter(last_day__gte=today)
        .select_related("coach")
        .order_by("first_day", "id")
    )


def response_of_lead(lead: Lead) -> IntakeResponse | None:
    """The lead's latest intake, if they did one."""
    return IntakeResponse.objects.for_studio(lead.studio_id).filter(lead=lead).order_by("-created_at").first()


@dataclass(frozen=True)
class PlanOffer:
    """What the plan shows: a program's name, promise, rhythm and the price a new member pays today."""

    name: str
    promise: str
    weeks: int
    sessions_per_week: int
    price_cents: int
    is_membership: bool = False


def plan_offer(studio: Studio, offer: Offer | None) -> PlanOffer | None:
    """The offer as the prospect sees it: from the linked program (at today's price) when there is one."""
    if offer is None:
        return None
    if offer.program is not None:
        program = Program.objects.for_studio(studio).filter(pk=offer.program, is_active=True).first()
        price = price_in_force(program) if program is not None else None
        if program is not None and price is not None:
            return PlanOffer(
                program.name, program.promise or offer.promise, program.weeks, program.sessions_per_week,
                price.amount_cents, program.kind == Program.Kind.MEMBERSHIP,
            )  # fmt: skip
    return PlanOffer(offer.name, offer.promise, offer.weeks, offer.sessions_per_week, offer.price_cents)
