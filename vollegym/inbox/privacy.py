"""What the WhatsApp inbox keeps about a person, for export and erasure: the messages they sent us."""

from __future__ import annotations

from typing import Any

from vollegym.inbox.models import Conversation, InboundMessage
from vollegym.people.models import Person


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    received = (
        InboundMessage.objects.for_studio(person.studio_id).filter(person=person).order_by("sent_at", "id")
    )
    return {
        "whatsapp_received": [
            {"kind": m.kind, "text": m.text, "sent_at": m.sent_at.isoformat()} for m in received
        ]
    }


def refs(person: Person) -> set[str]:
    return set()


def erase(person: Person, refs: set[str]) -> int:
    """The person's WhatsApp messages keep only that they were there; the conversation forgets its last line."""
    Conversation.objects.for_studio(person.studio_id).filter(person=person).update(last_text="", unread=0)
    return InboundMessage.objects.for_studio(person.studio_id).filter(person=person).update(text="")
