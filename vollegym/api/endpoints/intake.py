"""Intake submissions and the conversations (kennismakingsgesprekken) they lead to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vollegym.api.auth import studio_for
from vollegym.api.endpoints.common import one, responses
from vollegym.api.paging import page
from vollegym.api.problems import ApiProblem
from vollegym.api.schemas import (
    ConversationOut,
    ConversationPage,
    Cursor,
    Id,
    IntakeOut,
    IntakePage,
    Limit,
    Moment,
    OutcomeIn,
)
from vollegym.intake.models import Booking, IntakeResponse
from vollegym.intake.services import BookingError, booking_outcome

router = Router(tags=["intake"])


def intake_out(r: IntakeResponse) -> dict[str, Any]:
    return {
        "id": r.pk, "lead_id": r.lead_id, "person_id": r.person_id, "step": r.step, "score": r.score,
        "temperature": r.temperature, "disqualified": r.disqualified, "answers": r.answers,
        "created_at": r.created_at, "updated_at": r.updated_at, "completed_at": r.completed_at,
    }  # fmt: skip


def conversation_out(b: Booking) -> dict[str, Any]:
    return {
        "id": b.pk, "lead_id": b.lead_id, "person_id": b.person_id, "kind": b.kind.name, "coach_id": b.coach_id,
        "starts_at": b.starts_at, "ends_at": b.ends_at, "status": b.status, "outcome": b.outcome,
        "lost_reason": b.lost_reason, "created_at": b.created_at, "recorded_at": b.recorded_at,
    }  # fmt: skip


@router.get("/studios/{studio}/intake-submissions", response=responses(ok=IntakePage), summary="List intakes")
def intakes_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50,
    updated_since: Moment | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Intake questionnaires, finished or under way, in the order they last changed."""
    found = studio_for(request, studio, "intake")
    rows, nxt = page(
        IntakeResponse.objects.for_studio(found), name="intake", studio_id=found.pk, key="updated_at",
        cursor=cursor, limit=limit, since=updated_since,
    )  # fmt: skip
    return {"items": [intake_out(r) for r in rows], "next_cursor": nxt}


@router.get(
    "/studios/{studio}/intake-submissions/{response_id}", response=responses(ok=IntakeOut), summary="Read an intake"
)  # fmt: skip
def intake_read(request: HttpRequest, studio: str, response_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "intake")
    return intake_out(one(IntakeResponse.objects.for_studio(found), response_id))


@router.get(
    "/studios/{studio}/conversations", response=responses(ok=ConversationPage), summary="List conversations"
)  # fmt: skip
def conversations_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50,
    updated_since: Moment | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Booked kennismakingsgesprekken, in the order they were booked (`updated_since` reads the booking moment)."""
    found = studio_for(request, studio, "conversations")
    rows, nxt = page(
        Booking.objects.for_studio(found).select_related("kind"), name="conversations", studio_id=found.pk,
        key="created_at", cursor=cursor, limit=limit, since=updated_since,
    )  # fmt: skip
    return {"items": [conversation_out(b) for b in rows], "next_cursor": nxt}


@router.get(
    "/studios/{studio}/conversations/{booking_id}", response=responses(ok=ConversationOut),
    summary="Read a conversation",
)  # fmt: skip
def conversation_read(request: HttpRequest, studio: str, booking_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "conversations")
    return conversation_out(one(Booking.objects.for_studio(found).select_related("kind"), booking_id))


@router.post(
    "/studios/{studio}/conversations/{booking_id}/outcome", response=responses(ok=ConversationOut),
    summary="Record how a conversation ended",
)  # fmt: skip
def conversation_outcome(
    request: HttpRequest, studio: str, booking_id: Id, payload: OutcomeIn
) -> dict[str, Any]:
    """Won (ready to enrol) or lost with a reason; the lead's stage follows, as on the conversation page."""
    found = studio_for(request, studio, "conversations", "write")
    booking = one(Booking.objects.for_studio(found).select_related("kind", "lead"), booking_id)
    try:
        booking = booking_outcome(
            booking=booking, outcome=payload.outcome, lost_reason=payload.lost_reason, by=None
        )
    except BookingError as exc:
        raise ApiProblem("refused", exc.reason) from None
    return conversation_out(booking)
