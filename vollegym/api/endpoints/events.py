"""The feed of what happened: the domain events every part of the loop writes with its changes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vollegym.api.auth import studio_for
from vollegym.api.endpoints.common import responses
from vollegym.api.paging import page
from vollegym.api.schemas import Cursor, EventPage, Limit, Moment, Word
from vollegym.people.models import DomainEvent

router = Router(tags=["events"])


def event_out(e: DomainEvent) -> dict[str, Any]:
    return {
        "id": e.pk, "kind": e.kind, "version": e.version, "at": e.at, "person_id": e.person_id,
        "lead_id": e.lead_id, "payload": e.payload,
    }  # fmt: skip


@router.get("/studios/{studio}/events", response=responses(ok=EventPage), summary="Feed of domain events")
def events_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50,
    updated_since: Moment | None = None, kind: Word = "",
) -> dict[str, Any]:  # fmt: skip
    """Events in the order they happened (`updated_since` reads that moment); `kind` narrows to one kind, such as
    `lead.captured` or `member.enrolled`. A payload's shape is fixed per kind and `version`."""
    found = studio_for(request, studio, "events")
    rows = DomainEvent.objects.for_studio(found)
    if kind:
        rows = rows.filter(kind=kind)
    items, nxt = page(
        rows, name="events", studio_id=found.pk, key="at", cursor=cursor, limit=limit, since=updated_since
    )
    return {"items": [event_out(e) for e in items], "next_cursor": nxt}
