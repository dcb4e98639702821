from __future__ import annotations

from typing import Any

from django import template

from vollegym.payments.missed import PAUSE_WEEKS_MAX
from vollegym.payments.selectors import books_open_to, missed_to_follow
from vollegym.programs.models import Member

register = template.Library()


@register.inclusion_tag("payments/_member_panel.html", takes_context=True)
def member_payments_panel(context: dict[str, Any], member: Member) -> dict[str, Any]:
    """Missed payments on a member's page, with the answers to them; the programs app knows nothing of payments."""
    request = context["request"]
    return {
        "request": request, "csrf_token": context.get("csrf_token"), "studio": member.studio, "member": member,
        "rows": missed_to_follow(member.studio, member=member, role=request.studio_role),
        "weeks_max": PAUSE_WEEKS_MAX,
    }  # fmt: skip


@register.inclusion_tag("payments/_member_payments_link.html", takes_context=True)
def member_payments_link(context: dict[str, Any], member: Member) -> dict[str, Any]:
    """A link from the member's page to their payments, refunds and invoices, for whoever reads the books."""
    return {"studio": member.studio, "member": member, "shown": books_open_to(context["request"].studio_role)}
