from __future__ import annotations

from typing import Any

from django import template

from vollegym.programs.models import Member
from vollegym.retention.models import Step
from vollegym.retention.selectors import activation_of, runs_of
from vollegym.retention.services import fill_in

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


@register.filter
def filled(text: str, step: Step) -> str:
    """A touchpoint's title or text as this member reads it (the coach sees "Bel Eva", not "Bel {voornaam}")."""
    return fill_in(text, step.run.member, step.run.enrolment)
