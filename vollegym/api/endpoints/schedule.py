"""The small-group agenda: classes (the weekly template), their sessions, and the bookings of members."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vollegym.api.auth import studio_for
from vollegym.api.endpoints.common import one, responses
from vollegym.api.paging import page
from vollegym.api.schemas import (
    BookingOut,
    BookingPage,
    ClassOut,
    ClassPage,
    Cursor,
    Id,
    Limit,
    Moment,
    RefId,
    SessionOut,
    SessionPage,
)
from vollegym.schedule.models import ClassSession, ClassTemplate, SessionBooking

router = Router(tags=["schedule"])


def class_out(c: ClassTemplate) -> dict[str, Any]:
    return {
        "id": c.pk, "name": c.name, "program_id": c.program_id, "weekday": c.weekday, "starts": c.starts.strftime("%H:%M"),
        "duration_minutes": c.duration_minutes, "capacity": c.capacity, "coach_id": c.coach_id, "room": c.room,
        "is_active": c.is_active,
    }  # fmt: skip


def session_out(s: ClassSession) -> dict[str, Any]:
    return {
        "id": s.pk, "class_id": s.template_id, "starts_at": s.starts_at, "ends_at": s.ends_at,
        "capacity": s.capacity, "booked": s.booked, "coach_id": s.coach_id, "status": s.status,
        "cancel_reason": s.cancel_reason,
    }  # fmt: skip


def booking_out(b: SessionBooking) -> dict[str, Any]:
    return {
        "id": b.pk, "session_id": b.session_id, "member_id": b.member_id, "person_id": b.person_id,
        "status": b.status, "via": b.via, "created_at": b.created_at, "cancelled_at": b.cancelled_at,
    }  # fmt: skip


@router.get("/studios/{studio}/classes", response=responses(ok=ClassPage), summary="List classes")
def classes_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50
) -> dict[str, Any]:
    found = studio_for(request, studio, "schedule")
    rows, nxt = page(
        ClassTemplate.objects.for_studio(found), name="classes", studio_id=found.pk, key=None, cursor=cursor,
        limit=limit,
    )  # fmt: skip
    return {"items": [class_out(c) for c in rows], "next_cursor": nxt}


@router.get("/studios/{studio}/classes/{class_id}", response=responses(ok=ClassOut), summary="Read a class")
def class_read(request: HttpRequest, studio: str, class_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "schedule")
    return class_out(one(ClassTemplate.objects.for_studio(found), class_id))


@router.get("/studios/{studio}/sessions", response=responses(ok=SessionPage), summary="List sessions")
def sessions_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50,
    starts_from: Moment | None = None, class_id: RefId | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Sessions in the order they start; `starts_from` skips the ones before it."""
    found = studio_for(request, studio, "schedule")
    rows = ClassSession.objects.for_studio(found)
    if class_id is not None:
        rows = rows.filter(template_id=class_id)
    items, nxt = page(
        rows,
        name="sessions",
        studio_id=found.pk,
        key="starts_at",
        cursor=cursor,
        limit=limit,
        since=starts_from,
    )
    return {"items": [session_out(s) for s in items], "next_cursor": nxt}


@router.get(
    "/studios/{studio}/sessions/{session_id}", response=responses(ok=SessionOut), summary="Read a session"
)
def session_read(request: HttpRequest, studio: str, session_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "schedule")
    return session_out(one(ClassSession.objects.for_studio(found), session_id))


@router.get("/studios/{studio}/bookings", response=responses(ok=BookingPage), summary="List session bookings")
def bookings_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50,
    updated_since: Moment | None = None, session_id: RefId | None = None, member_id: RefId | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Members' bookings of sessions, in the order they were made (`updated_since` reads that moment)."""
    found = studio_for(request, studio, "schedule")
    rows = SessionBooking.objects.for_studio(found)
    if session_id is not None:
        rows = rows.filter(session_id=session_id)
    if member_id is not None:
        rows = rows.filter(member_id=member_id)
    items, nxt = page(
        rows, name="bookings", studio_id=found.pk, key="created_at", cursor=cursor, limit=limit,
        since=updated_since,
    )  # fmt: skip
    return {"items": [booking_out(b) for b in items], "next_cursor": nxt}


@router.get(
    "/studios/{studio}/bookings/{booking_id}", response=responses(ok=BookingOut), summary="Read a booking"
)
def booking_read(request: HttpRequest, studio: str, booking_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "schedule")
    return booking_out(one(SessionBooking.objects.for_studio(found), booking_id))
