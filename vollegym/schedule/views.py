"""The agenda in the back office: the week, one session with its mats (attendance on a phone), classes,
closures, the open spots matched to leads, and fill rates with the capacity-pricing advice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.core.dateinputs import ClockField, DayField, day_from_text
from vollegym.core.money import euro
from vollegym.core.names import first_name
from vollegym.programs.models import Member, Program
from vollegym.programs.services import ProgramError, program_price_set
from vollegym.schedule import pricing, selectors
from vollegym.schedule.models import WEEKDAYS, ClassSession, ClassTemplate, Closure, SessionBooking
from vollegym.schedule.services import (
    AgendaError,
    attendance_mark,
    booking_cancel,
    closure_add,
    fixed_slot_add,
    session_book,
    session_call_off,
    sessions_generate,
    settings_for,
    template_save,
    waitlist_join,
)
from vollegym.studios.access import role_of, studio_of, studio_view, user_of
from vollegym.studios.models import Studio, User
from vollegym.studios.selectors import team_of

OWNERS = frozenset({"owner"})


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@studio_view()
def week(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    today = clock.today(studio.zone)
    asked = clock.parse_day(request.GET.get("week"))
    monday = (asked or today) - timedelta(days=(asked or today).weekday())
    return render(
        request,
        "schedule/week.html",
        {"studio": studio, "days": selectors.week_of(studio, monday), "monday": monday, "today": today,
         "previous": monday - timedelta(weeks=1), "next": monday + timedelta(weeks=1),
         "has_classes": ClassTemplate.objects.for_studio(studio).exists(), "nav": "rooster"},
    )  # fmt: skip


def _session(request: HttpRequest, session_id: int) -> ClassSession:
    found = (
        ClassSession.objects.for_studio(studio_of(request))
        .filter(pk=session_id)
        .select_related("template", "coach", "studio")
        .first()
    )
    if found is None:
        raise Http404("No such session")
    return found


class AddMemberForm(forms.Form):
    member = forms.ModelChoiceField(
        label=gettext_lazy("Lid"), queryset=Member.objects.none(),
        error_messages={"required": gettext_lazy("Kies een lid."), "invalid_choice": gettext_lazy("Kies een lid.")},
    )  # fmt: skip

    def __init__(self, *args: Any, studio: Studio, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Member.objects.for_studio(studio).select_related("person").order_by("person__name")


@studio_view()
def session(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id)
    bookings, waiting = selectors.session_people(found)
    return render(
        request,
        "schedule/session.html",
        {"studio": studio_of(request), "session": found, "bookings": bookings, "waiting": waiting,
         "add_form": AddMemberForm(studio=studio_of(request)), "can_mark": found.starts_at <= clock.now(),
         "nav": "rooster"},
    )  # fmt: skip


def _to_session(request: HttpRequest, found: ClassSession) -> HttpResponse:
    return redirect("agenda:session", studio=studio_of(request).slug, session_id=found.pk)


@studio_view()
@require_POST
def attendance(request: HttpRequest, session_id: int, booking_id: int) -> HttpResponse:
    found = _session(request, session_id)
    booking = (
        SessionBooking.objects.for_studio(studio_of(request)).filter(pk=booking_id, session=found).first()
    )
    if booking is None:
        raise Http404("No such booking")
    try:
        attendance_mark(booking=booking, attended=request.POST.get("attended") == "1", by=user_of(request))
    except AgendaError as exc:
        messages.error(request, exc.reason)
    if request.headers.get("HX-Request"):
        bookings, _waiting = selectors.session_people(found)
        row = next((b for b in bookings if b.pk == booking.pk), None)
        if row is None:  # cancelled meanwhile: the row goes
            return HttpResponse("")
        return render(
            request,
            "schedule/_attendance_row.html",
            {"studio": studio_of(request), "session": found, "b": row, "can_mark": True},
        )
    return _to_session(request, found)


@studio_view()
@require_POST
def session_add(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id)
    form = AddMemberForm(request.POST, studio=studio_of(request))
    if not form.is_valid():
        messages.error(request, _("Kies een lid."))
        return _to_session(request, found)
    member = form.cleaned_data["member"]
    try:
        session_book(session=found, member=member)
        messages.success(request, _("%(name)s staat erbij.") % {"name": member})
    except AgendaError as exc:
        if request.POST.get("waitlist"):
            try:
                waitlist_join(session=found, member=member)
                messages.success(request, _("%(name)s staat op de wachtlijst.") % {"name": member})
            except AgendaError as again:
                messages.error(request, again.reason)
        else:
            messages.error(request, exc.reason)
    return _to_session(request, found)


@studio_view()
@require_POST
def session_remove(request: HttpRequest, session_id: int, booking_id: int) -> HttpResponse:
    found = _session(request, session_id)
    booking = (
        SessionBooking.objects.for_studio(studio_of(request)).filter(pk=booking_id, session=found).first()
    )
    if booking is None:
        raise Http404("No such booking")
    try:
        booking_cancel(booking=booking, by_member=False)
        messages.success(
            request, _("Afgemeld; de plek ging naar de eerste op de wachtlijst, als die er was.")
        )
    except AgendaError as exc:
        messages.error(request, exc.reason)
    return _to_session(request, found)


@studio_view(roles=OWNERS)
@require_POST
def session_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id)
    reason = request.POST.get("reason", "").strip()[:200]
    if not reason:
        messages.error(request, _("Geef een reden op; die krijgen de leden te zien."))
        return _to_session(request, found)
    if found.status == ClassSession.Status.SCHEDULED:
        try:
            told = session_call_off(session=found, reason=reason, key=f"calloff:{found.pk}")
        except AgendaError as exc:
            messages.error(request, exc.reason)
        else:
            messages.success(
                request,
                ngettext(
                    "De les vervalt; %(n)s lid krijgt bericht.",
                    "De les vervalt; %(n)s leden krijgen bericht.",
                    told,
                )
                % {"n": told},
            )
    return _to_session(request, found)


class ClassForm(forms.ModelForm):  # type: ignore[type-arg]
    weekday = forms.TypedChoiceField(label=gettext_lazy("Dag"), coerce=int, choices=list(enumerate(WEEKDAYS)))

    def clean_capacity(self) -> int:
        value: int = self.cleaned_data["capacity"]
        if not 1 <= value <= 60:
            raise forms.ValidationError(_("Een les heeft 1 tot 60 plekken."))
        return value

    class Meta:
        model = ClassTemplate
        fields = [
            "name",
            "weekday",
            "starts",
            "duration_minutes",
            "capacity",
            "coach",
            "room",
            "program",
            "is_active",
        ]
        field_classes = {"starts": ClockField}

    def __init__(self, *args: Any, studio: Studio, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        coach = self.fields["coach"]
        program = self.fields["program"]
        assert isinstance(coach, forms.ModelChoiceField) and isinstance(program, forms.ModelChoiceField)
        coach.queryset = User.objects.filter(pk__in=[m.user_id for m in team_of(studio)])
        program.queryset = Program.objects.for_studio(studio)


@studio_view()
def classes(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    editing = None
    asked = request.GET.get("id") or request.POST.get("id") or ""
    if asked:
        editing = (
            ClassTemplate.objects.for_studio(studio).filter(pk=int(asked) if asked.isdigit() else 0).first()
        )
        if editing is None:
            raise Http404("No such class")
    form = ClassForm(request.POST or None, instance=editing or ClassTemplate(studio=studio), studio=studio)
    if request.method == "POST":
        if role_of(request) == "coach":
            raise Http404("Owners only")
        if form.is_valid():
            template = template_save(template=form.save(commit=False))
            sessions_generate(studio=studio)
            messages.success(request, _("%(name)s staat op het rooster.") % {"name": template.name})
            return redirect("agenda:classes", studio=studio.slug)
    return render(
        request,
        "schedule/classes.html",
        {"studio": studio, "form": form, "editing": editing, "nav": "rooster",
         "all_classes": ClassTemplate.objects.for_studio(studio).select_related("coach", "program")},
    )  # fmt: skip


class ClosureForm(forms.Form):
    first_day = DayField(
        label=gettext_lazy("Vanaf"), error_messages={"required": gettext_lazy("Vul een datum in.")}
    )
    last_day = DayField(label=gettext_lazy("Tot en met"), required=False,
                        help_text=gettext_lazy("Leeg: alleen die ene dag."))  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("Reden (de leden zien die)"), max_length=120,
                             error_messages={"required": gettext_lazy("Geef een reden op.")})  # fmt: skip


@studio_view()
def closures(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form = ClosureForm(request.POST or None)
    if request.method == "POST":
        if role_of(request) == "coach":
            raise Http404("Owners only")
        if form.is_valid():
            data = form.cleaned_data
            try:
                closure_add(studio=studio, first_day=data["first_day"], last_day=data["last_day"] or data["first_day"],
                            reason=data["reason"])  # fmt: skip
            except AgendaError as exc:
                form.add_error(None, exc.reason)
            else:
                messages.success(request, _("De sluiting staat erin; wie geboekt had, krijgt bericht."))
                return redirect("agenda:closures", studio=studio.slug)
    return render(
        request,
        "schedule/closures.html",
        {"studio": studio, "form": form, "nav": "rooster",
         "upcoming": Closure.objects.for_studio(studio).filter(last_day__gte=clock.today(studio.zone))},
    )  # fmt: skip


@studio_view()
def open_spots(request: HttpRequest) -> HttpResponse:
    """Per class, the coming weeks' sessions with free mats and the open leads whose week fits, ready to invite."""
    studio = studio_of(request)
    zone = studio.zone
    coach_name = user_of(request).get_short_name()
    by_class: dict[int, list[selectors.OpenSpot]] = {}
    for spot in selectors.open_spots(studio):
        by_class.setdefault(spot.session.template_id, []).append(spot)
    rows = []
    for spots in by_class.values():
        first = spots[0].session  # the leads fit the class's weekday and time of day, so every session of it
        when = clock.spoken(first.starts_at, zone)
        invites = []
        for lead in spots[0].leads:
            link = ""
            if lead.phone:  # click-to-chat, prefilled with this class and its first free moment
                name = first_name(lead.name, "")
                text = (f"Hoi {name}, met {coach_name} van {studio.name}. Er is nog een plek vrij in "
                        f"{first.template.name} op {when}. Zal ik je erbij zetten?")  # fmt: skip
                link = f"https://wa.me/{lead.phone.lstrip('+')}?text={quote(text)}"
            invites.append((lead, link))
        rows.append((first.template, spots, sum(s.session.open_spots for s in spots), invites))
    rows.sort(key=lambda row: (-row[2], row[1][0].session.starts_at))
    return render(request, "schedule/open_spots.html", {"studio": studio, "rows": rows, "nav": "rooster"})


@studio_view()
def fill(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    found, overall, per_class, per_program = pricing.recommendations(studio)
    rules = settings_for(studio)
    monday = clock.today(studio.zone) - timedelta(days=clock.today(studio.zone).weekday())
    return render(
        request,
        "schedule/fill.html",
        {"studio": studio, "recommendations": found, "overall": overall, "per_class": per_class,
         "per_program": per_program, "rules": rules, "next_monday": monday + timedelta(weeks=1), "nav": "rooster"},
    )  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def price_apply(request: HttpRequest) -> HttpResponse:
    """Applies a recommended raise from a date: new members pay it; members enrolled before keep their price."""
    studio = studio_of(request)
    program = Program.objects.for_studio(studio).filter(pk=_number(request.POST.get("program"))).first()
    starts = day_from_text(request.POST.get("effective_from"))
    cents = _number(request.POST.get("amount_cents"))
    if program is None or starts is None or cents <= 0:
        messages.error(request, _("Kies een programma, een prijs en een datum."))
        return redirect("agenda:fill", studio=studio.slug)
    try:
        price = program_price_set(
            program=program, amount_cents=cents, effective_from=starts, by=user_of(request),
            reason=request.POST.get("reason", "")[:200] or _("Groepen structureel vol"),
        )  # fmt: skip
    except ProgramError as exc:
        messages.error(request, exc.reason)
        return redirect("agenda:fill", studio=studio.slug)
    messages.success(
        request,
        _("%(program)s kost voor nieuwe leden %(price)s vanaf %(day)s; bestaande leden houden hun prijs.")
        % {"program": program.name, "price": euro(price.amount_cents), "day": starts.strftime("%d-%m-%Y")},
    )
    return redirect("programs:program", studio=studio.slug, program_id=program.pk)


@studio_view()
@require_POST
def fixed_slot(request: HttpRequest, member_id: int) -> HttpResponse:
    studio = studio_of(request)
    member = Member.objects.for_studio(studio).filter(pk=member_id).first()
    template = (
        ClassTemplate.objects.for_studio(studio).filter(pk=_number(request.POST.get("template"))).first()
    )
    if member is None:
        raise Http404("No such member")
    enrolment = selectors.current_enrolment(member)
    if template is None or enrolment is None:
        messages.error(request, _("Kies een les; een vaste plek hoort bij een lopend programma."))
    else:
        fixed_slot_add(member=member, template=template, first_day=clock.today(studio.zone))
        messages.success(
            request, _("Vaste plek in %(name)s, zolang het programma loopt.") % {"name": template.name}
        )
    return redirect("programs:member", studio=studio.slug, member_id=member.pk)
