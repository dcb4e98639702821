from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vollegym.inbox.selectors import unread_total


def unread(request: HttpRequest) -> dict[str, Any]:
    """`whatsapp_unread`: the WhatsApp messages of the studio nobody read yet, for "Berichten" in the navigation."""
    studio = getattr(request, "studio", None)
    if studio is None or not request.path.startswith("/app/") or not request.user.is_authenticated:
        return {}
    return {"whatsapp_unread": unread_total(studio)}
