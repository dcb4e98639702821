"""Leads: list, read, capture (the same capture as every webhook), move along the pipeline, log a contact."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from vollegym.api.auth import studio_for
from vollegym.api.endpoints.common import one, responses
from vollegym.api.paging import page
from vollegym.api.problems import ApiProblem
from vollegym.api.schemas import (
    ContactIn,
    ContactOut,
    Cursor,
    Id,
    LeadIn,
    LeadOut,
    LeadPage,
    Limit,
    Moment,
    StageIn,
    Word,
)
from vollegym.leads.models import Activity, Lead
from vollegym.leads.selectors import ALL, LeadFilters, lead_list
from vollegym.leads.services import (
    CaptureError,
    ConsentInput,
    LeadInput,
    lead_capture,
    lead_log_contact,
    lead_move,
)

router = Router(tags=["leads"])


def lead_out(lead: Lead) -> dict[str, Any]:
    p = lead.person
    return {
        "id": lead.pk, "person_id": lead.person_id, "name": p.name, "email": p.email, "phone": p.phone,
        "source": lead.source, "campaign": lead.campaign, "ad": lead.ad, "form": lead.form, "utm": lead.utm,
        "stage": lead.stage, "lost_reason": lead.lost_reason, "assigned_to_id": lead.assigned_to_id,
        "needs_clearance": lead.needs_clearance, "created_at": lead.created_at, "due_at": lead.due_at,
        "first_contact_at": lead.first_contact_at, "updated_at": lead.updated_at,
    }  # fmt: skip


def refused(exc: CaptureError) -> ApiProblem:
    return ApiProblem("validation_failed", str(exc), errors=[{"field": exc.field, "message": exc.reason}])


@router.get("/studios/{studio}/leads", response=responses(ok=LeadPage), summary="List leads")
def leads_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50,
    updated_since: Moment | None = None, stage: Word = "", source: Word = "",
) -> dict[str, Any]:  # fmt: skip
    """Every lead (open and closed, never test leads), in the order they last changed."""
    found = studio_for(request, studio, "leads")
    rows, nxt = page(
        lead_list(found, LeadFilters(status=ALL, stage=stage, source=source)), name="leads",
        studio_id=found.pk, key="updated_at", cursor=cursor, limit=limit, since=updated_since,
    )  # fmt: skip
    return {"items": [lead_out(lead) for lead in rows], "next_cursor": nxt}


@router.get("/studios/{studio}/leads/{lead_id}", response=responses(ok=LeadOut), summary="Read a lead")
def lead_read(request: HttpRequest, studio: str, lead_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "leads")
    return lead_out(one(Lead.objects.for_studio(found).real().select_related("person"), lead_id))


@router.post("/studios/{studio}/leads", response=responses(created=LeadOut), summary="Capture a lead")
def lead_create(request: HttpRequest, studio: str, payload: LeadIn) -> Status[dict[str, Any]]:
    """A lead as the webhooks make one: merged with the person the studio already knows, with its clock, coach and
    first answer. A person with an open lead gets this submission added to it (answered with that lead)."""
    found = studio_for(request, studio, "leads", "write")
    data = LeadInput(
        source=payload.source, name=payload.name, email=payload.email, phone=payload.phone,
        campaign=payload.campaign, ad=payload.ad, form=payload.form, utm=payload.utm, answers=payload.answers,
        consents=[ConsentInput(c.purpose, c.text, c.given, c.channel) for c in payload.consent],
    )  # fmt: skip
    try:
        captured = lead_capture(studio=found, data=data)
    except CaptureError as exc:
        raise refused(exc) from None
    return Status(201, lead_out(captured.lead))


@router.post("/studios/{studio}/leads/{lead_id}/stage", response=responses(ok=LeadOut), summary="Move a lead")
def lead_stage(request: HttpRequest, studio: str, lead_id: Id, payload: StageIn) -> dict[str, Any]:
    """Moves the lead to a stage of the pipeline; `lost` needs a reason."""
    found = studio_for(request, studio, "leads", "write")
    lead = one(Lead.objects.for_studio(found).real().select_related("person"), lead_id)
    try:
        lead = lead_move(lead=lead, stage=payload.stage, lost_reason=payload.lost_reason, by=None)
    except CaptureError as exc:
        raise refused(exc) from None
    return lead_out(lead)


@router.post(
    "/studios/{studio}/leads/{lead_id}/contacts", response=responses(created=ContactOut),
    summary="Record a contact attempt and its outcome",
)  # fmt: skip
def lead_contact(
    request: HttpRequest, studio: str, lead_id: Id, payload: ContactIn
) -> Status[dict[str, Any]]:
    """A call, WhatsApp, e-mail or conversation in person, with how it went (or a note): the first personal
    contact stops the lead's clock, and `reached` moves a new lead to contacted."""
    found = studio_for(request, studio, "leads", "write")
    lead = one(Lead.objects.for_studio(found).real().select_related("person"), lead_id)
    try:
        activity = lead_log_contact(
            lead=lead, kind=payload.kind, outcome=payload.outcome, body=payload.body, by=None
        )
    except CaptureError as exc:
        raise refused(exc) from None
    return Status(201, contact_out(activity))


def contact_out(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.pk, "lead_id": activity.lead_id, "kind": activity.kind, "outcome": activity.outcome,
        "at": activity.at,
    }  # fmt: skip
