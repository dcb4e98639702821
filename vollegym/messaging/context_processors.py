from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vollegym.messaging.selectors import notifications_for


def unread(request: HttpRequest) -> dict[str, Any]:
    """The number of unread in-app notifications, for the back office's navigation."""
    studio = getattr(request, "studio", None)
    if studio is None or not request.user.is_authenticated:
        return {}
    return {"unread_count": notifications_for(request.user, studio).filter(read_at__isnull=True).count()}
