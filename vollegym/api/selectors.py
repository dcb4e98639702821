"""Reads about API tokens, and the one rule of which studio a token reaches."""

from __future__ import annotations

from django.db.models import QuerySet

from vollegym.api.models import ApiToken
from vollegym.studios.models import Studio, slug_validator
from vollegym.studios.selectors import active_studio, studios_for_user


def tokens_of(studio: Studio) -> QuerySet[ApiToken]:
    return ApiToken.objects.for_studio(studio).select_related("created_by", "revoked_by")


def token_of(studio: Studio, token_id: int) -> ApiToken | None:
    return tokens_of(studio).filter(pk=token_id).first()


def agency_tokens() -> QuerySet[ApiToken]:
    # The agency's own tokens belong to no studio: the crossing is on purpose, and only agency pages call it.
    return ApiToken.all_studios.filter(studio__isnull=True).select_related("created_by", "revoked_by")


def agency_token(token_id: int) -> ApiToken | None:
    return agency_tokens().filter(pk=token_id).first()


def studio_of_token(token: ApiToken, slug: str) -> Studio | None:
    """The studio a request names, if this token reaches it: its own studio, or for an agency token one the agency
    runs (while its maker is still an active agency user). None otherwise, which the API answers with a 404."""
    if not token.is_active or not _slug_ok(slug):
        return None
    if token.studio_id is not None:
        found = active_studio(slug)
        return found if found is not None and found.pk == token.studio_id else None
    maker = token.created_by
    if maker is None or not maker.is_active or not maker.is_agency:
        return None
    return studios_for_user(maker).filter(slug=slug).first()


def agency_token_usable(token: ApiToken) -> bool:
    """An agency token works only while the person who made it is still an active agency user."""
    maker = token.created_by
    return token.studio_id is not None or (maker is not None and maker.is_active and maker.is_agency)


def _slug_ok(slug: str) -> bool:
    try:
        slug_validator(slug)
    except Exception:
        return False
    return len(slug) <= 60
