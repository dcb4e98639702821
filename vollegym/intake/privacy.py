"""What the intake keeps about a person, for export and erasure: intake answers (health too) and conversations."""

from __future__ import annotations

from typing import Any

from vollegym.intake.models import Booking, IntakeResponse
from vollegym.people.models import Person


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    responses = (
        IntakeResponse.objects.for_studio(person.studio_id).filter(person=person).order_by("created_at")
    )
    bookings = (
        Booking.objects.for_studio(person.studio_id).filter(person=person).select_related("kind", "coach")
    ).order_by("starts_at")
    return {
        "intakes": [
            {"id": r.pk, "started": _iso(r.created_at), "completed": _iso(r.completed_at), "answers": r.answers,
             "score": r.score, "temperature": r.temperature, "reasons": r.reasons}
            for r in responses
        ],
        "conversations": [
            {"id": b.pk, "kind": b.kind.name, "coach": b.coach.get_full_name(), "starts_at": _iso(b.starts_at),
             "status": b.status, "outcome": b.outcome, "lost_reason": b.lost_reason}
            for b in bookings
        ],
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    ids = Booking.objects.for_studio(person.studio_id).filter(person=person).values_list("pk", flat=True)
    return {f"booking:{pk}" for pk in ids}


def erase(person: Person, refs: set[str]) -> int:
    """Answers, reasons (they quote the answers) and the address's hash go; score and times stay for the counts."""
    studio_id = person.studio_id
    touched = (
        IntakeResponse.objects.for_studio(studio_id)
        .filter(person=person)
        .update(answers={}, reasons=[], ip_hash="")
    )
    touched += Booking.objects.for_studio(studio_id).filter(person=person).update(lost_reason="")
    return touched
