from __future__ import annotations

from typing import Any

from django import template

from vollegym.programs.renewals import renewal_talks_open
from vollegym.studios.models import User

register = template.Library()


@register.inclusion_tag("programs/_renewal_talks_panel.html", takes_context=True)
def renewal_talks_panel(context: dict[str, Any]) -> dict[str, Any]:
    """The renewal conversations due, for the coach's tasks page (a coach sees their own members').

    The retention app's template asks for this panel; the retention app's code knows nothing of it.
    """
    request = context["request"]
    role = getattr(request, "studio_role", "coach")
    user = request.user if isinstance(request.user, User) else None
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "studio": context["studio"],
        "talks": renewal_talks_open(context["studio"], user, role),
        "mine_only": role == "coach",
    }
