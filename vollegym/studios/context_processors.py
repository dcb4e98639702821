from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vollegym.studios.selectors import studios_for_user


def backoffice(request: HttpRequest) -> dict[str, Any]:
    """The studio switcher in the back office's header, for someone with more than one studio."""
    if not request.path.startswith("/app/") or not request.user.is_authenticated:
        return {}
    studios = list(studios_for_user(request.user))
    return {"switcher": studios if len(studios) > 1 else []}
