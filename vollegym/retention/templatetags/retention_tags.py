from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

from vollegym.leads.models import Lead
from vollegym.programs.models import Member
from vollegym.retention.followup import fill_in_lead, last_sign
from vollegym.retention.models import Step
from vollegym.retention.selectors import activation_of, lead_runs_of, runs_of
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


@register.inclusion_tag("retention/_lead_panel.html", takes_context=True)
def lead_followup_panel(context: dict[str, Any], lead: Lead) -> dict[str, Any]:
    """A lead's sequences on the lead's page: what went out, what is still to come, open tasks, why it stopped.

    The leads app's template asks for this panel; the leads app's code knows nothing of sequences.
    """
    return {
        "request": context["request"], "csrf_token": context.get("csrf_token"), "studio": lead.studio,
        "lead": lead, "runs": lead_runs_of(lead),
    }  # fmt: skip


@register.filter
def filled(text: str, step: Step) -> str:
    """A touchpoint's title or text as this member or lead reads it (the coach sees "Bel Eva", not "Bel
    {voornaam}")."""
    run = step.run
    if run.lead_id is not None:
        assert run.lead is not None
        return fill_in_lead(text, run.lead, run.sequence, for_task=step.touchpoint.is_task)
    assert run.member is not None and run.enrolment is not None
    return fill_in(text, run.member, run.enrolment)


@register.simple_tag
def quiet_since(step: Step) -> datetime | None:
    """Since when the lead of a "gone quiet" step was quiet: the last line on its timeline before the check-in."""
    run = step.run
    if run.lead_id is None:
        return None
    return last_sign(run.lead_id, run.studio_id, before=run.started_at)
