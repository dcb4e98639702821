"""Reads of the WhatsApp inbox: the window, the conversations, one thread, the templates a coach may send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from vollegym.inbox.models import Conversation, InboundMessage
from vollegym.messaging.models import Message, WhatsAppSettings
from vollegym.people.models import Person
from vollegym.people.selectors import WHATSAPP_WINDOW
from vollegym.studios.models import Studio

if TYPE_CHECKING:
    from vollegym.leads.models import Lead


def whatsapp_window_open(person: Person, now: datetime) -> bool:
    """Whether free text may go to the person now: within 24 hours of their own last WhatsApp message."""
    return person.last_inbound_at is not None and now - person.last_inbound_at < WHATSAPP_WINDOW


def window_closes_at(person: Person) -> datetime | None:
    return person.last_inbound_at + WHATSAPP_WINDOW if person.last_inbound_at else None


def conversations_for(studio: Studio, *, show: str = "open") -> QuerySet[Conversation]:
    """The studio's conversations, unread first and then the latest; `show` is open, mine-less, or all."""
    found = Conversation.objects.for_studio(studio).select_related("person", "assigned_to")
    if show == "open":
        found = found.filter(is_open=True)
    return found.order_by("-unread", "-last_message_at", "-pk")


def conversation_of(studio: Studio, conversation_id: int) -> Conversation | None:
    return (
        Conversation.objects.for_studio(studio)
        .select_related("person", "assigned_to", "studio")
        .filter(pk=conversation_id)
        .first()
    )


def conversation_for_person(studio: Studio, person_id: int) -> Conversation | None:
    return Conversation.objects.for_studio(studio).filter(person_id=person_id).first()


def unread_total(studio: Studio) -> int:
    from django.db.models import Sum

    return int(Conversation.objects.for_studio(studio).aggregate(n=Sum("unread"))["n"] or 0)


@dataclass(frozen=True)
class Line:
    """One message of a thread, in or out."""

    at: datetime
    inbound: bool
    text: str
    kind: str = "text"
    status: str = ""  # out only: the outbox's status, or Meta's delivery report
    status_label: str = ""
    template: str = ""
    error: str = ""


def thread(conversation: Conversation, *, limit: int = 200) -> list[Line]:
    """The conversation's messages both ways, oldest first (the latest `limit`)."""
    studio_id = conversation.studio_id
    lines = [
        Line(at=m.sent_at, inbound=True, text=m.text, kind=m.kind)
        for m in InboundMessage.objects.for_studio(studio_id)
        .filter(conversation=conversation)
        .order_by("-sent_at", "-pk")[:limit]
    ]
    outgoing = (
        Message.objects.for_studio(studio_id)
        .filter(person_id=conversation.person_id, channel=Message.Channel.WHATSAPP)
        .order_by("-created_at", "-pk")[:limit]
    )
    for m in outgoing:
        if m.delivery:
            status, label = m.delivery, m.get_delivery_display()
        else:
            status, label = m.status, m.get_status_display()
        lines.append(
            Line(
                at=m.sent_at or m.created_at,
                inbound=False,
                text=m.body,
                status=status,
                status_label=str(label),
                template=m.template,
                error=m.last_error if status in ("failed", "cancelled") else "",
            )
        )
    lines.sort(key=lambda line: line.at)
    return lines[-limit:]


@dataclass(frozen=True)
class Template:
    """A template Meta approved, with what fills it in: {{1}} first name, {{2}} coach, {{3}} studio."""

    name: str
    label: str
    fields: tuple[str, ...]

    def params(self, **values: str) -> list[str]:
        return [values[f] for f in self.fields]


def approved_templates(studio: Studio) -> dict[str, Template]:
    """The studio's approved templates a coach may send outside the window: the lead confirmation and the
    templates of its WhatsApp touchpoints (as the sequences send them)."""
    from vollegym.retention.models import Touchpoint

    found: dict[str, Template] = {}
    config = WhatsAppSettings.objects.for_studio(studio).filter(is_active=True).first()
    if config is None:
        return found
    if config.ack_template:
        found[config.ack_template] = Template(
            config.ack_template, f"{config.ack_template} (bevestiging aanvraag)", ("first_name", "studio")
        )
    touchpoints: Any = (
        Touchpoint.objects.for_studio(studio)
        .filter(kind=Touchpoint.Kind.WHATSAPP)
        .exclude(template="")
        .order_by("template")
        .values_list("template", "title")
    )
    for name, title in touchpoints:
        found.setdefault(name, Template(name, f"{name} ({title})", ("first_name", "coach", "studio")))
    return found


def open_lead_of(person: Person) -> Lead | None:
    """The person's open lead, if any: where a WhatsApp message shows up on a lead's timeline."""
    from vollegym.leads.models import Lead

    return (
        Lead.objects.for_studio(person.studio_id).open().filter(person=person).order_by("-created_at").first()
    )
