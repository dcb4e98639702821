"""The shared WhatsApp inbox: thin views over the inbox services."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.inbox import selectors
from vollegym.inbox.forms import WhatsAppSettingsForm
from vollegym.inbox.models import Conversation
from vollegym.inbox.services import (
    InboxError,
    conversation_assign,
    conversation_for,
    conversation_mark_read,
    conversation_reply,
)
from vollegym.messaging.selectors import token_hint, whatsapp_settings_of
from vollegym.messaging.services import (
    WhatsAppSettingsError,
    whatsapp_settings_remove,
    whatsapp_settings_save,
)
from vollegym.people.models import Person, Purpose
from vollegym.people.selectors import consent_state, whatsapp_window_closes_at, whatsapp_window_open
from vollegym.studios.access import studio_of, studio_view, user_of
from vollegym.studios.models import StaffMembership
from vollegym.studios.selectors import team_choices, team_user

OWNERS = frozenset({StaffMembership.Role.OWNER})


def _conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    found = selectors.conversation_of(studio_of(request), conversation_id)
    if found is None:
        raise Http404("No such conversation")
    return found


@studio_view()
def inbox(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    show = "all" if request.GET.get("toon") == "alle" else "open"
    conversations = list(selectors.conversations_for(studio, show=show)[:200])
    now = clock.now()
    rows = [(c, whatsapp_window_open(c.person, now)) for c in conversations]
    return render(
        request,
        "inbox/inbox.html",
        {"studio": studio, "rows": rows, "show": show, "nav": "berichten"},
    )


@studio_view()
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    found = _conversation(request, conversation_id)
    if found.unread:
        conversation_mark_read(conversation=found)
    return _render(request, found)


def _render(request: HttpRequest, found: Conversation, *, text: str = "", status: int = 200) -> HttpResponse:
    studio = studio_of(request)
    person = found.person
    now = clock.now()
    return render(
        request,
        "inbox/conversation.html",
        {
            "studio": studio,
            "conversation": found,
            "person": person,
            "lines": selectors.thread(person),
            "window_open": whatsapp_window_open(person, now),
            "window_closes_at": whatsapp_window_closes_at(person),
            "consent": consent_state(person, studio.pk)[Purpose.WHATSAPP],
            "templates": list(selectors.approved_templates(studio).values()),
            "team": team_choices(studio),
            "key": uuid.uuid4().hex,
            "text": text,
            "lead": selectors.open_lead_of(person),
            "nav": "berichten",
        },
        status=status,
    )


@studio_view()
@require_POST
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    found = _conversation(request, conversation_id)
    text = request.POST.get("text", "")[:5000]
    try:
        conversation_reply(
            conversation=found, by=user_of(request), key=request.POST.get("key", ""), text=text,
            template=request.POST.get("template", "")[:120],
        )  # fmt: skip
    except InboxError as exc:
        messages.error(request, str(exc))
        return _render(request, found, text=text, status=400)
    return redirect("inbox:conversation", studio=studio_of(request).slug, conversation_id=found.pk)


@studio_view()
@require_POST
def assign(request: HttpRequest, conversation_id: int) -> HttpResponse:
    studio = studio_of(request)
    found = _conversation(request, conversation_id)
    chosen = request.POST.get("to", "")
    to = team_user(studio, chosen) if chosen else None
    if chosen and to is None:
        messages.error(request, _("Kies iemand van het team van deze studio."))
        return _render(request, found, status=400)
    try:
        conversation_assign(conversation=found, to=to)
    except InboxError as exc:
        messages.error(request, str(exc))
        return _render(request, found, status=400)
    return redirect("inbox:conversation", studio=studio.slug, conversation_id=found.pk)


@studio_view()
@require_POST
def mark_read(request: HttpRequest, conversation_id: int) -> HttpResponse:
    found = _conversation(request, conversation_id)
    conversation_mark_read(conversation=found)
    return redirect("inbox:list", studio=studio_of(request).slug)


@studio_view()
def for_person(request: HttpRequest, person_id: int) -> HttpResponse:
    """The conversation with a person (from the lead or member page); a new, empty one when there is none yet."""
    studio = studio_of(request)
    person = Person.objects.for_studio(studio).filter(pk=person_id, erased_at__isnull=True).first()
    if person is None:
        raise Http404("No such person")
    found = conversation_for(person=person)
    return redirect("inbox:conversation", studio=studio.slug, conversation_id=found.pk)


@never_cache
@studio_view(roles=OWNERS)
def settings_page(request: HttpRequest) -> HttpResponse:
    """The owner connects the studio's WhatsApp number; the token is kept, and shown again only by its last signs."""
    studio = studio_of(request)
    current = whatsapp_settings_of(studio)
    if request.method == "POST" and request.POST.get("action") == "ontkoppelen":
        whatsapp_settings_remove(studio=studio)
        messages.success(
            request, _("WhatsApp is ontkoppeld: er gaat niets meer via WhatsApp en er komt niets binnen.")
        )
        return redirect("inbox:settings", studio=studio.slug)
    sent = request.POST if request.method == "POST" else None
    form = WhatsAppSettingsForm(sent, initial=WhatsAppSettingsForm.initial_of(current))
    if request.method == "POST" and form.is_valid():
        try:
            whatsapp_settings_save(studio=studio, **form.cleaned_data)
        except WhatsAppSettingsError as exc:
            form.add_error(exc.field, exc.reason)
        else:
            messages.success(request, _("De WhatsApp-koppeling is bewaard."))
            return redirect("inbox:settings", studio=studio.slug)
    return render(
        request,
        "inbox/settings.html",
        {
            "studio": studio, "form": form, "current": current,
            "hint": token_hint(current.token) if current is not None else "",
            "webhook_url": request.build_absolute_uri(reverse("inbox_hooks:whatsapp")), "nav": "berichten",
        },
        status=400 if form.is_bound else 200,
    )  # fmt: skip
