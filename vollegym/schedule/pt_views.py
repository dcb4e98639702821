"""Personal training in the back office: the coach records a training in one tap, or another moment, and can take a
wrong tap back within the week."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vollegym.core.back import back_to
from vollegym.core.dateinputs import ClockField, DayField
from vollegym.programs.models import Member
from vollegym.schedule.models import PersonalSession
from vollegym.schedule.personal import (
    PersonalSessionError,
    personal_session_record,
    personal_session_undo,
    pt_members,
    pt_moment,
    recent_sessions,
)
from vollegym.studios.access import role_of, studio_of, studio_view, user_of


class MomentForm(forms.Form):
    """Another moment than now: a training recorded afterwards."""

    day = DayField(label=gettext_lazy("Datum"), required=False)
    at = ClockField(label=gettext_lazy("Tijd"), required=False)


@studio_view()
def pt_list(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    mine = role_of(request) == "coach" or request.GET.get("wie") == "ik"
    coach = user_of(request) if mine else None
    return render(
        request, "schedule/pt.html",
        {"studio": studio, "rows": pt_members(studio, coach=coach), "recent": recent_sessions(studio, coach=coach),
         "mine": mine, "can_choose": role_of(request) != "coach", "form": MomentForm(), "nav": "rooster"},
    )  # fmt: skip


@studio_view()
@require_POST
def pt_record(request: HttpRequest, member_id: int) -> HttpResponse:
    studio = studio_of(request)
    member = Member.objects.for_studio(studio).filter(pk=member_id).select_related("person", "studio").first()
    if member is None:
        raise Http404("No such member")
    form = MomentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back_to(request, studio.slug, reverse("agenda:pt", args=[studio.slug]))
    attended = request.POST.get("action") != "no_show"
    try:
        at = pt_moment(studio, day=form.cleaned_data.get("day"), at=form.cleaned_data.get("at"))
        personal_session_record(member=member, at=at, attended=attended, by=user_of(request))
    except PersonalSessionError as exc:
        messages.error(request, f"{member.person}: {exc}")
    else:
        text = _("%(name)s: training vastgelegd.") if attended else _("%(name)s: niet gekomen, vastgelegd.")
        messages.success(request, text % {"name": member.person})
    return back_to(request, studio.slug, reverse("agenda:pt", args=[studio.slug]))


@studio_view()
@require_POST
def pt_undo(request: HttpRequest, session_id: int) -> HttpResponse:
    studio = studio_of(request)
    session = PersonalSession.objects.for_studio(studio).filter(pk=session_id).first()
    if session is None:
        raise Http404("No such training")
    try:
        personal_session_undo(session=session, by=user_of(request))
    except PersonalSessionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Teruggedraaid."))
    return back_to(request, studio.slug, reverse("agenda:pt", args=[studio.slug]))
