"""What the outbox keeps about a person, for export and erasure: messages to them, and staff notices about them."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, Q, Value, When

from vollegym.messaging.models import Message
from vollegym.people.models import Person


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    messages = Message.objects.for_studio(person.studio_id).filter(person=person).order_by("created_at", "id")
    return {
        "messages": [
            {"channel": m.channel, "to": m.to, "subject": m.subject, "body": m.body, "status": m.status,
             "created_at": _iso(m.created_at), "sent_at": _iso(m.sent_at)}
            for m in messages
        ]
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    return set()


def erase(person: Person, refs: set[str]) -> int:
    """Every message to the person, and every notice to staff about them (it names them), keeps only its facts."""
    about = Q(person=person) | Q(ref__in=refs) if refs else Q(person=person)
    return (
        Message.objects.for_studio(person.studio_id)
        .filter(about)
        .update(
            to="",
            subject="",
            body="",
            url="",
            template_params=[],
            attachments=[],
            last_error="",
            status=Case(
                When(
                    status__in=[Message.Status.QUEUED, Message.Status.SENDING],
                    then=Value(Message.Status.CANCELLED),
                ),
                default=F("status"),
            ),
        )
    )
