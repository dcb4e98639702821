"""What the retention app keeps about a person, for export and erasure: the ratings they were asked for, and the
outreach of coaches when they were at risk of stopping.

Onboarding steps and activation checks hold no words of the person's own; a rating's comment and an outreach's note
do, so erasure removes them. The score and the contact stay, no longer tied to a name, for the studio's counts.
"""

from __future__ import annotations

from typing import Any

from vollegym.people.models import Person
from vollegym.programs.models import Member
from vollegym.retention.models import Outreach, Rating
from vollegym.retention.outreach import outreach_forget_notes
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
        ],
        "outreach": [
            {"at": _iso(o.at), "way": o.way, "outcome": o.outcome, "note": o.note, "score": o.score,
             "reasons": o.reasons}
            for o in Outreach.objects.for_studio(person.studio_id)
            .filter(member__in=_members(person)).order_by("at", "id")
        ],
    }  # fmt: skip


def _members(person: Person) -> list[int]:
    return list(
        Member.objects.for_studio(person.studio_id).filter(person=person).values_list("pk", flat=True)
    )


def refs(person: Person) -> set[str]:
    return set()


def erase(person: Person, refs: set[str]) -> int:
    return ratings_forget_comments(person_id=person.pk, studio_id=person.studio_id) + outreach_forget_notes(
        member_ids=_members(person), studio_id=person.studio_id
    )
