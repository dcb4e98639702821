"""Programs and their prices (the price in force today, and every price with the day it took effect)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vollegym.api.auth import studio_for
from vollegym.api.endpoints.common import one, responses
from vollegym.api.paging import page
from vollegym.api.schemas import Cursor, Id, Limit, ProgramOut, ProgramPage
from vollegym.programs.models import Program, ProgramPrice
from vollegym.programs.selectors import price_histories, price_in_force_of

router = Router(tags=["programs"])


def program_out(p: Program, history: list[ProgramPrice]) -> dict[str, Any]:
    now = price_in_force_of(history)
    return {
        "id": p.pk, "name": p.name, "promise": p.promise, "kind": p.kind, "format": p.format, "weeks": p.weeks,
        "sessions_per_week": p.sessions_per_week, "is_active": p.is_active,
        "price_cents": now.amount_cents if now else None,
        "prices": [{"amount_cents": x.amount_cents, "effective_from": x.effective_from} for x in history],
        "created_at": p.created_at,
    }  # fmt: skip


@router.get("/studios/{studio}/programs", response=responses(ok=ProgramPage), summary="List programs")
def programs_list(
    request: HttpRequest, studio: str, cursor: Cursor | None = None, limit: Limit = 50
) -> dict[str, Any]:
    found = studio_for(request, studio, "programs")
    rows, nxt = page(
        Program.objects.for_studio(found), name="programs", studio_id=found.pk, key=None, cursor=cursor,
        limit=limit,
    )  # fmt: skip
    histories = price_histories(found, rows)  # one query for the page, not two per program
    return {"items": [program_out(p, histories.get(p.pk, [])) for p in rows], "next_cursor": nxt}


@router.get(
    "/studios/{studio}/programs/{program_id}", response=responses(ok=ProgramOut), summary="Read a program"
)
def program_read(request: HttpRequest, studio: str, program_id: Id) -> dict[str, Any]:
    found = studio_for(request, studio, "programs")
    program = one(Program.objects.for_studio(found), program_id)
    return program_out(program, price_histories(found, [program]).get(program.pk, []))
