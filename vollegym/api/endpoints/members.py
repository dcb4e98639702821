"""Members and their enrolments (each at the price of the day it was made)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vollegym.api.auth import studio_for
from vollegym.api.endpoints.common import one, responses
from vollegym.api.paging import page
from vollegym.api.schemas import (
    Cursor,
    EnrolmentOut,
    EnrolmentPage,
    Id,
    Limit,
    MemberOut,
    MemberPage,
    Moment,
    RefId,
)
from vollegym.programs.models import Enrolment, Member

router = Router(tags=["members"])


def member_out(m: Member) -> dict[str, Any]:
    p = m.person
    return {
        "id": m.pk, "person_id": m.person_id, "lead_id": m.lead_id, "name": p.name, "email": p.email,
        "phone": p.phone, "coach_id": m.coach_id, "created_at": m.created_at,
    }  # fmt: skip


def enrolment_out(e: Enrolment) -> dict[str, Any]:
    return {
        "id": e.pk, "member_id": e.member_id, "program_id": e.program_id, "price_cents": e.price_cents,
        "starts_on": e.starts_on, "ends_on": e.ends_on, "sessions_total": e.sessions_total,
        "sessions_used": e.sessions_used, "status": e.status, "continues": e.continues,
        "first_payment_cents": e.first_payment_cents, "first_payment_due": e.first_payment_due,
        "first_payment_paid_at": e.first_payment_paid_at, "created_at": e.created_at,
    }  # fmt: skip


@router.get("/studios/{studio}/members", response=responses(ok=MemberPage), summary="List members")
def members_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50,
    updated_since: Moment | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Members in the order they became one (`updated_since` reads that moment)."""
    found = studio_for(request, studio, "members")
    rows, nxt = page(
        Member.objects.for_studio(found).select_related("person"), name="members", studio_id=found.pk,
        key="created_at", cursor=cursor, limit=limit, since=updated_since,
    )  # fmt: skip
    return {"items": [member_out(m) for m in rows], "next_cursor": nxt}


@router.get(
    "/studios/{studio}/members/{member_id}", response=responses(ok=MemberOut), summary="Read a member"
)
def member_read(request: HttpRequest, studio: str, member_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "members")
    return member_out(one(Member.objects.for_studio(found).select_related("person"), member_id))


@router.get("/studios/{studio}/enrolments", response=responses(ok=EnrolmentPage), summary="List enrolments")
def enrolments_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50,
    updated_since: Moment | None = None, member_id: RefId | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Enrolments in the order they were made (`updated_since` reads that moment); `member_id` narrows to one."""
    found = studio_for(request, studio, "enrolments")
    rows = Enrolment.objects.for_studio(found)
    if member_id is not None:
        rows = rows.filter(member_id=member_id)
    items, nxt = page(
        rows, name="enrolments", studio_id=found.pk, key="created_at", cursor=cursor, limit=limit,
        since=updated_since,
    )  # fmt: skip
    return {"items": [enrolment_out(e) for e in items], "next_cursor": nxt}


@router.get(
    "/studios/{studio}/enrolments/{enrolment_id}", response=responses(ok=EnrolmentOut), summary="Read an enrolment"
)  # fmt: skip
def enrolment_read(request: HttpRequest, studio: str, enrolment_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "enrolments")
    return enrolment_out(one(Enrolment.objects.for_studio(found), enrolment_id))
