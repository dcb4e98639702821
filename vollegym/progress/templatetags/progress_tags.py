from __future__ import annotations

from typing import Any

from django import template

from vollegym.programs.models import Member
from vollegym.progress.selectors import progress_of
from vollegym.progress.services import measurement_consent

register = template.Library()


@register.inclusion_tag("progress/_panel.html")
def member_progress_panel(member: Member) -> dict[str, Any]:
    """The progress part of a member's page (charts and a link to record); the programs app knows nothing of it."""
    return {
        "studio": member.studio, "member": member, "series": progress_of(member.person),
        "consent": measurement_consent(member.person),
    }  # fmt: skip
