"""People: one record per human per studio."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vollegym.api.auth import studio_for
from vollegym.api.endpoints.common import one, responses
from vollegym.api.paging import page
from vollegym.api.schemas import Cursor, Id, Limit, Moment, PersonOut, PersonPage
from vollegym.people.models import Person

router = Router(tags=["people"])


def person_out(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk, "name": p.name, "email": p.email, "phone": p.phone, "language": p.language,
        "created_at": p.created_at, "updated_at": p.updated_at, "erased": p.erased_at is not None,
    }  # fmt: skip


@router.get("/studios/{studio}/people", response=responses(ok=PersonPage), summary="List people")
def people_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50,
    updated_since: Moment | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Everyone the studio knows, in the order they last changed."""
    found = studio_for(request, studio, "people")
    rows, nxt = page(
        Person.objects.for_studio(found), name="people", studio_id=found.pk, key="updated_at", cursor=cursor,
        limit=limit, since=updated_since,
    )  # fmt: skip
    return {"items": [person_out(p) for p in rows], "next_cursor": nxt}


@router.get("/studios/{studio}/people/{person_id}", response=responses(ok=PersonOut), summary="Read a person")
def person_read(request: HttpRequest, studio: str, person_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "people")
    return person_out(one(Person.objects.for_studio(found), person_id))
