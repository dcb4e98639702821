from __future__ import annotations

from django import template

from vollegym.analytics.speed import duration_label
from vollegym.core.money import euro

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as the reports say them: "12 min", "3,5 uur", "4 dagen"."""
    return duration_label(seconds)


@register.filter
def cents(value: float | None) -> str:
    """An amount in cents in whole euros the Dutch way: "€ 1.234"; "—" when there is none."""
    if value is None:
        return "—"
    return "€\u00a0" + f"{round(value / 100):,}".replace(",", ".")


@register.filter
def cents_exact(value: float | None) -> str:
    """An amount in cents with its cents: "€ 12,34"."""
    return "—" if value is None else euro(round(value)).replace(" ", "\u00a0")


@register.filter
def percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


@register.filter
def one_decimal(value: float | None) -> str:
    """A number with one decimal, the Dutch way: "4,5"."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")
