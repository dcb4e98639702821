"""Onboarding in the back office: the coach's tasks of the first 30 days, and a program's playbook editor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.core.back import back_to
from vollegym.programs.models import Program
from vollegym.retention import selectors
from vollegym.retention.activation import activation_seen as activation_mark_seen
from vollegym.retention.forms import TouchpointForm
from vollegym.retention.models import ActivationCheck, Rating, Step
from vollegym.retention.ratings import RatingError
from vollegym.retention.ratings import rating_called as rating_mark_called
from vollegym.retention.services import PlaybookError, playbook_change, playbook_for, step_close
from vollegym.studios.access import role_of, studio_of, studio_view, user_of

OWNERS = frozenset({"owner"})


@studio_view()
def tasks(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    found = selectors.tasks_open(studio, user_of(request), role_of(request), now=clock.now())
    low = selectors.ratings_low_open(studio, user_of(request), role_of(request))
    return render(
        request, "retention/tasks.html",
        {"studio": studio, "steps": found.steps, "flags": found.flags, "low_ratings": low, "nav": "leden",
         "mine_only": role_of(request) == "coach"},
    )  # fmt: skip


@studio_view()
@require_POST
def rating_called(request: HttpRequest, rating_id: int) -> HttpResponse:
    rating = Rating.objects.for_studio(studio_of(request)).filter(pk=rating_id).first()
    if rating is None:
        raise Http404("No such rating")
    try:
        rating_mark_called(rating=rating, by=user_of(request))
    except RatingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Gebeld: %(name)s staat niet meer op de lijst.") % {"name": rating.member}
        )
    return _back(request, rating.member_id)


@studio_view()
def nps(request: HttpRequest) -> HttpResponse:
    """NPS of the last twelve months: in all, per month and per coach, with how many were asked and answered."""
    studio = studio_of(request)
    today = clock.local(clock.now()).date()
    since = today.replace(year=today.year - 1, day=1)
    return render(
        request, "retention/nps.html",
        {"studio": studio, "report": selectors.nps_report(studio, since=since), "since": since, "nav": "leden"},
    )  # fmt: skip


def _back(request: HttpRequest, member_id: int) -> HttpResponse:
    """Back where the click came from: the member's page, or the task list."""
    studio = studio_of(request)
    if request.POST.get("terug") == "lid":
        return redirect("programs:member", studio=studio.slug, member_id=member_id)
    return back_to(request, studio.slug, reverse("retention:tasks", args=[studio.slug]))


def _close(request: HttpRequest, step_id: int, *, done: bool) -> HttpResponse:
    step = (
        Step.objects.for_studio(studio_of(request))
        .filter(pk=step_id)
        .select_related("run", "touchpoint")
        .first()
    )
    if step is None:
        raise Http404("No such task")
    try:
        step_close(step=step, by=user_of(request), done=done)
    except PlaybookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Afgevinkt: %(title)s.") % {"title": step.touchpoint.title} if done else
                         _("Overgeslagen: %(title)s.") % {"title": step.touchpoint.title})  # fmt: skip
    return _back(request, step.run.member_id)


@studio_view()
@require_POST
def step_done(request: HttpRequest, step_id: int) -> HttpResponse:
    return _close(request, step_id, done=True)


@studio_view()
@require_POST
def step_skip(request: HttpRequest, step_id: int) -> HttpResponse:
    return _close(request, step_id, done=False)


@studio_view()
@require_POST
def activation_seen(request: HttpRequest, check_id: int) -> HttpResponse:
    check = ActivationCheck.objects.for_studio(studio_of(request)).filter(pk=check_id).first()
    if check is None:
        raise Http404("No such check")
    try:
        activation_mark_seen(check=check, by=user_of(request))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Opgepakt: %(name)s staat niet meer op de lijst.") % {"name": check.member}
        )
    return _back(request, check.member_id)


def _program(request: HttpRequest, program_id: int) -> Program:
    found = Program.objects.for_studio(studio_of(request)).filter(pk=program_id).first()
    if found is None:
        raise Http404("No such program")
    return found


def _editor(
    request: HttpRequest,
    program: Program,
    *,
    bound: TouchpointForm | None = None,
    bound_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The playbook as it stands, each touchpoint in its own form; `bound` is a form sent back with errors."""
    version = selectors.versions_current(playbook_for(program))
    touchpoints = selectors.touchpoints_of(version)
    days = [t.day for t in touchpoints]
    rows = [
        {
            "touchpoint": t,
            "form": bound
            if bound is not None and bound_id == t.pk
            else TouchpointForm(instance=t, prefix=f"t{t.pk}"),
            # Reordering is within a day; across days the day says the order.
            "up": index > 0 and days[index - 1] == t.day,
            "down": index + 1 < len(days) and days[index + 1] == t.day,
        }
        for index, t in enumerate(touchpoints)
    ]
    add = (
        bound
        if bound is not None and bound_id is None
        else TouchpointForm(prefix="nieuw", initial={"day": 0})
    )
    context: dict[str, Any] = {
        "studio": studio_of(request), "program": program, "version": version, "rows": rows, "add_form": add,
        "can_edit": role_of(request) != "coach", "on_this_version": selectors.members_on(version),
        "open_row": bound_id, "nav": "programmas",
    }  # fmt: skip
    return render(request, "retention/playbook.html", context, status=status)


@studio_view()
def playbook(request: HttpRequest, program_id: int) -> HttpResponse:
    return _editor(request, _program(request, program_id))


def _publish(
    request: HttpRequest, program: Program, form: TouchpointForm | None, bound_id: int | None, **change: Any
) -> HttpResponse:
    try:
        version = playbook_change(program=program, by=user_of(request), **change)
    except ValidationError as exc:
        if form is None:
            messages.error(request, " ".join(exc.messages))
            return redirect("retention:playbook", studio=studio_of(request).slug, program_id=program.pk)
        form.add_error(None, exc)
        return _editor(request, program, bound=form, bound_id=bound_id, status=400)
    except PlaybookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Versie %(number)s staat klaar voor wie vanaf nu start; wie al begon houdt de eigen versie.")
            % {"number": version.number},
        )
    return redirect("retention:playbook", studio=studio_of(request).slug, program_id=program.pk)


@studio_view(roles=OWNERS)
@require_POST
def touchpoint_add(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program(request, program_id)
    form = TouchpointForm(request.POST, prefix="nieuw")
    if not form.is_valid():
        return _editor(request, program, bound=form, status=400)
    return _publish(request, program, form, None, add=form.cleaned_data)


@studio_view(roles=OWNERS)
@require_POST
def touchpoint_change(request: HttpRequest, program_id: int, touchpoint_id: int) -> HttpResponse:
    program = _program(request, program_id)
    form = TouchpointForm(request.POST, prefix=f"t{touchpoint_id}")
    if not form.is_valid():
        return _editor(request, program, bound=form, bound_id=touchpoint_id, status=400)
    return _publish(request, program, form, touchpoint_id, change=(touchpoint_id, form.cleaned_data))


@studio_view(roles=OWNERS)
@require_POST
def touchpoint_remove(request: HttpRequest, program_id: int, touchpoint_id: int) -> HttpResponse:
    return _publish(request, _program(request, program_id), None, None, remove=touchpoint_id)


@studio_view(roles=OWNERS)
@require_POST
def touchpoint_move(request: HttpRequest, program_id: int, touchpoint_id: int) -> HttpResponse:
    step = -1 if request.POST.get("richting") == "omhoog" else 1
    return _publish(request, _program(request, program_id), None, None, move=(touchpoint_id, step))
