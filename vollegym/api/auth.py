"""Who is calling: the bearer token, checked and counted against its rate limit on every request."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from vollegym.api.models import ApiToken
from vollegym.api.problems import ApiProblem
from vollegym.api.scopes import scope
from vollegym.api.selectors import agency_token_usable, studio_of_token
from vollegym.api.services import api_token_find, api_token_touch, rate_count
from vollegym.studios.models import Studio


class TokenAuth(HttpBearer):
    """`Authorization: Bearer vg_…`: a token we made, not revoked, within its requests per minute."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_find(token.strip())
        if found is None:
            return None
        if found.revoked_at is not None or not agency_token_usable(found):
            raise ApiProblem("token_revoked", "This token was revoked; make a new one in the back office.")
        rate_check(found)
        api_token_touch(token=found)
        return found


def rate_check(token: ApiToken) -> None:
    """Counts the request in this minute's window for the token (in the database, so every web process counts
    together); past the limit, a 429 that says when the next window opens."""
    limit = settings.API_RATE_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    count = rate_count(token=token, minute=window)
    if count > limit:
        retry = max(int((window + 1) * 60 - now), 1)
        raise ApiProblem(
            "rate_limited", f"At most {limit} requests a minute per token; try again in {retry} seconds.",
            headers={"Retry-After": str(retry)},
        )  # fmt: skip


def token_of(request: HttpRequest) -> ApiToken:
    found: Any = getattr(request, "auth", None)
    if not isinstance(found, ApiToken):
        raise ApiProblem("not_authenticated")
    return found


def studio_for(request: HttpRequest, slug: str, resource: str, access: str = "read") -> Studio:
    """The studio in the path, if the token reaches it (else 404, as if it did not exist), and the scope it needs."""
    token = token_of(request)
    studio = studio_of_token(token, slug)
    if studio is None:
        raise ApiProblem("not_found", "No such studio for this token.")
    needed = scope(resource, access)
    if needed not in token.scopes:
        raise ApiProblem("forbidden_scope", f"This token does not have the scope {needed}.")
    return studio
