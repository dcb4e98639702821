"""The rule of a payment plan, apart from the database: which amounts fall due when, adding up to the price exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Due:
    number: int
    of: int
    amount_cents: int
    due_on: date


def split(total_cents: int, terms: int) -> list[int]:
    """`terms` amounts in whole cents that add up to `total_cents`; all equal but the last, which takes the rounding."""
    if terms < 1:
        raise ValueError("at least one term")
    if total_cents < 0:
        raise ValueError("no negative prices")
    each = total_cents // terms
    return [each] * (terms - 1) + [total_cents - each * (terms - 1)]


def schedule(*, total_cents: int, terms: int, every_weeks: int, first_due: date) -> list[Due]:
    """The terms of one enrolment: the first on `first_due`, then one every `every_weeks` weeks."""
    amounts = split(total_cents, terms)
    return [
        Due(n + 1, terms, amount, first_due + timedelta(weeks=every_weeks * n))
        for n, amount in enumerate(amounts)
    ]
