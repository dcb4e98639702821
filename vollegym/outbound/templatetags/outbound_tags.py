from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from vollegym.outbound.kinds import kind_html

register = template.Library()


@register.filter
def event_kind(kind: str) -> SafeString:
    """{{ delivery.event.kind|event_kind }} → "Nieuwe lead" with `lead.captured` beside it in small print."""
    return kind_html(kind)
