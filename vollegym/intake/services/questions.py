"""Writes of the intake editor: questions and options added, removed and moved, each change a new version.

A prospect's answers point at the version they answered, never at the questionnaire: a question removed from the
next version stays, with its answers and their scoring, in every version that asked it. A new question or option
gets a key that no version of the questionnaire used before, so an old answer never reads as a new question's.
The explicit health consent of a sensitive step (AVG art. 9) cannot be removed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pydantic
from django.db import transaction
from django.utils.translation import gettext as _

from vollegym.intake.definition import Definition
from vollegym.intake.models import Questionnaire, QuestionnaireVersion
from vollegym.studios.models import User

POINTS_LIMIT = 100  # points per answer, either way
CHOICE_KINDS = frozenset({"single", "multiple"})
# The kinds an owner adds; a consent question comes only with a health step (the law's wording, not the owner's).
ADDABLE_KINDS = ("single", "multiple", "short_text", "long_text", "number", "availability")
# The week grid is matched against the open spots of the groups by this key (schedule.selectors).
AVAILABILITY_KEY = "availability"

Definitionish = dict[str, Any]


class QuestionnaireError(ValueError):
    """A change to a questionnaire that is not allowed; the reason is for the owner, `field` the form field."""

    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.reason, self.field = reason, field


class QuestionnaireChanged(QuestionnaireError):
    """The questionnaire got a newer version since the page was opened (another tab, a double click)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "De vragenlijst is intussen veranderd. Kijk of alles staat zoals je wilt en probeer het opnieuw."
            )
        )


class UnknownQuestion(LookupError):
    """No such step, question or option in the questionnaire's newest version."""


@dataclass(frozen=True)
class QuestionInput:
    label: str
    kind: str
    help: str = ""
    required: bool = True
    options: tuple[str, ...] = ()  # the answers' texts, in order (choice questions)
    minimum: int | None = None  # number questions
    maximum: int | None = None
    points_from: int | None = None
    points: int = 0


# ---- checking a whole definition, in the owner's language --------------------------------------------------


def _check_points(points: Any, field: str = "points") -> None:
    if not isinstance(points, int) or not -POINTS_LIMIT <= points <= POINTS_LIMIT:
        raise QuestionnaireError(
            _("Punten liggen tussen -%(limit)s en %(limit)s.") % {"limit": POINTS_LIMIT}, field
        )


def definition_check(definition: Definitionish) -> Definition:
    """The rules a questionnaire keeps, with Dutch reasons: texts, at least two answers, points within range."""
    for step in definition.get("steps", []):
        if not step.get("questions"):
            raise QuestionnaireError(_("Een stap houdt minstens één vraag."))
        for question in step["questions"]:
            if not str(question.get("label", "")).strip():
                raise QuestionnaireError(_("Een vraag heeft een tekst nodig."), "label")
            _check_points(question.get("points", 0))
            options = question.get("options", [])
            if question.get("kind") in CHOICE_KINDS and len(options) < 2:
                raise QuestionnaireError(_("Een keuzevraag heeft minstens twee antwoorden nodig."), "options")
            for option in options:
                if not str(option.get("label", "")).strip():
                    raise QuestionnaireError(_("Een antwoord heeft een tekst nodig."), "label")
                _check_points(option.get("points", 0))
        if step.get("sensitive") and not any(q.get("kind") == "consent" for q in step["questions"]):
            raise QuestionnaireError(
                _("Een stap over gezondheid houdt de vraag om toestemming om de antwoorden te bewaren.")
            )
    try:
        return Definition.model_validate(definition)
    except pydantic.ValidationError as exc:  # a rule the checks above do not name in Dutch
        raise QuestionnaireError(
            _("Deze vragenlijst klopt niet: %(detail)s") % {"detail": exc.errors()[0]["msg"]}
        ) from exc


# ---- one change, one version -------------------------------------------------------------------------------


def _latest(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return (
        QuestionnaireVersion.objects.for_studio(questionnaire.studio_id)
        .filter(questionnaire=questionnaire)
        .order_by("-number")
        .first()
    )


@transaction.atomic
def questionnaire_revise(
    *,
    questionnaire: Questionnaire,
    change: Callable[[Definitionish, list[QuestionnaireVersion]], bool | None],
    by: User | None,
    expected: int | None = None,
) -> QuestionnaireVersion:
    """Applies one change to the newest version and publishes the result as the next; answers keep theirs.

    The questionnaire is locked, so two owners' changes follow each other; `expected` (the version the owner saw)
    refuses a change to a version that has moved on. A change that says it changed nothing (False: a move past
    the edge) publishes nothing.
    """
    list(
        Questionnaire.objects.for_studio(questionnaire.studio_id)
        .select_for_update()
        .filter(pk=questionnaire.pk)
        .values_list("pk", flat=True)
    )
    versions = list(
        QuestionnaireVersion.objects.for_studio(questionnaire.studio_id)
        .filter(questionnaire=questionnaire)
        .order_by("-number")
    )
    if not versions:
        raise UnknownQuestion("a questionnaire without a version")
    latest = versions[0]
    if expected is not None and latest.number != expected:
        raise QuestionnaireChanged
    definition = latest.content.model_dump()
    if change(definition, versions) is False:
        return latest
    checked = definition_check(definition)
    return QuestionnaireVersion.objects.create(
        studio_id=questionnaire.studio_id, questionnaire=questionnaire, number=latest.number + 1,
        definition=checked.model_dump(), created_by=by,
    )  # fmt: skip


def _step(definition: Definitionish, key: str) -> dict[str, Any]:
    step: dict[str, Any]
    for step in definition["steps"]:
        if step["key"] == key:
            return step
    raise UnknownQuestion(key)


def _question(definition: Definitionish, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for step in definition["steps"]:
        for question in step["questions"]:
            if question["key"] == key:
                return step, question
    raise UnknownQuestion(key)


def _option(question: dict[str, Any], value: str) -> dict[str, Any]:
    option: dict[str, Any]
    for option in question["options"]:
        if option["value"] == value:
            return option
    raise UnknownQuestion(value)


def _fresh(prefix: str, used: set[str]) -> str:
    """The first `<prefix>_<n>` nobody used."""
    return next(f"{prefix}_{n}" for n in itertools.count(1) if f"{prefix}_{n}" not in used)


def _keys_ever(versions: list[QuestionnaireVersion]) -> set[str]:
    return {q["key"] for v in versions for s in v.definition.get("steps", []) for q in s.get("questions", [])}


def _values_ever(versions: list[QuestionnaireVersion], key: str) -> set[str]:
    return {
        o["value"]
        for v in versions
        for s in v.definition.get("steps", [])
        for q in s.get("questions", [])
        if q["key"] == key
        for o in q.get("options", [])
    }


def _label(text: str, *, field: str = "label", reason: str = "") -> str:
    cleaned = re.sub(r"\s+", " ", text).strip()
    if not cleaned:
        raise QuestionnaireError(reason or _("Een vraag heeft een tekst nodig."), field)
    return cleaned


def _move(items: list[Any], index: int, offset: int) -> bool:
    """Swaps an item with its neighbour; False when there is none (the first moved up, the last down)."""
    target = index + offset
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    return True


# ---- questions ------------------------------------------------------------------------------------------------


def question_add(
    *,
    questionnaire: Questionnaire,
    step: str,
    question: QuestionInput,
    by: User | None,
    expected: int | None = None,
) -> QuestionnaireVersion:
    """Adds a question at the end of a step: a text, a kind the intake knows, two answers or more for a choice."""
    label = _label(question.label)
    if question.kind not in ADDABLE_KINDS:
        raise QuestionnaireError(_("Kies wat voor vraag het is."), "kind")
    options = [line.strip() for line in question.options if line.strip()]
    if question.kind in CHOICE_KINDS and len(options) < 2:
        raise QuestionnaireError(_("Een keuzevraag heeft minstens twee antwoorden nodig."), "options")
    _check_points(question.points)
    if (
        question.kind == "number"
        and question.minimum is not None
        and question.maximum is not None
        and question.minimum > question.maximum
    ):
        raise QuestionnaireError(_("Het kleinste getal ligt niet boven het grootste."), "maximum")

    def change(definition: Definitionish, versions: list[QuestionnaireVersion]) -> None:
        into = _step(definition, step)
        if question.kind == "availability":
            if any(q["kind"] == "availability" for s in definition["steps"] for q in s["questions"]):
                raise QuestionnaireError(
                    _("Deze intake vraagt al naar de week; één weekrooster is genoeg."), "kind"
                )
            key = AVAILABILITY_KEY
        else:
            key = _fresh("vraag", _keys_ever(versions) | {AVAILABILITY_KEY})
        added: dict[str, Any] = {"key": key, "kind": question.kind, "label": label,
                                 "help": question.help.strip(), "required": question.required}  # fmt: skip
        if question.kind in CHOICE_KINDS:
            # A yes on a health question asks for a note for the coach, like the ready-made ones.
            added["options"] = [
                {"value": f"antwoord_{n}", "label": text, "needs_note": bool(into.get("sensitive"))}
                for n, text in enumerate(options, start=1)
            ]
        if question.kind == "number":
            added |= {"minimum": question.minimum, "maximum": question.maximum}
            if question.points_from is not None:
                added |= {"points_from": question.points_from, "points": question.points}
        into["questions"].append(added)

    return questionnaire_revise(questionnaire=questionnaire, change=change, by=by, expected=expected)


def question_remove(
    *, questionnaire: Questionnaire, key: str, by: User | None, expected: int | None = None
) -> QuestionnaireVersion:
    """Takes a question out of the next version; a step's health consent stays, and a step keeps one question."""

    def change(definition: Definitionish, versions: list[QuestionnaireVersion]) -> None:
        step, question = _question(definition, key)
        if step.get("sensitive") and question["kind"] == "consent":
            raise QuestionnaireError(
                _(
                    "Deze toestemming blijft staan: zonder die vraag mogen de antwoorden over gezondheid niet "
                    "bewaard worden (AVG)."
                )
            )
        if len(step["questions"]) == 1:
            raise QuestionnaireError(_("Een stap houdt minstens één vraag."))
        step["questions"].remove(question)

    return questionnaire_revise(questionnaire=questionnaire, change=change, by=by, expected=expected)


def question_move(
    *,
    questionnaire: Questionnaire,
    key: str,
    direction: Literal[-1, 1],
    by: User | None,
    expected: int | None = None,
) -> QuestionnaireVersion:
    """Moves a question one place up (-1) or down (1) within its step; at the step's edge nothing changes."""

    def change(definition: Definitionish, versions: list[QuestionnaireVersion]) -> bool:
        step, question = _question(definition, key)
        return _move(step["questions"], step["questions"].index(question), direction)

    return questionnaire_revise(questionnaire=questionnaire, change=change, by=by, expected=expected)


# ---- options --------------------------------------------------------------------------------------------------


def option_add(
    *,
    questionnaire: Questionnaire,
    key: str,
    label: str,
    points: int = 0,
    by: User | None,
    expected: int | None = None,
) -> QuestionnaireVersion:
    """Adds an answer at the end of a choice question, with its points (within range)."""
    text = _label(label, reason=_("Een antwoord heeft een tekst nodig."))
    _check_points(points)

    def change(definition: Definitionish, versions: list[QuestionnaireVersion]) -> None:
        step, question = _question(definition, key)
        if question["kind"] not in CHOICE_KINDS:
            raise QuestionnaireError(_("Alleen een keuzevraag heeft antwoorden om uit te kiezen."))
        value = _fresh("antwoord", _values_ever(versions, key))
        question["options"].append(
            {"value": value, "label": text, "points": points, "needs_note": bool(step.get("sensitive"))}
        )

    return questionnaire_revise(questionnaire=questionnaire, change=change, by=by, expected=expected)


def option_remove(
    *, questionnaire: Questionnaire, key: str, value: str, by: User | None, expected: int | None = None
) -> QuestionnaireVersion:
    """Takes an answer out of the next version; a choice question keeps two."""

    def change(definition: Definitionish, versions: list[QuestionnaireVersion]) -> None:
        _step_of, question = _question(definition, key)
        option = _option(question, value)
        if len(question["options"]) <= 2:
            raise QuestionnaireError(_("Een keuzevraag houdt minstens twee antwoorden."))
        question["options"].remove(option)

    return questionnaire_revise(questionnaire=questionnaire, change=change, by=by, expected=expected)


def option_move(
    *,
    questionnaire: Questionnaire,
    key: str,
    value: str,
    direction: Literal[-1, 1],
    by: User | None,
    expected: int | None = None,
) -> QuestionnaireVersion:
    """Moves an answer one place up (-1) or down (1) within its question."""

    def change(definition: Definitionish, versions: list[QuestionnaireVersion]) -> bool:
        _step_of, question = _question(definition, key)
        option = _option(question, value)
        return _move(question["options"], question["options"].index(option), direction)

    return questionnaire_revise(questionnaire=questionnaire, change=change, by=by, expected=expected)
