"""Reads of the intake: the questionnaire a studio asks, a prospect's answers, free moments and booked ones."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from vollegym.core import clock
from vollegym.intake import scoring, slots
from vollegym.intake.definition import Definition, Offer
from vollegym.intake.models import (
    Availability,
    AvailabilityException,
    Booking,
    BookingClaim,
    CoachCalendar,
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
from vollegym.studios.selectors import SITE_OWNER_SLUG

# The agency's own tenant: its intake for studio owners lives at the site's /intake/.
AGENCY_SLUG = SITE_OWNER_SLUG


def intake_url(studio_slug: str) -> str:
    """Where a studio's public intake starts; the agency's own is the site's /intake/."""
    if studio_slug == AGENCY_SLUG:
        return reverse("intake:agency_start")
    return reverse("intake:start", kwargs={"studio": studio_slug})


def questionnaire_kinds(studio: Studio) -> list[str]:
    """The ready-made questionnaires meant for a studio: its kind's (PT, small group or both); the agency's own."""
    if studio.slug == AGENCY_SLUG:
        return [Questionnaire.Kind.AGENCY]
    meant: dict[str, list[str]] = {
        Studio.Kind.PT: [Questionnaire.Kind.PT],
        Studio.Kind.SMALL_GROUP: [Questionnaire.Kind.SMALL_GROUP],
    }
    return meant.get(studio.kind, [Questionnaire.Kind.PT, Questionnaire.Kind.SMALL_GROUP])


def questionnaire_of(studio: Studio, pk: int) -> Questionnaire | None:
    """One of the studio's questionnaires; None for another studio's."""
    return Questionnaire.objects.for_studio(studio).filter(pk=pk).first()


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
    """The intake (and its conversation) a prospect's link opens; an erased person's old link opens nothing."""
    return (
        IntakeResponse.objects.for_studio(studio)
        .filter(token=token, person__erased_at__isnull=True)
        .select_related("version__questionnaire", "lead")
        .first()
    )


def lead_booking_url(lead: Lead, *, fresh: bool = False) -> str:
    """Where a lead picks a moment for the conversation (a full address, for a message).

    After a finished intake: straight to the moments; in an unfinished one: back to the step they left; else, or
    `fresh` (someone whose goal may have changed since), the studio's intake from the start.
    """
    studio = lead.studio
    agency = studio.slug == AGENCY_SLUG
    response = (
        None
        if fresh
        else IntakeResponse.objects.for_studio(lead.studio_id)
        .filter(lead=lead, person__erased_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    if response is None:
        path = (
            reverse("intake:agency_start")
            if agency
            else reverse("intake:start", kwargs={"studio": studio.slug})
        )
    elif response.completed_at is not None:
        path = reverse(
            "intake:agency_book" if agency else "intake:book",
            kwargs={"token": response.token} | ({} if agency else {"studio": studio.slug}),
        )
    else:
        path = reverse(
            "intake:agency_step" if agency else "intake:step",
            kwargs={"token": response.token, "step_key": response.step}
            | ({} if agency else {"studio": studio.slug}),
        )
    return f"{settings.SITE_URL}{path}"


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
    planned = Booking.objects.for_studio(studio).upcoming().select_related("lead__person", "kind", "coach")
    if coach is not None:
        planned = planned.filter(coach=coach)
    return list(planned)


def bookings_to_record(studio: Studio, *, coach: User | None = None) -> list[Booking]:
    """Conversations that have begun and still need a showed / no-show or an outcome."""
    return list(
        _to_record(studio, coach).select_related("lead__person", "kind", "coach").order_by("-starts_at")
    )


def _to_record(studio: Studio, coach: User | None) -> QuerySet[Booking]:
    now = clock.now()
    found = (
        Booking.objects.for_studio(studio)
        .filter(starts_at__lte=now, starts_at__gte=now - timedelta(days=60))
        .filter(Q(status=Booking.Status.BOOKED) | Q(status=Booking.Status.SHOWED, outcome=""))
    )
    return found.filter(coach=coach) if coach is not None else found


def bookings_to_record_count(studio: Studio, *, coach: User | None = None) -> int:
    """How many `bookings_to_record` lists, in one COUNT."""
    return _to_record(studio, coach).count()


def bookings_later_today(studio: Studio, *, coach: User | None = None) -> list[Booking]:
    """Conversations still to begin today on the studio's clock, first one first."""
    found = (
        _later_today(studio, coach)
        .select_related("lead__person", "kind", "coach")
        .order_by("starts_at", "id")
    )
    return list(found)


def _later_today(studio: Studio, coach: User | None) -> QuerySet[Booking]:
    now = clock.now()
    zone = studio.zone
    local = clock.local(now, zone)
    midnight = clock.wall_time(local.date() + timedelta(days=1), time(0), zone) or now + timedelta(hours=24)
    found = Booking.objects.for_studio(studio).filter(
        status=Booking.Status.BOOKED, starts_at__gt=now, starts_at__lt=midnight
    )
    return found.filter(coach=coach) if coach is not None else found


def bookings_later_today_count(studio: Studio, *, coach: User | None = None) -> int:
    """How many `bookings_later_today` lists, in one COUNT."""
    return _later_today(studio, coach).count()


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
class Submission:
    """One intake as it was filled in: when, and its own answers as the coach reads them."""

    response: IntakeResponse
    answers: dict[str, str]


def submissions_of_lead(lead: Lead) -> list[Submission]:
    """Every intake filled in for this lead, newest first, each with its own answers: a second one (the same
    person again while the lead is open) never hides the first."""
    from vollegym.intake.services.questionnaires import readable_answers

    responses = (
        IntakeResponse.objects.for_studio(lead.studio_id)
        .filter(lead=lead)
        .select_related("version")
        .order_by("-created_at", "-id")
    )
    return [Submission(r, readable_answers(r.version.content, r.answers)) for r in responses]


# The answers to the investment question (presets.INVESTMENT), a budget per month: the top of each range in cents,
# None for a range without a top.
BUDGET_TOPS: dict[str, int | None] = {"tot50": 5000, "50_150": 15000, "150_300": 30000, "300plus": None}


@dataclass(frozen=True)
class PlanOffer:
    """An offer as the plan shows it: a program's name, promise and rhythm, and the price a new member pays today.

    Only an offer that stands for one of the studio's programs has a price (the program's, of today); without one
    the coach names the price in the conversation, so no amount of the questionnaire's own can go stale.
    """

    name: str
    promise: str
    weeks: int
    sessions_per_week: int
    price_cents: int | None = None
    is_membership: bool = False
    # The price as a month's share, for a prospect who answered in euros per month.
    monthly_cents: int | None = None


@dataclass(frozen=True)
class Plan:
    """What the plan step shows: the offer for the prospect's goal, and perhaps a smaller start."""

    offer: PlanOffer | None
    # A cheaper offer for the same goal, when the offer's month is above the prospect's budget.
    smaller: PlanOffer | None = None


def monthly_cents(price_cents: int, weeks: int) -> int:
    """A price for a number of weeks as a month's share (52 weeks in 12 months), rounded to whole euros."""
    share = Fraction(price_cents * 52, weeks * 12 * 100)
    return math.floor(share + Fraction(1, 2)) * 100


def plan_offer(studio: Studio, offer: Offer, *, monthly: bool = False) -> PlanOffer:
    """One offer as the prospect sees it: from its program, at today's price, when it stands for an active one."""
    program = None
    if offer.program is not None:
        program = Program.objects.for_studio(studio).filter(pk=offer.program, is_active=True).first()
    if program is None:
        return PlanOffer(offer.name, offer.promise, offer.weeks, offer.sessions_per_week)
    price = price_in_force(program)
    cents = price.amount_cents if price is not None else None
    return PlanOffer(
        program.name, program.promise or offer.promise, program.weeks, program.sessions_per_week, cents,
        program.kind == Program.Kind.MEMBERSHIP,
        monthly_cents(cents, program.weeks) if cents is not None and monthly else None,
    )  # fmt: skip


def plan_of(studio: Studio, definition: Definition, answers: dict[str, Any]) -> Plan:
    """The plan for a prospect's answers: the offer for their goal with its price of today, a month's share of it
    when they gave a monthly budget, and a smaller offer for the same goal when that share is above the budget."""
    fitting = scoring.fitting_offers(definition, answers)
    if not fitting:
        return Plan(None)
    investment = answers.get("investment")
    monthly = isinstance(investment, str) and investment in BUDGET_TOPS
    top = BUDGET_TOPS.get(str(investment))
    offer = plan_offer(studio, fitting[0], monthly=monthly)
    if offer.monthly_cents is None or top is None or offer.monthly_cents <= top:
        return Plan(offer)
    cheaper = [
        shown
        for other in fitting[1:]
        if other.program is not None and other.program != fitting[0].program
        for shown in [plan_offer(studio, other, monthly=True)]
        if shown.monthly_cents is not None and shown.monthly_cents < offer.monthly_cents
    ]
    # The studio's first choice that fits the budget; when none does, the one that comes closest.
    within = [shown for shown in cheaper if shown.monthly_cents is not None and shown.monthly_cents <= top]
    smaller = within[0] if within else min(cheaper, key=lambda shown: shown.monthly_cents or 0, default=None)
    return Plan(offer, smaller)


def coach_calendar_is_set(studio: Studio, coach: User) -> bool:
    """Whether the coach has made a feed address (which cannot be shown again: only its hash is kept)."""
    return CoachCalendar.objects.for_studio(studio).filter(coach=coach).exists()
