"""Money is integer cents; shown the Dutch way (€ 1.195,00)."""

from __future__ import annotations


def euro(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{rest:02d}"


def parse_euro(text: str) -> int:
    """What a Dutch person types for an amount, in cents: "1195", "1.195,00", "€ 1195,5", "89,95"."""
    cleaned = text.strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise ValueError("empty amount")
    if "," in cleaned:
        whole, _, fraction = cleaned.rpartition(",")
        whole = whole.replace(".", "")
    elif cleaned.count(".") == 1 and len(cleaned.split(".")[1]) in (1, 2):
        whole, fraction = cleaned.split(".")  # "89.95": a decimal point typed the English way
    else:
        whole, fraction = cleaned.replace(".", ""), ""
    if not whole.isdigit() or (fraction and (not fraction.isdigit() or len(fraction) > 2)):
        raise ValueError(f"not an amount: {text!r}")
    return int(whole) * 100 + int(fraction.ljust(2, "0") or 0)
