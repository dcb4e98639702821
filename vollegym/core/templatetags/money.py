from __future__ import annotations

from django import template

from vollegym.core.money import euro as euro_text

register = template.Library()


@register.filter
def euro(cents: int | None) -> str:
    """{{ price.amount_cents|euro }} → "€ 1.195,00"."""
    return "—" if cents is None else euro_text(int(cents))
