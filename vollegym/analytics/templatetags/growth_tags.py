"""The growth simulator's numbers as its page writes them: ranges of euros, members and fill."""

from __future__ import annotations

from django import template

from vollegym.analytics.bootstrap import Band
from vollegym.analytics.growth import euros, signed
from vollegym.analytics.simulator import Month, Projection

register = template.Library()


@register.filter
def cents_band(band: Band | None) -> str:
    """ "€ 12.000 – € 14.500"; empty without a range."""
    return "" if band is None else f"{euros(band.low)} – {euros(band.high)}"


def _range(low: str, high: str) -> str:
    return "" if low == high else f"{low} – {high}"  # no range worth saying: the same once rounded


@register.filter
def count_band(band: Band | None) -> str:
    return "" if band is None else _range(str(round(band.low)), str(round(band.high)))


@register.filter
def percent_band(band: Band | None) -> str:
    return "" if band is None else _range(f"{round(band.low * 100)}%", f"{round(band.high * 100)}%")


@register.filter
def whole(value: float | None) -> str:
    """A number of members, whole: the simulator's are expected values, not people."""
    return "—" if value is None else str(round(value))


@register.filter
def signed_cents(value: float | None) -> str:
    """ "+ € 1.234" or "− € 1.234"."""
    return "—" if value is None else signed(value)


@register.filter
def percent_one(share: float | None) -> str:
    """A share in percent with one decimal, the Dutch way: "3,8%"."""
    return "—" if share is None else f"{share * 100:.1f}%".replace(".", ",")


@register.filter
def month_of(projection: Projection, month: int) -> Month:
    return projection.month(month)
