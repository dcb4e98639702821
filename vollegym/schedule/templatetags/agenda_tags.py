from __future__ import annotations

from typing import Any

from django import template

from vollegym.programs.models import Member
from vollegym.schedule.models import ClassTemplate, FixedSlot

register = template.Library()


@register.inclusion_tag("schedule/_member_panel.html", takes_context=True)
def member_agenda_panel(context: dict[str, Any], member: Member) -> dict[str, Any]:
    """The agenda's part of a member's page: their fixed places, and a form to give one.

    The programs app's template asks for this panel; the programs app's code knows nothing of the agenda.
    """
    places = FixedSlot.objects.for_studio(member.studio_id).filter(member=member).select_related("template")
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "studio": member.studio,
        "member": member,
        "places": list(places),
        "classes": list(ClassTemplate.objects.for_studio(member.studio_id).filter(is_active=True)),
    }
