"""The WhatsApp thread as a panel on another page (the member's): the same lines as the conversation page."""

from __future__ import annotations

from typing import Any

from django import template

from vollegym.inbox.selectors import thread
from vollegym.people.models import Person

register = template.Library()

SHOWN = 10  # the latest messages; the conversation page has them all


@register.inclusion_tag("inbox/_whatsapp_panel.html", takes_context=True)
def whatsapp_panel(context: template.Context, person: Person) -> dict[str, Any]:
    return {
        "studio": context["studio"],
        "person": person,
        "lines": thread(person, limit=SHOWN),
        "shown": SHOWN,
    }
