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
        .update(answers={}, reasons=[], ip_hash="", health_flags=[])
    )
    touched += Booking.objects.for_studio(studio_id).filter(person=person).update(lost_reason="")
    return touched


def withdraw(person: Person, purpose: str) -> int:
    """Health data withdrawn: the answers of every health step go, from the intakes and from the lead's copy."""
    from vollegym.leads.services import lead_answers_merge
    from vollegym.people.models import Purpose

    if purpose != Purpose.HEALTH:
        return 0
    touched = 0
    responses = (
        IntakeResponse.objects.for_studio(person.studio_id)
        .filter(person=person)
        .select_related("version", "lead")
    )
    for response in responses:
        sensitive = [q for step in response.version.content.steps if step.sensitive for q in step.questions]
        keys = {q.key for q in sensitive}
        if not keys & set(response.answers) and not response.health_flags:
            continue
        response.answers = {k: v for k, v in response.answers.items() if k not in keys}
        response.health_flags = []
        response.save(update_fields=["answers", "health_flags", "updated_at"])
        lead_answers_merge(lead=response.lead, answers={}, forget=[q.label for q in sensitive])
        touched += 1
    return touched
