"""What the WhatsApp inbox keeps about a person, for export and erasure: the messages they sent us, and Meta's raw
deliveries that carry their number, name and words."""

from __future__ import annotations

from typing import Any

from vollegym.core import clock
from vollegym.inbox.models import Conversation, InboundMessage, WhatsAppDelivery
from vollegym.messaging.models import WhatsAppSettings
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
    """The person's WhatsApp messages keep only that they were there; the conversation forgets its last line; the
    raw deliveries to the studio's number that hold their number are emptied (kept as rows until the sweep)."""
    studio_id = person.studio_id
    touched = Conversation.objects.for_studio(studio_id).filter(person=person).update(last_text="", unread=0)
    touched += InboundMessage.objects.for_studio(studio_id).filter(person=person).update(text="")
    return touched + _raw_deliveries_erase(person)


def _raw_deliveries_erase(person: Person) -> int:
    # Meta writes the number as digits without "+" (31612345678), as the sender of a message and as the recipient of
    # a status; a delivery names the studio only by its number id. A delivery is not owned by a studio (which one it
    # is for is in its content), so this is a crossing, narrowed to this studio's number ids.
    digits = person.phone.removeprefix("+")
    if not digits.isdigit():
        return 0
    number_ids = set(
        WhatsAppSettings.objects.for_studio(person.studio_id).values_list("phone_number_id", flat=True)
    )
    touched = 0
    for number_id in number_ids:
        holding = WhatsAppDelivery.objects.filter(payload__icontains=f'"{digits}"').filter(
            payload__icontains=f'"{number_id}"'
        )
        # One not read yet is not read any more: it would bring back what was just erased.
        holding.filter(status=WhatsAppDelivery.Status.PENDING).update(
            status=WhatsAppDelivery.Status.FAILED, processed_at=clock.now()
        )
        touched += holding.update(payload={"erased": True}, error="emptied: a person it was about was erased")
    return touched
