"""What the agenda keeps about a person, for export: their mats, waitlist places and fixed places."""

from __future__ import annotations

from typing import Any

from vollegym.people.models import Person
from vollegym.schedule.models import SessionBooking


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    bookings = (
        SessionBooking.objects.for_studio(person.studio_id)
        .filter(person=person)
        .select_related("session__template")
        .order_by("session__starts_at")
    )
    return {
        "sessions": [
            {"class": b.session.template.name, "starts_at": _iso(b.session.starts_at), "status": b.status,
             "via": b.via, "booked_at": _iso(b.created_at)}
            for b in bookings
        ]
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    return set()


def erase(person: Person, refs: set[str]) -> int:
    """Mats hold no name or address: they stay, so fill rates and attendance stay right."""
    return 0
