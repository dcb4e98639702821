"""The member's own corner: in by a link in their mail (no password), their sessions, book and cancel, the waitlist."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.intake.views import load_studio
from vollegym.programs.models import Member
from vollegym.programs.selectors import standing_of
from vollegym.schedule import selectors
from vollegym.schedule.models import ClassSession
from vollegym.schedule.services import (
    MEMBER_ACTIONS,
    AgendaError,
    LinkOutcome,
    member_link_request,
    member_link_use,
    member_session_act,
    member_sign_out_everywhere,
    settings_for,
)
from vollegym.studios.models import Studio


class LinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Je e-mailadres"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Vul je e-mailadres in."),
            "invalid": _("Vul een geldig e-mailadres in."),
        },
    )


def _session_key(studio: Studio) -> str:
    return f"member:{studio.pk}"


def _signed_in(request: HttpRequest, studio: Studio) -> Member | None:
    # The session holds the member and their login key: a new key (sign out everywhere) ends every session too.
    value = str(request.session.get(_session_key(studio)) or "")
    member_id, _, key = value.partition(".")
    if not member_id.isdigit() or not key:
        return None
    return Member.objects.for_studio(studio).filter(pk=int(member_id), login_key=key).first()


@never_cache
def member_login(request: HttpRequest, studio: str) -> HttpResponse:
    """Asks for an e-mail address and mails a link, or says one went out within the hour (unknown: "sent")."""
    found = load_studio(studio)
    if _signed_in(request, found) is not None:
        return redirect("schedule:member_home", studio=found.slug)
    form = LinkForm(request.POST or None)
    context: dict[str, Any] = {"studio": found, "form": form}
    if request.method == "POST" and form.is_valid():
        answer = member_link_request(studio=found, email=form.cleaned_data["email"])
        context["sent"] = answer.outcome == LinkOutcome.SENT
        if answer.outcome == LinkOutcome.ALREADY_SENT and answer.again_at is not None:
            context["again_at"] = clock.local(answer.again_at, found.zone).strftime("%H:%M")
    return render(request, "schedule/member_login.html", context)


@never_cache
def member_enter(request: HttpRequest, studio: str, token: str) -> HttpResponse:
    """A link from the mail signs in once; the session it makes is what keeps the member in."""
    found = load_studio(studio)
    member = member_link_use(studio=found, token=token)
    if member is None:
        if _signed_in(request, found) is not None:  # the same link clicked again on the device it signed in
            return redirect("schedule:member_home", studio=found.slug)
        return render(
            request, "schedule/member_login.html", {"studio": found, "form": LinkForm(), "expired": True}
        )
    request.session.cycle_key()
    request.session[_session_key(found)] = f"{member.pk}.{member.login_key}"
    return redirect("schedule:member_home", studio=found.slug)


def member_or_login(request: HttpRequest, studio: str) -> tuple[Studio, Member | None]:
    """The studio and the member signed in there by their mailed link (None if nobody): every member page's door."""
    found = load_studio(studio)
    return found, _signed_in(request, found)


@never_cache
def member_home(request: HttpRequest, studio: str) -> HttpResponse:
    found, member = member_or_login(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    return render(request, "schedule/member_home.html", _home_context(found, member))


def _home_context(studio: Studio, member: Member) -> dict[str, Any]:
    rules = settings_for(studio)
    return {
        "studio": studio,
        "member": member,
        "standing": standing_of(member, clock.today(studio.zone)),
        "today": clock.today(studio.zone),
        "days": selectors.member_agenda(member),
        "cancel_hours": rules.cancel_hours,
    }


@require_POST
def member_action(request: HttpRequest, studio: str, session_id: int, action: str) -> HttpResponse:
    found, member = member_or_login(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    session = ClassSession.objects.for_studio(found).filter(pk=session_id).select_related("template").first()
    if session is None:
        raise Http404("No such session")
    if action not in MEMBER_ACTIONS:
        raise Http404("No such action")
    error = ""
    try:
        member_session_act(member=member, session=session, action=action)
    except AgendaError as exc:
        error = exc.reason
    if error:
        context = _home_context(found, member)
        listed = any(item.session.pk == session.pk for day in context["days"] for item in day.sessions)
        context.update(error=error, error_session=session.pk if listed else None)
        return render(request, "schedule/member_home.html", context, status=409)
    when = clock.spoken(session.starts_at, found.zone)
    done = {
        "boeken": f"Geboekt: {session.template.name}, {when}.",
        "afmelden": f"Afgemeld voor {session.template.name}, {when}.",
        "wachtlijst": f"Je staat op de wachtlijst voor {session.template.name}, {when}.",
        "van-de-wachtlijst": f"Je staat niet meer op de wachtlijst voor {session.template.name}.",
    }
    messages.success(request, done[action])
    return redirect(f"{reverse('schedule:member_home', kwargs={'studio': found.slug})}#les-{session.pk}")


@require_POST
def member_logout(request: HttpRequest, studio: str) -> HttpResponse:
    found = load_studio(studio)
    member = _signed_in(request, found)
    if member is not None:
        member_sign_out_everywhere(member=member)  # a link forwarded or left in an old mail stops working too
    request.session.pop(_session_key(found), None)
    return redirect("schedule:member_login", studio=found.slug)
