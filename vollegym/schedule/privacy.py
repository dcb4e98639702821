"""What the agenda keeps about a person, for export: their mats, waitlist places, fixed places and PT trainings."""

from __future__ import annotations

from typing import Any

from django.db.models import Subquery

from vollegym.people.models import Person
from vollegym.programs.models import Member
from vollegym.schedule.models import FixedSlot, PersonalSession, SessionBooking, WaitlistEntry


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    bookings = (
        SessionBooking.objects.for_studio(person.studio_id)
        .filter(person=person)
        .select_related("session__template")
        .order_by("session__starts_at")
    )
    # Waitlist places and fixed places hang on the membership; a person may have had more than one.
    members = Member.objects.for_studio(person.studio_id).filter(person=person).values_list("pk", flat=True)
    waiting = (
        WaitlistEntry.objects.for_studio(person.studio_id)
        .filter(member__in=Subquery(members))
        .select_related("session__template")
        .order_by("created_at")
    )
    fixed = (
        FixedSlot.objects.for_studio(person.studio_id)
        .filter(member__in=Subquery(members))
        .select_related("template")
        .order_by("first_day")
    )
    personal = (
        PersonalSession.objects.for_studio(person.studio_id).filter(person=person).order_by("starts_at")
    )
    return {
        "personal_training": [
            {"starts_at": _iso(p.starts_at), "status": p.status, "recorded_at": _iso(p.created_at)} for p in personal
        ],
        "sessions": [
            {"class": b.session.template.name, "starts_at": _iso(b.session.starts_at), "status": b.status,
             "via": b.via, "booked_at": _iso(b.created_at)}
            for b in bookings
        ],
        "waitlist": [
            {"class": w.session.template.name, "starts_at": _iso(w.session.starts_at), "status": w.status,
             "since": _iso(w.created_at), "promoted_at": _iso(w.promoted_at)}
            for w in waiting
        ],
        "fixed_places": [
            {"class": f.template.name, "weekday": f.template.weekday, "starts": _iso(f.template.starts),
             "from": _iso(f.first_day), "until": _iso(f.last_day)}
            for f in fixed
        ],
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    return set()


def erase(person: Person, refs: set[str]) -> int:
    """Mats hold no name or address: they stay, so fill rates and attendance stay right."""
    return 0
