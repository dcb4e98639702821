"""Writes about API tokens: made (shown once), revoked, and checked on every request."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from vollegym.api.models import ApiToken, RateWindow
from vollegym.api.scopes import scopes_valid
from vollegym.core import clock
from vollegym.people.events import ApiTokenCreated, ApiTokenRevoked, event_record
from vollegym.people.models import AuditEntry
from vollegym.people.rights import audit_record
from vollegym.studios.models import Studio, User

TOKEN_PREFIX = "vg_"  # noqa: S105 - the public start of every token, not a secret
# The part of a token kept in the clear, to tell tokens apart on the settings page: not enough to guess the rest.
SHOWN_CHARACTERS = 10
# A token in use is written as used at most this often, so reading the API is not a write per request.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token that cannot be made as asked (no scopes, no name, no agency)."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


@transaction.atomic
def api_token_create(*, studio: Studio | None, name: str, scopes: list[str], by: User) -> NewToken:
    """Makes a token for a studio, or for the agency when `studio` is None (only an agency user may)."""
    if not name.strip():
        raise TokenError("name")
    if not scopes_valid(scopes):
        raise TokenError("scopes")
    if studio is None and not by.is_agency:
        raise TokenError("agency")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.all_studios.create(
        studio=studio, name=name.strip()[:80], prefix=secret[:SHOWN_CHARACTERS], token_hash=token_hash(secret),
        scopes=sorted(set(scopes)), created_by=by,
    )  # fmt: skip
    if studio is not None:
        event_record(
            studio=studio, by=by,
            event=ApiTokenCreated(token_id=token.pk, prefix=token.prefix, scopes=token.scopes),
        )  # fmt: skip
    audit_record(
        action=AuditEntry.Action.CHANGED, user=by, studio=studio,
        detail=f"API-sleutel {token.prefix}… aangemaakt" + (" (bureau)" if studio is None else ""),
    )  # fmt: skip
    return NewToken(token, secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revokes a token at once; revoking twice changes nothing and logs nothing."""
    now = clock.now()
    if not ApiToken.all_studios.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by
    ):
        token.refresh_from_db()
        return token
    token.refresh_from_db()
    if token.studio_id is not None:
        event_record(
            studio=token.studio_id, by=by, event=ApiTokenRevoked(token_id=token.pk, prefix=token.prefix)
        )
    audit_record(
        action=AuditEntry.Action.CHANGED, user=by, studio=token.studio_id,
        detail=f"API-sleutel {token.prefix}… ingetrokken" + (" (bureau)" if token.studio_id is None else ""),
    )  # fmt: skip
    return token


def api_token_find(secret: str) -> ApiToken | None:
    """The token a request presents, revoked or not; None for one we never made."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    # The one crossing of the API: the token itself says which studio (or the agency) it belongs to.
    return (
        ApiToken.all_studios.select_related("studio", "created_by")
        .filter(token_hash=token_hash(secret))
        .first()
    )


def api_token_touch(*, token: ApiToken) -> None:
    """Notes that the token was used (at most once a minute)."""
    now = clock.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.all_studios.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
    ).update(last_used_at=now)
    token.last_used_at = now


def rate_count(*, token: ApiToken, minute: int) -> int:
    """Counts one request of the token in this minute and returns how many it made in it, this one included.

    The count comes back from the UPDATE that adds one (RETURNING, PostgreSQL and SQLite 3.35+): reading it after
    would see the requests that came in meanwhile and refuse one too many. The first request of a minute makes
    the row (one racing it finds the row made and adds to it) and clears the token's windows before the last."""
    add_one = (
        "UPDATE api_ratewindow SET count = count + 1 WHERE token_id = %s AND minute = %s RETURNING count"
    )
    with connection.cursor() as cursor:
        cursor.execute(add_one, [token.pk, minute])
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        try:
            with transaction.atomic():
                RateWindow.objects.create(token_id=token.pk, minute=minute, count=1)
        except IntegrityError:
            cursor.execute(add_one, [token.pk, minute])
            row = cursor.fetchone()
            return int(row[0]) if row is not None else 1
    RateWindow.objects.filter(token_id=token.pk, minute__lt=minute - 1).delete()
    return 1
