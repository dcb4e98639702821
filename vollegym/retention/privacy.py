"""What the retention app keeps about a person, for export and erasure: the ratings they were asked for.

Onboarding steps and activation checks hold no words of the person's own; a rating's comment does, so erasure
removes it. The score stays, no longer tied to a name, for the studio's NPS counts.
"""

from __future__ import annotations

from typing import Any

from vollegym.people.models import Person
from vollegym.retention.models import Rating
from vollegym.retention.ratings import ratings_forget_comments


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    ratings = Rating.objects.for_studio(person.studio_id).filter(person=person).order_by("asked_at", "id")
    return {
        "ratings": [
            {"moment": r.moment, "asked_at": _iso(r.asked_at), "score": r.score, "comment": r.comment,
             "answered_at": _iso(r.answered_at)}
            for r in ratings
        ]
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    return set()


def erase(person: Person, refs: set[str]) -> int:
    return ratings_forget_comments(person_id=person.pk, studio_id=person.studio_id)
