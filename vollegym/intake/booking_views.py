"""The prospect's side of the kennismakingsgesprek: pick a moment, see it, move it or cancel it (signed links)."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from vollegym.core import clock
from vollegym.intake import calendar, selectors
from vollegym.intake.booking_forms import CancelForm, SlotForm, slot_value
from vollegym.intake.models import Booking, CoachCalendar, ConsultationType
from vollegym.intake.models.consultations import calendar_token_hash
from vollegym.intake.services import (
    BookingError,
    booking_cancel,
    booking_from_link,
    booking_make,
    booking_reschedule,
)
from vollegym.intake.services.booking import booking_path
from vollegym.intake.slots import Slot
from vollegym.intake.views import AGENCY_SLUG, intake_base, load_studio
from vollegym.studios.models import StaffMembership, Studio

DAYS_SHOWN = 7


def _kind(kinds: list[ConsultationType], chosen: str | None) -> ConsultationType:
    for kind in kinds:
        if str(kind.pk) == chosen:
            return kind
    return kinds[0]


def _picker(request: HttpRequest, kind: ConsultationType, slots: list[Slot]) -> dict[str, Any]:
    """The free moments of one week (from ?vanaf=), grouped by day, with links to the weeks before and after."""
    zone = kind.studio.zone
    if not slots:
        return {"days": [], "slots": slots}

    def day_of(slot: Slot) -> date:
        return clock.local(slot.starts_at, zone).date()

    first_free, last_free = day_of(slots[0]), day_of(slots[-1])
    asked = clock.parse_day(request.GET.get("vanaf")) if request.method == "GET" else None
    asked = asked or clock.parse_day(request.POST.get("vanaf"))
    # A week without a free moment (a holiday) is skipped: the page starts at the next day that has one.
    start: date = next((day_of(s) for s in slots if day_of(s) >= (asked or first_free)), last_free)
    end = start + timedelta(days=DAYS_SHOWN)

    shown = [s for s in slots if start <= day_of(s) < end]
    # Back to the week that ends with the last free day before this page (a closed week is skipped backwards too).
    before = [day_of(s) for s in slots if day_of(s) < start]
    earlier = max(before[-1] - timedelta(days=DAYS_SHOWN - 1), first_free) if before else None
    days = [
        {
            "day": day,
            "times": [(slot_value(s), clock.local(s.starts_at, zone).strftime("%H:%M")) for s in group],
        }
        for day, group in groupby(shown, key=day_of)
    ]
    return {
        "days": days,
        "slots": slots,
        "start": start,
        "earlier": earlier,
        "later": end if last_free >= end else None,
    }


def pick_slot(
    request: HttpRequest,
    kinds: list[ConsultationType],
    ignore: Booking | None,
    default: ConsultationType | None,
) -> tuple[ConsultationType, SlotForm, dict[str, Any]]:
    chosen = request.POST.get("soort") or request.GET.get("soort") or (str(default.pk) if default else None)
    kind = _kind(kinds, chosen)
    slots = selectors.open_slots(kind, ignore=ignore)
    form = SlotForm(request.POST or None, slots=slots)
    return kind, form, _picker(request, kind, slots)


@never_cache
def book(request: HttpRequest, token: str, studio: str = AGENCY_SLUG) -> HttpResponse:
    """Step after the plan: the prospect picks a moment for the conversation."""
    found = load_studio(studio)
    response = selectors.response_by_token(found, token)
    if response is None:
        raise Http404("No such intake")
    base = intake_base(found, token)
    existing = selectors.booking_of_response(response)
    if existing is not None:
        return redirect(booking_path(existing))
    if response.completed_at is None:
        return redirect(f"{base}{response.step}/")  # the plan (and its price) comes before the conversation
    kinds = selectors.consultation_types(found)
    if not kinds:
        return redirect(f"{base}plan/")
    kind, form, picker = pick_slot(request, kinds, None, None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            booking = booking_make(
                lead=response.lead, kind=kind, starts_at=form.starts_at(), response=response
            )
        except BookingError as exc:
            error = exc.reason
            kind, form, picker = pick_slot(request, kinds, None, kind)
            form.is_bound = False
        else:
            return redirect(booking_path(booking))
    definition = response.version.content
    total = len(definition.step_keys)
    return render(
        request,
        "intake/book.html",
        {"studio": found, "definition": definition, "kinds": kinds, "kind": kind, "form": form, "error": error,
         "progress": {"number": total, "total": total, "percent": 100}, "back": f"{base}plan/",
         "here": request.path, **picker},
    )  # fmt: skip


def _booking(studio: str, signed: str) -> Booking:
    found = load_studio(studio)
    booking = booking_from_link(found, signed)
    if booking is None:
        raise Http404("No such booking")
    return booking


def _context(booking: Booking) -> dict[str, Any]:
    zone = booking.studio.zone
    return {
        "studio": booking.studio,
        "booking": booking,
        "when": clock.spoken(booking.starts_at, zone),
        "ends": clock.local(booking.ends_at, zone),
        "is_planned": booking.status == Booking.Status.BOOKED and booking.starts_at > clock.now(),
        "path": booking_path(booking),
        "where": booking.kind.where,
    }


@never_cache
def booking(request: HttpRequest, signed: str, studio: str) -> HttpResponse:
    """The confirmation page, and the page every signed link in the mails opens."""
    found = _booking(studio, signed)
    return render(request, "intake/booking.html", _context(found))


@never_cache
def booking_ics(request: HttpRequest, signed: str, studio: str) -> HttpResponse:
    found = _booking(studio, signed)
    cancelled = found.status == Booking.Status.CANCELLED
    body = calendar.invite(found, cancelled=cancelled)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kennismakingsgesprek.ics"'
    return response


@never_cache
def reschedule(request: HttpRequest, signed: str, studio: str) -> HttpResponse:
    found = _booking(studio, signed)
    context = _context(found)
    if not context["is_planned"]:
        return redirect(context["path"])
    kinds = selectors.consultation_types(found.studio)
    if found.kind not in kinds:
        kinds = [found.kind, *kinds]
    kind, form, picker = pick_slot(request, kinds, found, found.kind)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            booking_reschedule(booking=found, starts_at=form.starts_at(), kind=kind)
        except BookingError as exc:
            error = exc.reason
            kind, form, picker = pick_slot(request, kinds, found, kind)
            form.is_bound = False
        else:
            return redirect(f"{context['path']}?verzet=1")
    return render(
        request,
        "intake/reschedule.html",
        {
            **context,
            "kinds": kinds,
            "kind": kind,
            "form": form,
            "error": error,
            "here": request.path,
            **picker,
        },
    )


@never_cache
def cancel(request: HttpRequest, signed: str, studio: str) -> HttpResponse:
    found = _booking(studio, signed)
    context = _context(found)
    if not context["is_planned"]:
        return redirect(context["path"])
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Cancelled a moment ago in another tab: the booking page says so.
        with contextlib.suppress(BookingError):
            booking_cancel(booking=found, reason=form.cleaned_data["reason"])
        return redirect(context["path"])
    return render(request, "intake/cancel.html", {**context, "form": form})


def coach_feed(request: HttpRequest, studio: str, token: str) -> HttpResponse:
    """A coach's private calendar feed: the secret token in the address is the only key."""
    found = load_studio(studio)
    feed = (
        CoachCalendar.objects.for_studio(found)
        .filter(token_hash=calendar_token_hash(token))
        .select_related("coach")
        .first()
    )
    # A coach who left the studio keeps the address in their calendar app, but it shows nothing any more.
    if feed is None or not StaffMembership.objects.for_studio(found).filter(user_id=feed.coach_id).exists():
        raise Http404("No such calendar")
    since = clock.now() - timedelta(days=30)
    bookings = (
        Booking.objects.for_studio(found)
        .filter(coach=feed.coach, starts_at__gte=since)
        .exclude(status=Booking.Status.CANCELLED)
        .select_related("lead", "kind", "coach", "studio")
    )
    name = f"{found.name}: kennismakingsgesprekken ({feed.coach.get_short_name()})"
    response = HttpResponse(calendar.feed(bookings, name=name), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def feed_url(request: HttpRequest, studio: Studio, token: str) -> str:
    return request.build_absolute_uri(
        reverse("intake:coach_feed", kwargs={"studio": studio.slug, "token": token})
    )
