"""What the programs app keeps about a person, for export and erasure: the membership and its enrolments."""

from __future__ import annotations

from typing import Any

from vollegym.people.models import Person
from vollegym.programs.models import Enrolment, Member, new_member_key


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    members = list(Member.objects.for_studio(person.studio_id).filter(person=person))
    enrolments = (
        Enrolment.objects.for_studio(person.studio_id).filter(member__in=members).select_related("program")
    ).order_by("starts_on")
    return {
        "memberships": [{"id": m.pk, "since": _iso(m.created_at)} for m in members],
        "enrolments": [
            {"member": e.member_id, "program": e.program.name, "price_cents": e.price_cents,
             "starts_on": _iso(e.starts_on), "ends_on": _iso(e.ends_on), "status": e.status,
             "sessions_used": e.sessions_used, "first_payment_paid_at": _iso(e.first_payment_paid_at)}
            for e in enrolments
        ],
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    ids = Member.objects.for_studio(person.studio_id).filter(person=person).values_list("pk", flat=True)
    return {f"member:{pk}" for pk in ids}


def erase(person: Person, refs: set[str]) -> int:
    """Enrolments stay (revenue and retention counts, and the law keeps payment records); every sign-in link ends."""
    touched = 0
    for member in Member.objects.for_studio(person.studio_id).filter(person=person):
        member.login_key = new_member_key()
        member.save(update_fields=["login_key"])
        touched += 1
    return touched
