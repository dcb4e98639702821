"""What the people app itself keeps about a person, for export and erasure (AVG articles 15, 17 and 20)."""

from __future__ import annotations

from typing import Any

from vollegym.people.models import ConsentEntry, DomainEvent, Person


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    consents = ConsentEntry.objects.for_studio(person.studio_id).filter(person=person).order_by("at", "id")
    events = DomainEvent.objects.for_studio(person.studio_id).filter(person=person).order_by("at", "id")
    return {
        "consents": [
            {"purpose": c.purpose, "given": c.given, "how": c.how, "source": c.source, "wording": c.wording,
             "wording_version": c.wording_version, "at": _iso(c.at)}
            for c in consents
        ],
        "events": [{"kind": e.kind, "at": _iso(e.at), "payload": e.payload} for e in events],
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    return set()


def erase(person: Person, refs: set[str]) -> int:
    """The ledger stays (it proves what was agreed, and holds no name); free text in event payloads goes."""
    touched = 0
    for event in DomainEvent.objects.for_studio(person.studio_id).filter(person=person):
        if event.payload.get("lost_reason"):
            event.payload = {**event.payload, "lost_reason": ""}
            event.save(update_fields=["payload"])
            touched += 1
    return touched
