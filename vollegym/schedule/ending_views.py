"""Pausing and cancelling: the member's own pages (`/s/<studio>/leden/lidmaatschap/…`, in by their mailed link) and
the back office's buttons on the member's page. Cancelling takes no more steps than signing up did (Dutch law): from
the member's agenda one link to the page that says what will happen, and one button.

Here and not in the programs app, because pausing and cancelling free the mats the member no longer has, and the
agenda reads the programs app, not the other way round (see schedule/endings.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.programs.endings import membership_rules_for
from vollegym.programs.forms import CancelForm, PauseForm
from vollegym.programs.models import Cancellation, Member, Pause
from vollegym.programs.runs import cancellations_of, run_states
from vollegym.programs.services import ProgramError
from vollegym.programs.views import member_page
from vollegym.schedule.endings import member_cancel, member_pause, member_pause_withdraw
from vollegym.schedule.member_views import member_or_login
from vollegym.studios.access import studio_of, studio_view, user_of
from vollegym.studios.models import Studio


def _day(day: Any) -> str:
    return date_format(day, "j F Y")


def _paused_text(pause: Pause, freed: int) -> str:
    text = _("Je pauze staat erin: %(first)s tot en met %(last)s.") % {
        "first": _day(pause.starts_on), "last": _day(pause.ends_on),
    }  # fmt: skip
    if freed:
        text += " " + ngettext(
            "%(n)d les in je pauze is afgemeld.", "%(n)d lessen in je pauze zijn afgemeld.", freed
        ) % {"n": freed}
    return text


def _cancelled_text(cancellation: Cancellation) -> str:
    if cancellation.rule == Cancellation.Rule.COOLING_OFF:
        return _(
            "Opgezegd binnen de bedenktijd: je lidmaatschap is vandaag gestopt. De bevestiging staat in je mail."
        )
    return _("Opgezegd. Je bent lid tot en met %(day)s; de bevestiging staat in je mail.") % {
        "day": _day(cancellation.effective_on)
    }


# ---- the member's own pages ----------------------------------------------------------------------------------


def _context(studio: Studio, member: Member) -> dict[str, Any]:
    states = run_states(member, clock.today(studio.zone))
    return {
        "studio": studio, "member": member, "today": clock.today(studio.zone), "states": states,
        "rules": membership_rules_for(studio), "cancellations": cancellations_of(member)[:3],
        "can_pause": any(s.cancellation is None for s in states), "can_cancel": any(s.ending for s in states),
    }  # fmt: skip


@never_cache
def membership(request: HttpRequest, studio: str) -> HttpResponse:
    """The member's membership: until when, month by month or not, pauses, the renewal talk; pause and cancel."""
    found, member = member_or_login(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    return render(request, "schedule/member_membership.html", _context(found, member))


@never_cache
def pause(request: HttpRequest, studio: str) -> HttpResponse:
    found, member = member_or_login(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    context = _context(found, member)
    form = PauseForm(
        request.POST or None, runs=[state.run for state in context["states"] if state.cancellation is None]
    )
    if request.method == "POST" and form.is_valid() and form.run() is not None:
        run = form.run()
        assert run is not None
        data = form.cleaned_data
        try:
            made, freed = member_pause(
                enrolment=run, starts_on=data["starts_on"], ends_on=data["ends_on"], by=None, by_member=True,
                reason=data["reason"],
            )  # fmt: skip
        except ProgramError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(request, _paused_text(made, freed))
            return redirect("schedule:member_membership", studio=found.slug)
    context["form"] = form
    return render(
        request, "schedule/member_pause.html", context, status=400 if request.method == "POST" else 200
    )


@require_POST
def pause_withdraw(request: HttpRequest, studio: str, pause_id: int) -> HttpResponse:
    found, member = member_or_login(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    found_pause = Pause.objects.for_studio(found).filter(pk=pause_id, member=member).first()
    if found_pause is None:
        raise Http404("No such pause")
    try:
        member_pause_withdraw(pause=found_pause, by=None, by_member=True)
    except ProgramError as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(request, _("Je pauze is ingetrokken. Boek je lessen weer zoals altijd."))
    return redirect("schedule:member_membership", studio=found.slug)


@never_cache
def cancel(request: HttpRequest, studio: str) -> HttpResponse:
    """What cancelling today comes to (the last day, by which rule), an optional reason, and one button."""
    found, member = member_or_login(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    context = _context(found, member)
    states = [state for state in context["states"] if state.ending is not None]
    form = CancelForm(request.POST or None, runs=[state.run for state in states])
    if request.method == "POST" and form.is_valid() and form.run() is not None:
        run = form.run()
        assert run is not None
        data = form.cleaned_data
        try:
            cancellation, _freed = member_cancel(
                enrolment=run, by=None, by_member=True, reason=data["reason"] or "", reason_text=data["reason_text"]
            )  # fmt: skip
        except ProgramError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(request, _cancelled_text(cancellation))
            return redirect("schedule:member_membership", studio=found.slug)
    context.update(form=form, cancellable=states)
    return render(
        request, "schedule/member_cancel.html", context, status=400 if request.method == "POST" else 200
    )


# ---- the back office: the member's page -----------------------------------------------------------------------


def _member(request: HttpRequest, member_id: int) -> Member:
    found = Member.objects.for_studio(studio_of(request)).filter(pk=member_id).select_related("lead").first()
    if found is None:
        raise Http404("No such member")
    return found


@studio_view()
@require_POST
def staff_pause(request: HttpRequest, member_id: int) -> HttpResponse:
    found = _member(request, member_id)
    pausable = [state.run for state in run_states(found) if state.cancellation is None]
    form = PauseForm(request.POST, runs=pausable, prefix="pauze")
    if form.is_valid() and form.run() is not None:
        run = form.run()
        assert run is not None
        data = form.cleaned_data
        try:
            made, freed = member_pause(
                enrolment=run, starts_on=data["starts_on"], ends_on=data["ends_on"], by=user_of(request),
                by_member=False, reason=data["reason"],
            )  # fmt: skip
        except ProgramError as exc:
            form.add_error(None, exc.reason)
        else:
            text = _("Pauze van %(first)s tot en met %(last)s staat erin.") % {
                "first": _day(made.starts_on), "last": _day(made.ends_on),
            }  # fmt: skip
            if freed:
                text += " " + ngettext("%(n)d les afgemeld.", "%(n)d lessen afgemeld.", freed) % {"n": freed}
            messages.success(request, text)
            return redirect("programs:member", studio=studio_of(request).slug, member_id=found.pk)
    return member_page(request, found, pause_form=form, status=400)


@studio_view()
@require_POST
def staff_pause_withdraw(request: HttpRequest, pause_id: int) -> HttpResponse:
    found = Pause.objects.for_studio(studio_of(request)).filter(pk=pause_id).first()
    if found is None:
        raise Http404("No such pause")
    try:
        member_pause_withdraw(pause=found, by=user_of(request), by_member=False)
    except ProgramError as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(request, _("De pauze is ingetrokken; het einde schoof terug."))
    return redirect("programs:member", studio=studio_of(request).slug, member_id=found.member_id)


@studio_view()
@require_POST
def staff_cancel(request: HttpRequest, member_id: int) -> HttpResponse:
    """A cancellation the member gave at the desk, by phone or by mail, recorded for them by the rules."""
    found = _member(request, member_id)
    states = [state for state in run_states(found) if state.ending is not None]
    form = CancelForm(request.POST, runs=[state.run for state in states], prefix="opzeggen")
    if form.is_valid() and form.run() is not None:
        run = form.run()
        assert run is not None
        data = form.cleaned_data
        try:
            cancellation, _freed = member_cancel(
                enrolment=run, by=user_of(request), by_member=False, reason=data["reason"] or "",
                reason_text=data["reason_text"],
            )  # fmt: skip
        except ProgramError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(
                request,
                _("Opzegging vastgelegd: lid tot en met %(day)s. %(name)s krijgt een bevestiging per mail.")
                % {"day": _day(cancellation.effective_on), "name": found},
            )
            return redirect("programs:member", studio=studio_of(request).slug, member_id=found.pk)
    return member_page(request, found, cancel_form=form, status=400)
