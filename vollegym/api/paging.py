"""Cursor pagination: a list walks its rows in the order of (a moment, id), and the cursor marks where it stopped.

The cursor is signed, so a client cannot forge one (or reuse one from another list or studio): it is opaque. A row
changed while a client walks the list moves to the end, where the client meets it again: nothing is skipped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.core import signing
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from vollegym.api.problems import ApiProblem

M = TypeVar("M", bound=models.Model)
MAX_LIMIT = 200


def _salt(name: str, studio_id: int) -> str:
    return f"vollegym.api.cursor:{name}:{studio_id}"


def page(
    rows: QuerySet[M], *, name: str, studio_id: int, key: str | None, cursor: str | None, limit: int,
    since: datetime | None = None,
) -> tuple[list[M], str | None]:  # fmt: skip
    """One page of `rows` after `cursor`, ordered by (`key`, id) (by id alone without a key), from `since` on."""
    order = [key, "pk"] if key else ["pk"]
    rows = rows.order_by(*order)
    if since is not None and key:
        rows = rows.filter(**{f"{key}__gte": since})
    if cursor:
        at, last_id = _read(cursor, name, studio_id, keyed=key is not None)
        if key:
            rows = rows.filter(Q(**{f"{key}__gt": at}) | Q(**{key: at, "pk__gt": last_id}))
        else:
            rows = rows.filter(pk__gt=last_id)
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    found = found[:limit]
    last = found[-1]
    moment = getattr(last, key) if key else None
    payload = [moment.isoformat() if moment is not None else None, last.pk]
    return found, signing.dumps(payload, salt=_salt(name, studio_id))


def _read(cursor: str, name: str, studio_id: int, *, keyed: bool) -> tuple[Any, int]:
    try:
        payload = signing.loads(cursor, salt=_salt(name, studio_id))
    except (signing.BadSignature, ValueError, UnicodeError):
        raise ApiProblem("invalid_cursor", "Use the next_cursor of the previous page of this list.") from None
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[1], int)):
        raise ApiProblem("invalid_cursor")
    moment = parse_datetime(payload[0]) if keyed and isinstance(payload[0], str) else None
    if keyed and moment is None:
        raise ApiProblem("invalid_cursor")
    return moment, payload[1]
