from __future__ import annotations

from django import template

from vollegym.core.phones import display_phone

register = template.Library()


@register.filter
def phone(value: str | None) -> str:
    """{{ person.phone|phone }} → "06 12345678" or "030 234 5678"; foreign numbers in international form."""
    return display_phone(value) if value else ""
