"""What the leads app keeps about a person, for export and erasure: leads, their timelines, raw deliveries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vollegym.leads.models import Activity, InboundEvent, Lead
from vollegym.people.models import Person


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _leads(person: Person) -> QuerySet[Lead]:
    return Lead.objects.for_studio(person.studio_id).filter(person=person).order_by("created_at", "id")


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    leads = list(_leads(person))
    activities = Activity.objects.for_studio(person.studio_id).filter(lead__in=leads).order_by("at", "id")
    deliveries = (
        InboundEvent.objects.for_studio(person.studio_id).filter(lead__in=leads).order_by("received_at")
    )
    return {
        "leads": [
            {"id": lead.pk, "created_at": _iso(lead.created_at), "source": lead.source, "campaign": lead.campaign,
             "ad": lead.ad, "form": lead.form, "utm": lead.utm, "answers": lead.answers, "stage": lead.stage,
             "lost_reason": lead.lost_reason, "first_contact_at": _iso(lead.first_contact_at)}
            for lead in leads
        ],
        "lead_timeline": [
            {"lead": a.lead_id, "kind": a.kind, "outcome": a.outcome, "body": a.body, "data": a.data,
             "at": _iso(a.at)}
            for a in activities
        ],
        "deliveries": [
            {"provider": d.provider, "received_at": _iso(d.received_at), "payload": d.payload} for d in deliveries
        ],
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    return {f"lead:{pk}" for pk in _leads(person).values_list("pk", flat=True)}


def erase(person: Person, refs: set[str]) -> int:
    """Answers, notes and raw deliveries go; each lead stays as a row (source, stage, times) so counts hold."""
    studio_id = person.studio_id
    leads = _leads(person)
    touched = leads.update(answers={}, lost_reason="")
    touched += Activity.objects.for_studio(studio_id).filter(lead__in=leads).update(body="", data={})
    touched += (
        InboundEvent.objects.for_studio(studio_id)
        .filter(lead__in=leads)
        .update(payload={"erased": True}, error="")
    )
    # Deliveries that never became a lead (kept for a person to look at) may still hold the address.
    national = "0" + person.phone[3:] if person.phone.startswith("+31") else ""
    needles = {person.email, person.phone, person.phone.removeprefix("+"), person.phone_as_given, national}
    for needle in filter(None, needles):
        touched += (
            InboundEvent.objects.for_studio(studio_id)
            .filter(lead__isnull=True, payload__icontains=needle)
            .update(payload={"erased": True}, error="")
        )
    return touched
