"""Qualification: points per answer and a few rules, each shown to the coach as a reason (INTAKE.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vollegym.intake.definition import Definition, Offer


@dataclass
class Score:
    points: int = 0
    temperature: str = "cold"
    disqualified: bool = False
    reasons: list[str] = field(default_factory=list)
    # Health answers that ask for a doctor's word first (PAR-Q+ style), by their labels.
    red_flags: list[str] = field(default_factory=list)

    def add(self, points: int, reason: str) -> None:
        if points:
            self.points += points
            self.reasons.append(f"{points:+d} {reason}")


def score(definition: Definition, answers: dict[str, Any], *, referral: bool = False) -> Score:
    result = Score()
    for step in definition.steps:
        for question in step.questions:
            answer = answers.get(question.key)
            if answer in (None, "", []):
                continue
            if question.kind in ("single", "multiple"):
                chosen = answer if isinstance(answer, list) else [answer]
                for option in question.options:
                    if option.value not in chosen:
                        continue
                    result.add(option.points, f"{question.label} {option.label}")
                    if option.disqualify:
                        result.disqualified = True
                        result.reasons.append(f"Gemarkeerd: {option.disqualify}")
                    if option.red_flag:
                        result.red_flags.append(option.label)
                        result.reasons.append(f"Eerst akkoord van de huisarts: {option.label}")
                    elif option.needs_note:
                        result.reasons.append(f"Let op, vraag ernaar: {option.label}")
            elif (
                question.kind == "number"
                and question.points_from is not None
                and isinstance(answer, int)
                and answer >= question.points_from
            ):
                result.add(question.points, f"{question.label} {answer}")
    if str(answers.get("goal_words", "")).strip() and str(answers.get("why_now", "")).strip():
        result.add(definition.scoring.clear_why_bonus, "Duidelijk doel met een reden om nu te beginnen")
    if referral:
        result.add(definition.scoring.referral_bonus, "Doorverwezen door een lid: begint warmer")
    s = definition.scoring
    result.temperature = "hot" if result.points >= s.hot else "warm" if result.points >= s.warm else "cold"
    return result


def fitting_offers(definition: Definition, answers: dict[str, Any]) -> list[Offer]:
    """The offers whose goals include the prospect's goal (or any goal), in the studio's order."""
    goal = answers.get("goal")
    return [o for o in definition.offers if not o.fits_goals or goal in o.fits_goals]


def matching_offer(definition: Definition, answers: dict[str, Any]) -> Offer | None:
    """The program the answers point to: the first offer that fits the prospect's goal."""
    return next(iter(fitting_offers(definition, answers)), None)
