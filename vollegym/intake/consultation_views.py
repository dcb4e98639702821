"""The kennismakingsgesprek in the back office: the list, recording what came of it, availability and kinds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.core.back import back_path
from vollegym.intake import selectors
from vollegym.intake.booking_forms import AvailabilityForm, ConsultationTypeForm, ExceptionForm, OutcomeForm
from vollegym.intake.booking_views import feed_url, pick_slot
from vollegym.intake.models import AvailabilityException, Booking, ConsultationType
from vollegym.intake.services import (
    BookingError,
    WindowInput,
    availability_exception_add,
    availability_exception_remove,
    availability_set,
    booking_attendance,
    booking_cancel,
    booking_make,
    booking_outcome,
    booking_reschedule,
    coach_calendar_renew,
    consultation_type_save,
)
from vollegym.leads.models import Lead
from vollegym.studios.access import role_of, studio_of, studio_view, user_of
from vollegym.studios.models import StaffMembership, User
from vollegym.studios.selectors import team_of

OWNERS = frozenset({"owner"})


def _is_owner(request: HttpRequest) -> bool:
    return role_of(request) != StaffMembership.Role.COACH


def _booking(request: HttpRequest, booking_id: int) -> Booking:
    found = (
        Booking.objects.for_studio(studio_of(request))
        .filter(pk=booking_id)
        .select_related("lead", "kind", "coach", "studio")
        .first()
    )
    if found is None:
        raise Http404("No such booking")
    return found


def _back(request: HttpRequest) -> HttpResponse:
    """Back where the button was pressed: the lead's page or the list (only our own paths are followed)."""
    slug = studio_of(request).slug
    if target := back_path(request, slug):
        return redirect(f"{target}#gesprek" if "/leads/" in target else target)
    return redirect("intake_staff:consultations", studio=slug)


@studio_view()
def consultations(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    return render(
        request,
        "intake/staff_consultations.html",
        {"studio": studio, "upcoming": selectors.bookings_upcoming(studio),
         "to_record": selectors.bookings_to_record(studio),
         "feed_set": selectors.coach_calendar_is_set(studio, user_of(request)),
         "kinds": selectors.consultation_types(studio), "outcome_form": OutcomeForm(), "nav": "gesprekken"},
    )  # fmt: skip


@studio_view()
@require_POST
def record(request: HttpRequest, booking_id: int) -> HttpResponse:
    """What came of a conversation: showed or no-show, then won or lost (with a reason)."""
    booking = _booking(request, booking_id)
    action = request.POST.get("action", "")
    try:
        if action in ("showed", "no_show"):
            booking_attendance(booking=booking, showed=action == "showed", by=user_of(request))
        elif action == "outcome":
            form = OutcomeForm(request.POST)
            if not form.is_valid():
                errors = [str(e) for field in form.errors.values() for e in field]
                raise BookingError(" ".join(errors))
            booking_outcome(
                booking=booking, outcome=form.cleaned_data["outcome"],
                lost_reason=form.cleaned_data["lost_reason"], by=user_of(request),
            )  # fmt: skip
        else:
            raise BookingError(_("Onbekende actie."))
    except BookingError as exc:
        messages.error(request, f"{booking.lead}: {exc.reason}")
    else:
        messages.success(request, _("Vastgelegd voor %(lead)s.") % {"lead": booking.lead})
    return _back(request)


@studio_view()
@require_POST
def staff_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _booking(request, booking_id)
    try:
        booking_cancel(booking=booking, by=user_of(request), reason=request.POST.get("reason", "")[:200])
    except BookingError as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(
            request, _("Het gesprek is geannuleerd; %(lead)s krijgt bericht.") % {"lead": booking.lead}
        )
    return _back(request)


def _picker_page(
    request: HttpRequest, *, lead: Lead, booking: Booking | None, title: str, submit: str
) -> HttpResponse:
    studio = studio_of(request)
    kinds = selectors.consultation_types(studio)
    if booking is not None and booking.kind not in kinds:
        kinds = [booking.kind, *kinds]
    if not kinds:
        messages.error(request, _("Er is nog geen soort gesprek om te plannen; maak er eerst een aan."))
        return redirect("intake_staff:kinds", studio=studio.slug)
    kind, form, picker = pick_slot(request, kinds, booking, booking.kind if booking else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            if booking is None:
                booking_make(lead=lead, kind=kind, starts_at=form.starts_at(), by=user_of(request))
            else:
                booking_reschedule(
                    booking=booking, starts_at=form.starts_at(), kind=kind, by=user_of(request)
                )
        except BookingError as exc:
            error = exc.reason
            kind, form, picker = pick_slot(request, kinds, booking, kind)
            form.is_bound = False
        else:
            messages.success(
                request, _("Het gesprek staat gepland; %(lead)s krijgt een bevestiging.") % {"lead": lead}
            )
            return redirect("leads:detail", studio=studio.slug, lead_id=lead.pk)
    return render(
        request,
        "intake/staff_book.html",
        {"studio": studio, "lead": lead, "booking": booking, "kinds": kinds, "kind": kind, "form": form,
         "error": error, "here": request.path, "title": title, "submit_label": submit, "nav": "leads", **picker},
    )  # fmt: skip


@studio_view()
def staff_book(request: HttpRequest, lead_id: int) -> HttpResponse:
    """A coach on the phone with a lead plans the conversation for them."""
    lead = Lead.objects.for_studio(studio_of(request)).filter(pk=lead_id).first()
    if lead is None:
        raise Http404("No such lead")
    planned = Booking.objects.for_studio(studio_of(request)).planned().filter(lead=lead).first()
    if planned is not None:
        return redirect("intake_staff:reschedule", studio=studio_of(request).slug, booking_id=planned.pk)
    return _picker_page(
        request,
        lead=lead,
        booking=None,
        title=_("Kennismakingsgesprek plannen"),
        submit=_("Plan het gesprek"),
    )


@studio_view()
def staff_reschedule(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _booking(request, booking_id)
    if booking.status != Booking.Status.BOOKED:
        raise Http404("Not planned")
    return _picker_page(
        request,
        lead=booking.lead,
        booking=booking,
        title=_("Gesprek verzetten"),
        submit=_("Verzet naar dit moment"),
    )


def _coach_for(request: HttpRequest) -> User:
    """Whose week is edited: one's own, or (for an owner) any team member's."""
    me = user_of(request)
    asked = request.GET.get("coach") or request.POST.get("coach")
    if not asked or not _is_owner(request):
        return me
    for member in team_of(studio_of(request)):
        if str(member.user_id) == asked:
            return member.user
    raise Http404("No such team member")


@studio_view()
def availability(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    coach = _coach_for(request)
    windows = list(selectors.availability_of(studio, coach))
    form = AvailabilityForm(request.POST or None, windows=windows)
    if request.method == "POST" and form.is_valid():
        try:
            availability_set(
                studio=studio, coach=coach, windows=[WindowInput(d, s, e) for d, s, e in form.windows()]
            )
        except BookingError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(
                request, _("De week van %(coach)s is bewaard.") % {"coach": coach.get_short_name()}
            )
            return redirect(f"{request.path}?coach={coach.pk}")
    return _availability_page(request, coach, form, ExceptionForm(can_close_studio=_is_owner(request)))


def _availability_page(
    request: HttpRequest, coach: User, form: AvailabilityForm, exception_form: ExceptionForm
) -> HttpResponse:
    studio = studio_of(request)
    return render(
        request,
        "intake/staff_availability.html",
        {"studio": studio, "coach": coach, "form": form, "exception_form": exception_form,
         "team": team_of(studio) if _is_owner(request) else [], "exceptions": selectors.exceptions_ahead(studio),
         "nav": "gesprekken"},
    )  # fmt: skip


@studio_view()
@require_POST
def exception_add(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    coach = _coach_for(request)
    form = ExceptionForm(request.POST, can_close_studio=_is_owner(request))
    if form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            availability_exception_add(
                studio=studio, coach=None if data.get("whole_studio") else coach, first_day=data["first_day"],
                last_day=data["last_day"] or data["first_day"], starts=data["starts"], ends=data["ends"],
                reason=data["reason"],
            )  # fmt: skip
        except BookingError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(request, _("De uitzondering staat erin."))
            return redirect(f"{request.path.rsplit('uitzondering/', 1)[0]}?coach={coach.pk}")
    windows = list(selectors.availability_of(studio, coach))
    return _availability_page(request, coach, AvailabilityForm(windows=windows), form)


@studio_view()
@require_POST
def exception_remove(request: HttpRequest, exception_id: int) -> HttpResponse:
    studio = studio_of(request)
    exception = AvailabilityException.objects.for_studio(studio).filter(pk=exception_id).first()
    if exception is None:
        raise Http404("No such exception")
    if exception.coach_id != user_of(request).pk and not _is_owner(request):
        raise Http404("Not yours")
    availability_exception_remove(exception=exception)
    messages.success(request, _("De uitzondering is weg."))
    return redirect("intake_staff:availability", studio=studio.slug)


@studio_view(roles=OWNERS)
def kinds(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    editing = None
    asked = request.GET.get("id") or request.POST.get("id") or ""
    if asked:
        found = ConsultationType.objects.for_studio(studio).filter(pk=int(asked) if asked.isdigit() else 0)
        editing = found.first()
        if editing is None:
            raise Http404("No such kind")
    form = ConsultationTypeForm(request.POST or None, instance=editing or ConsultationType(studio=studio))
    if request.method == "POST" and form.is_valid():
        try:
            consultation_type_save(kind=form.instance)
        except BookingError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(request, _("%(name)s is bewaard.") % {"name": form.instance.name})
            return redirect("intake_staff:kinds", studio=studio.slug)
    return render(
        request,
        "intake/staff_kinds.html",
        {"studio": studio, "form": form, "editing": editing,
         "all_kinds": ConsultationType.objects.for_studio(studio).order_by("position", "id"), "nav": "gesprekken"},
    )  # fmt: skip


@studio_view()
@require_POST
@never_cache
def feed_renew(request: HttpRequest) -> HttpResponse:
    """The new address is in this answer only (like a new password): it is not kept, so no redirect can show it."""
    studio, coach = studio_of(request), user_of(request)
    renewed = selectors.coach_calendar_is_set(studio, coach)
    token = coach_calendar_renew(studio=studio, coach=coach)
    return render(
        request,
        "intake/staff_feed_address.html",
        {
            "studio": studio,
            "feed_url": feed_url(request, studio, token),
            "renewed": renewed,
            "nav": "gesprekken",
        },
    )
