from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vollegym.messaging.selectors import failed_messages_for, notifications_for
from vollegym.messaging.services import notifications_mark_read
from vollegym.studios.access import studio_view


@studio_view()
def notifications(request: HttpRequest) -> HttpResponse:
    studio = request.studio  # type: ignore[attr-defined]
    items = list(notifications_for(request.user, studio)[:100])  # type: ignore[arg-type]
    failed = list(failed_messages_for(request.studio_role, studio)[:50])  # type: ignore[attr-defined]
    return render(
        request,
        "messaging/notifications.html",
        {"studio": studio, "items": items, "failed": failed, "nav": "meldingen"},
    )


@studio_view()
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    studio = request.studio  # type: ignore[attr-defined]
    notifications_mark_read(user=request.user, studio=studio)  # type: ignore[arg-type]
    return redirect("messaging:notifications", studio=studio.slug)
