"""The units a measurement can have, each with the range a real value lies in, and the kinds every studio starts with."""

from __future__ import annotations

from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# unit → (label, lowest, highest): a value outside is a typo (85 typed as 850), refused with the range in Dutch.
UNITS: dict[str, tuple[str | Promise, Decimal, Decimal]] = {
    "kg": (_("kilogram (kg)"), Decimal("1"), Decimal("400")),
    "cm": (_("centimeter (cm)"), Decimal("1"), Decimal("300")),
    "%": (_("procent (%)"), Decimal("0"), Decimal("100")),
    "slagen/min": (_("slagen per minuut"), Decimal("20"), Decimal("250")),
    "seconden": (_("seconden"), Decimal("1"), Decimal("36000")),
    "minuten": (_("minuten"), Decimal("0.1"), Decimal("600")),
    "herhalingen": (_("herhalingen"), Decimal("0"), Decimal("1000")),
    "meter": (_("meter"), Decimal("0"), Decimal("100000")),
}

# name, unit, direction, lowest, highest: the defaults are narrower where the body allows it.
DEFAULT_KINDS: list[tuple[str, str, str, Decimal, Decimal]] = [
    ("Gewicht", "kg", "lower", Decimal("25"), Decimal("350")),
    ("Taille", "cm", "lower", Decimal("40"), Decimal("250")),
    ("Heupen", "cm", "lower", Decimal("50"), Decimal("250")),
    ("Vetpercentage", "%", "lower", Decimal("2"), Decimal("75")),
    ("Rusthartslag", "slagen/min", "lower", Decimal("25"), Decimal("220")),
    ("5 herhalingen squat", "kg", "higher", Decimal("1"), Decimal("400")),
    ("500 m roeien", "seconden", "lower", Decimal("60"), Decimal("900")),
]


def unit_choices() -> list[tuple[str, str]]:
    return [(unit, str(label)) for unit, (label, _low, _high) in UNITS.items()]


def plain(value: Decimal) -> Decimal:
    """85.00 → 85, 84.50 → 84.5 (never 1E+2): how a value is shown and exported."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
