from __future__ import annotations

from django import template

from vollegym.analytics.speed import duration_label

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as the reports say them: "12 min", "3,5 uur", "4 dagen"."""
    return duration_label(seconds)
