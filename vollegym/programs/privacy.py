"""What the programs app keeps about a person, for export and erasure: the membership, its enrolments, pauses,
cancellations, renewal conversations and the message after leaving. Erasure removes their own words (a reason, a
note); the dates stay, for the studio's counts."""

from __future__ import annotations

from typing import Any

from vollegym.people.models import Person
from vollegym.programs.models import (
    Cancellation,
    Enrolment,
    Member,
    Pause,
    RenewalTalk,
    WinBack,
    new_member_key,
)


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
        "pauses": [
            {"enrolment": p.enrolment_id, "starts_on": _iso(p.starts_on), "ends_on": _iso(p.ends_on),
             "reason": p.reason, "by_member": p.by_member, "withdrawn_at": _iso(p.withdrawn_at)}
            for p in Pause.objects.for_studio(person.studio_id).filter(member__in=members).order_by("starts_on")
        ],
        "cancellations": [
            {"enrolment": c.enrolment_id, "at": _iso(c.created_at), "member_until": _iso(c.effective_on),
             "rule": c.rule, "reason": c.reason, "reason_text": c.reason_text, "by_member": c.by_member}
            for c in Cancellation.objects.for_studio(person.studio_id).filter(member__in=members).order_by("id")
        ],
        "renewal_talks": [
            {"enrolment": t.enrolment_id, "planned_at": _iso(t.planned_at), "status": t.status,
             "reason": t.reason, "note": t.note}
            for t in RenewalTalk.objects.for_studio(person.studio_id).filter(member__in=members).order_by("id")
        ],
        "win_backs": [
            {"enrolment": w.enrolment_id, "sent_at": _iso(w.sent_at), "refused": w.refused}
            for w in WinBack.objects.for_studio(person.studio_id).filter(member__in=members).order_by("id")
        ],
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    ids = Member.objects.for_studio(person.studio_id).filter(person=person).values_list("pk", flat=True)
    return {f"member:{pk}" for pk in ids}


def erase(person: Person, refs: set[str]) -> int:
    """Enrolments stay (revenue and retention counts, and the law keeps payment records); every sign-in link ends;
    the person's own words go (a pause's or cancellation's reason, a renewal conversation's note)."""
    members = Member.objects.for_studio(person.studio_id).filter(person=person).values("pk")
    touched = (
        Pause.objects.for_studio(person.studio_id)
        .filter(member__in=members)
        .exclude(reason="")
        .update(reason="")
    )
    touched += (
        Cancellation.objects.for_studio(person.studio_id)
        .filter(member__in=members)
        .exclude(reason_text="")
        .update(reason_text="")
    )
    touched += (
        RenewalTalk.objects.for_studio(person.studio_id)
        .filter(member__in=members)
        .exclude(note="")
        .update(note="")
    )
    for member in Member.objects.for_studio(person.studio_id).filter(person=person):
        member.login_key = new_member_key()
        member.save(update_fields=["login_key"])
        touched += 1
    return touched
