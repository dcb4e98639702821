"""Reads of the WhatsApp inbox: the conversations, one thread, what is unread, the templates a coach may send.

The 24-hour window itself is the people app's (`whatsapp_window_open`): the outbox checks it with the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vollegym.inbox.models import Conversation, InboundMessage
from vollegym.messaging.models import Message, WhatsAppSettings
from vollegym.people.models import Person
from vollegym.studios.models import Studio

if TYPE_CHECKING:
    from vollegym.leads.models import Lead


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


def unread_total(studio: Studio | int) -> int:
    """How many WhatsApp messages in the studio's conversations nobody has read yet (for the navigation)."""
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


def thread(person: Person, *, limit: int = 200) -> list[Line]:
    """The person's WhatsApp messages both ways, oldest first (the latest `limit`), each outgoing one with what
    became of it: the conversation page and the member's page show this one list."""
    studio_id = person.studio_id
    lines = [
        Line(at=m.sent_at, inbound=True, text=m.text, kind=m.kind)
        for m in InboundMessage.objects.for_studio(studio_id)
        .filter(person=person)
        .order_by("-sent_at", "-pk")[:limit]
    ]
    outgoing = (
        Message.objects.for_studio(studio_id)
        .filter(person=person, channel=Message.Channel.WHATSAPP)
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
                error=error_label(m.last_error) if status in ("failed", "cancelled") else "",
            )
        )
    lines.sort(key=lambda line: line.at)
    return lines[-limit:]


# What `status_apply` keeps on a message Meta reports undelivered, followed by Meta's own code and title.
UNDELIVERED = "WhatsApp reported it undelivered: "
_KEPT_AS: dict[str, Promise] = {
    "not sent: whatsapp withdrawn": gettext_lazy("de persoon wil geen WhatsApp-berichten meer"),
    "not sent: contact withdrawn": gettext_lazy("de persoon wil geen contact meer"),
    "not sent: the studio is switched off": gettext_lazy("de studio staat uit"),
    "called off before it was due": gettext_lazy("afgeblazen voordat het weg moest"),
}
_GAVE_UP = re.compile(r"gave up after ([0-9]+) attempts: (.*)", re.DOTALL)


def error_label(last_error: str) -> str:
    """Why an outgoing WhatsApp message did not arrive, as staff read it; the outbox keeps it in English, for the
    log, so it is put in words here (what is not known here is shown as it was kept)."""
    from vollegym.messaging.bulk import refusal_label

    error = last_error.strip()
    if error.startswith(UNDELIVERED):
        return _("WhatsApp kon het niet bezorgen (%(detail)s)") % {"detail": error.removeprefix(UNDELIVERED)}
    if error in _KEPT_AS:
        return str(_KEPT_AS[error])
    if error.startswith("not sent: "):
        return refusal_label(error)
    gave_up = _GAVE_UP.fullmatch(error)
    if gave_up:
        return _("na %(n)s pogingen opgegeven (%(detail)s)") % {"n": gave_up[1], "detail": gave_up[2]}
    return error


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
            config.ack_template,
            _("%(template)s (bevestiging aanvraag)") % {"template": config.ack_template},
            ("first_name", "studio"),
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
