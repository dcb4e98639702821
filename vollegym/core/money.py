"""Money is integer cents; shown the Dutch way (€ 1.195,00)."""

from __future__ import annotations


def euro(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{rest:02d}"
