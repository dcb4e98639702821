"""The member's own corner: in by a link in their mail (no password), their sessions, book and cancel, the waitlist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.intake.views import load_studio
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.programs.models import Member
from vollegym.schedule import selectors
from vollegym.schedule.models import ClassSession, SessionBooking, WaitlistEntry
from vollegym.schedule.services import (
    LINK_DAYS,
    LINK_SALT,
    AgendaError,
    booking_cancel,
    may_book,
    member_link,
    member_sign_out_everywhere,
    session_book,
    settings_for,
    waitlist_join,
    waitlist_leave,
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
    """Asks for an e-mail address and mails a link; it says the same whether or not the address is known."""
    found = load_studio(studio)
    if _signed_in(request, found) is not None:
        return redirect("schedule:member_home", studio=found.slug)
    form = LinkForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        member = (
            Member.objects.for_studio(found)
            .filter(person__email=email)
            .select_related("person")
            .order_by("id")
            .first()
        )
        recent = (
            member is not None
            and Message.objects.for_studio(found)
            .filter(
                ref=f"member:{member.pk}",
                purpose="member_link",
                created_at__gt=clock.now() - timedelta(hours=1),
            )
            .exists()
        )
        if member is not None and not recent:  # at most one mail an hour, however often the form is sent
            moment = clock.now().strftime("%Y%m%d%H%M%S")
            message_queue(
                studio=found, channel=Message.Channel.EMAIL, person=member.person, purpose="member_link",
                key=f"member:{member.pk}:link:{moment}", ref=f"member:{member.pk}", reply_to=found.email,
                subject=f"Je rooster bij {found.name}",
                body=f"Hoi {first_name(member.name)},\n\nMet deze link kom je in je rooster bij "
                f"{found.name}, zonder wachtwoord. Hij werkt {LINK_DAYS} dagen:\n{member_link(member)}\n\n"
                f"Vroeg je hem niet aan? Dan kun je deze e-mail gewoon negeren.\n\nSportieve groet,\n{found.name}\n",
            )  # fmt: skip
        sent = True
    return render(request, "schedule/member_login.html", {"studio": found, "form": form, "sent": sent})


@never_cache
def member_enter(request: HttpRequest, studio: str, token: str) -> HttpResponse:
    found = load_studio(studio)
    try:
        value = signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=timedelta(days=LINK_DAYS))
        member_id, key = value.split(".", 1)
        member = Member.objects.for_studio(found).filter(pk=int(member_id), login_key=key).first()
    except (signing.BadSignature, ValueError):
        member = None
    if member is None:
        return render(
            request, "schedule/member_login.html", {"studio": found, "form": LinkForm(), "expired": True}
        )
    request.session.cycle_key()
    request.session[_session_key(found)] = f"{member.pk}.{member.login_key}"
    return redirect("schedule:member_home", studio=found.slug)


def _member_or_login(request: HttpRequest, studio: str) -> tuple[Studio, Member | None]:
    found = load_studio(studio)
    return found, _signed_in(request, found)


@never_cache
def member_home(request: HttpRequest, studio: str) -> HttpResponse:
    found, member = _member_or_login(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    return render(request, "schedule/member_home.html", _home_context(found, member))


def _home_context(studio: Studio, member: Member) -> dict[str, Any]:
    rules = settings_for(studio)
    return {
        "studio": studio,
        "member": member,
        "enrolment": selectors.current_enrolment(member),
        "days": selectors.member_agenda(member),
        "cancel_hours": rules.cancel_hours,
    }


@require_POST
def member_action(request: HttpRequest, studio: str, session_id: int, action: str) -> HttpResponse:
    found, member = _member_or_login(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    session = ClassSession.objects.for_studio(found).filter(pk=session_id).select_related("template").first()
    if session is None:
        raise Http404("No such session")
    error = ""
    try:
        if action in ("boeken", "wachtlijst") and not may_book(member, session):
            raise AgendaError(
                "Op die dag loopt er geen programma van je dat deze les omvat. Vraag de studio naar de mogelijkheden."
            )
        if action == "boeken":
            session_book(session=session, member=member)
        elif action == "afmelden":
            booking = (
                SessionBooking.objects.for_studio(found)
                .filter(session=session, member=member, status=SessionBooking.Status.BOOKED)
                .first()
            )
            if booking is None:
                raise AgendaError("Je stond niet ingeschreven voor deze les.")
            booking_cancel(booking=booking, by_member=True)
        elif action == "wachtlijst":
            waitlist_join(session=session, member=member)
        elif action == "van-de-wachtlijst":
            entry = (
                WaitlistEntry.objects.for_studio(found)
                .filter(session=session, member=member, status=WaitlistEntry.Status.WAITING)
                .first()
            )
            if entry is not None:
                waitlist_leave(entry=entry)
        else:
            raise Http404("No such action")
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
