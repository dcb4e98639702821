from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vollegym.leads.selectors import late_for
from vollegym.messaging.selectors import failed_messages_for, notifications_for
from vollegym.messaging.services import notifications_mark_read
from vollegym.studios.access import role_of, studio_of, studio_view, user_of


@studio_view()
def notifications(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    items = list(notifications_for(user_of(request), studio)[:100])
    failed = list(failed_messages_for(role_of(request), studio)[:50])
    late = late_for(studio, user_of(request))
    return render(
        request,
        "messaging/notifications.html",
        {"studio": studio, "items": items, "late": late, "failed": failed, "nav": "meldingen"},
    )


@studio_view()
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    notifications_mark_read(user=user_of(request), studio=studio)
    return redirect("messaging:notifications", studio=studio.slug)
