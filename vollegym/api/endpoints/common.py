"""What every endpoint shares: the errors it documents, and finding one row of the studio or a 404."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet

from vollegym.api.problems import ApiProblem, Problem

M = TypeVar("M", bound=models.Model)

# Every operation may answer with these; 2xx answers are added per operation.
ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}


def responses(**ok: Any) -> dict[int, Any]:
    """`responses(ok=Schema)` for 200, `responses(created=Schema)` for 201, with the errors."""
    found: dict[int, Any] = dict(ERRORS)
    if "ok" in ok:
        found[200] = ok["ok"]
    if "created" in ok:
        found[201] = ok["created"]
    return found


def one(rows: QuerySet[M], pk: int) -> M:
    """The row of the (already studio-scoped) rows with this id, or a 404 problem."""
    found = rows.filter(pk=pk).first()
    if found is None:
        raise ApiProblem("not_found")
    return found
