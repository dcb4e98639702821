"""A selection ticked in a list (leads, members): the ids as a form sends them, and what an action on them did.

An action on a selection acts only on rows of the studio it is given; an id that is not one of them (another
studio's, a typo, a row gone since) is never touched, only counted, and the person who sent it reads how many.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import ngettext


def ids_of(raw: Iterable[int | str]) -> tuple[set[int], int]:
    """The ids that are whole numbers, and how many values were not."""
    found, bad = set(), 0
    for value in raw:
        try:
            found.add(int(value))
        except (TypeError, ValueError):
            bad += 1
    return found, bad


@dataclass(frozen=True)
class Outcome:
    """What an action on a selection did."""

    done: int  # rows changed (or written to)
    ignored: int  # ids that are not rows of this studio: left alone
    refused: dict[str, int] = field(default_factory=dict)  # messages: why one did not go out, and how often


def outcome_lines(done: str, outcome: Outcome) -> list[str]:
    """What the person who sent the selection reads: what was done, what was left alone, what was refused and why."""
    lines = [done]
    if outcome.ignored:
        lines.append(
            ngettext(
                "%(n)d aangevinkte regel hoort niet bij deze studio en is overgeslagen.",
                "%(n)d aangevinkte regels horen niet bij deze studio en zijn overgeslagen.",
                outcome.ignored,
            )
            % {"n": outcome.ignored}
        )
    if outcome.refused:
        total = sum(outcome.refused.values())
        why = "; ".join(f"{reason}: {count}" for reason, count in sorted(outcome.refused.items()))
        lines.append(
            ngettext(
                "%(n)d bericht niet verstuurd (%(why)s).", "%(n)d berichten niet verstuurd (%(why)s).", total
            )
            % {"n": total, "why": why}
        )
    return lines
