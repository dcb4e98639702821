"""Domain events for history written before there were events (and for the demo, which writes rows in bulk).

Works on an app registry (`django.apps.apps`, or a migration's historical `apps`), so it names other apps' models
by label and imports none of them. Each kind is only derived for a studio that has no event of that kind yet (the
demo makes its prices through the service, say), so running it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

BATCH = 1000

BOOKED = ("intake_booked", "intake_held", "no_show", "won")
PERSONAL = ("call", "whatsapp", "email", "in_person")


def _event(
    studio_id: int, kind: str, at: datetime, payload: dict[str, Any], *, person_id: int | None,
    lead_id: int | None = None, by_id: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {
        "studio_id": studio_id, "kind": kind, "version": 1, "at": at, "payload": payload, "person_id": person_id,
        "lead_id": lead_id, "by_id": by_id,
    }  # fmt: skip


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _leads(apps: Any, studio_id: int) -> Iterator[dict[str, Any]]:
    Lead = apps.get_model("leads", "Lead")
    Activity = apps.get_model("leads", "Activity")
    first_channel: dict[int, str] = {}
    for lead_id, kind in (
        Activity._base_manager.filter(studio_id=studio_id, kind__in=PERSONAL)
        .order_by("-at", "-id")
        .values_list("lead_id", "kind")
    ):
        first_channel[lead_id] = kind
    seen_people: set[int] = set()
    for lead in Lead._base_manager.filter(studio_id=studio_id, is_test=False).order_by("created_at", "id"):
        returning = lead.person_id in seen_people
        seen_people.add(lead.person_id)
        yield _event(studio_id, "lead.captured", lead.created_at,
                     {"lead_id": lead.pk, "source": lead.source, "campaign": lead.campaign, "returning": returning},
                     person_id=lead.person_id, lead_id=lead.pk)  # fmt: skip
        if lead.first_contact_at is not None:
            seconds = max(int((lead.first_contact_at - lead.created_at).total_seconds()), 0)
            yield _event(studio_id, "lead.first_contact", lead.first_contact_at,
                         {"lead_id": lead.pk, "channel": first_channel.get(lead.pk, "call"), "seconds": seconds},
                         person_id=lead.person_id, lead_id=lead.pk, by_id=lead.first_contact_by_id)  # fmt: skip
        if lead.escalated_at is not None:
            yield _event(studio_id, "lead.escalated", lead.escalated_at, {"lead_id": lead.pk},
                         person_id=lead.person_id, lead_id=lead.pk)  # fmt: skip
    person_of = dict(Lead._base_manager.filter(studio_id=studio_id).values_list("pk", "person_id"))
    before: dict[int, str] = {}
    for activity in Activity._base_manager.filter(studio_id=studio_id, kind="stage").order_by("at", "id"):
        after = activity.data.get("stage") if isinstance(activity.data, dict) else None
        if not after:
            continue
        yield _event(studio_id, "lead.stage_changed", activity.at,
                     {"lead_id": activity.lead_id, "before": before.get(activity.lead_id, "new"), "after": after,
                      "lost_reason": ""},
                     person_id=person_of.get(activity.lead_id), lead_id=activity.lead_id,
                     by_id=activity.by_id)  # fmt: skip
        before[activity.lead_id] = after


def _conversations(apps: Any, studio_id: int) -> Iterator[dict[str, Any]]:
    IntakeResponse = apps.get_model("intake", "IntakeResponse")
    Booking = apps.get_model("intake", "Booking")
    for r in IntakeResponse._base_manager.filter(studio_id=studio_id, completed_at__isnull=False):
        yield _event(studio_id, "intake.completed", r.completed_at,
                     {"lead_id": r.lead_id, "response_id": r.pk, "score": r.score, "temperature": r.temperature,
                      "red_flags": 0},
                     person_id=r.person_id, lead_id=r.lead_id)  # fmt: skip
    for b in Booking._base_manager.filter(studio_id=studio_id).order_by("created_at", "id"):
        yield _event(studio_id, "conversation.booked", b.created_at,
                     {"lead_id": b.lead_id, "booking_id": b.pk, "starts_at": _iso(b.starts_at), "moved": False},
                     person_id=b.person_id, lead_id=b.lead_id)  # fmt: skip
        if b.status == "cancelled":
            yield _event(studio_id, "conversation.cancelled", b.cancelled_at or b.created_at,
                         {"lead_id": b.lead_id, "booking_id": b.pk}, person_id=b.person_id,
                         lead_id=b.lead_id)  # fmt: skip
        elif b.status in ("showed", "no_show"):
            yield _event(studio_id, "conversation.recorded", b.recorded_at or b.ends_at,
                         {"lead_id": b.lead_id, "booking_id": b.pk, "status": b.status, "outcome": b.outcome,
                          "lost_reason": b.lost_reason},
                         person_id=b.person_id, lead_id=b.lead_id, by_id=b.recorded_by_id)  # fmt: skip


def _members(apps: Any, studio_id: int) -> Iterator[dict[str, Any]]:
    Member = apps.get_model("programs", "Member")
    Enrolment = apps.get_model("programs", "Enrolment")
    ProgramPrice = apps.get_model("programs", "ProgramPrice")
    person_of = dict(Member._base_manager.filter(studio_id=studio_id).values_list("pk", "person_id"))
    for e in Enrolment._base_manager.filter(studio_id=studio_id).order_by("created_at", "id"):
        yield _event(studio_id, "member.enrolled", e.created_at,
                     {"member_id": e.member_id, "enrolment_id": e.pk, "program_id": e.program_id,
                      "price_cents": e.price_cents, "starts_on": _iso(e.starts_on), "renewal_of": e.renewal_of_id},
                     person_id=person_of.get(e.member_id), by_id=e.created_by_id)  # fmt: skip
        if e.first_payment_paid_at is not None:
            yield _event(studio_id, "member.first_payment", e.first_payment_paid_at,
                         {"member_id": e.member_id, "enrolment_id": e.pk, "amount_cents": e.first_payment_cents},
                         person_id=person_of.get(e.member_id))  # fmt: skip
    for p in ProgramPrice._base_manager.filter(studio_id=studio_id).order_by("created_at", "id"):
        yield _event(studio_id, "program.price_changed", p.created_at,
                     {"program_id": p.program_id, "amount_cents": p.amount_cents,
                      "effective_from": _iso(p.effective_from)},
                     person_id=None, by_id=p.created_by_id)  # fmt: skip


def _sessions(apps: Any, studio_id: int) -> Iterator[dict[str, Any]]:
    SessionBooking = apps.get_model("schedule", "SessionBooking")
    rows = SessionBooking._base_manager.filter(studio_id=studio_id).select_related("session").order_by("id")
    for b in rows.iterator(chunk_size=BATCH):
        ids = {"member_id": b.member_id, "session_id": b.session_id, "booking_id": b.pk}
        yield _event(studio_id, "session.booked", b.created_at, {**ids, "via": b.via}, person_id=b.person_id)
        if b.status == "cancelled":
            yield _event(
                studio_id, "session.cancelled", b.cancelled_at or b.created_at, ids, person_id=b.person_id
            )
        elif b.status in ("attended", "no_show"):
            at = b.session.starts_at + timedelta(minutes=5)
            yield _event(studio_id, "session.marked", at, {**ids, "status": b.status}, person_id=b.person_id,
                         by_id=b.marked_by_id)  # fmt: skip


def _consents(apps: Any, studio_id: int) -> Iterator[dict[str, Any]]:
    ConsentEntry = apps.get_model("people", "ConsentEntry")
    for c in ConsentEntry._base_manager.filter(studio_id=studio_id).order_by("at", "id"):
        yield _event(studio_id, "consent.changed", c.at, {"purpose": c.purpose, "given": c.given, "how": c.how},
                     person_id=c.person_id, by_id=c.by_id)  # fmt: skip


# Which kinds each part writes: a part runs only where none of its kinds exist yet for the studio.
_PARTS = (
    (_leads, ("lead.captured", "lead.first_contact", "lead.escalated", "lead.stage_changed")),
    (
        _conversations,
        ("intake.completed", "conversation.booked", "conversation.cancelled", "conversation.recorded"),
    ),
    (_members, ("member.enrolled", "member.first_payment", "program.price_changed")),
    (_sessions, ("session.booked", "session.cancelled", "session.marked")),
    (_consents, ("consent.changed",)),
)


DERIVED = frozenset(kind for _part, kinds in _PARTS for kind in kinds)


def events_backfill(apps: Any, studio_ids: list[int] | None = None, *, replace: bool = False) -> int:
    """Derives the events of existing history; returns how many were written.

    `replace`: first drop the derivable events already there (the demo: its history is written in bulk, with a
    few rows through the services in between, so deriving the whole of it again is the only way to get each once).
    """
    Studio = apps.get_model("studios", "Studio")
    DomainEvent = apps.get_model("people", "DomainEvent")
    written = 0
    for studio_id in studio_ids or list(Studio._base_manager.values_list("pk", flat=True)):
        if replace:
            DomainEvent._base_manager.filter(studio_id=studio_id, kind__in=DERIVED).delete()
        present = set(
            DomainEvent._base_manager.filter(studio_id=studio_id).values_list("kind", flat=True).distinct()
        )
        for part, kinds in _PARTS:
            if present.issuperset(kinds):
                continue
            batch = []
            for values in part(apps, studio_id):
                if values["kind"] in present:
                    continue
                batch.append(DomainEvent(**values))
                if len(batch) >= BATCH:
                    DomainEvent._base_manager.bulk_create(batch)
                    written, batch = written + len(batch), []
            DomainEvent._base_manager.bulk_create(batch)
            written += len(batch)
    return written
