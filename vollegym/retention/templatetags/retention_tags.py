from __future__ import annotations

from typing import Any

from django import template

from vollegym.programs.models import Member
from vollegym.retention.selectors import activation_of, runs_of

register = template.Library()


@register.inclusion_tag("retention/_member_panel.html", takes_context=True)
def member_onboarding_panel(context: dict[str, Any], member: Member) -> dict[str, Any]:
    """The first 30 days on a member's page: the touchpoints of their run, open tasks to tick, activation flags.

    The programs app's template asks for this panel; the programs app's code knows nothing of onboarding.
    """
    return {
        "request": context["request"], "csrf_token": context.get("csrf_token"), "studio": member.studio,
        "member": member, "runs": runs_of(member), "checks": activation_of(member),
    }  # fmt: skip
