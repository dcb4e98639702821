"""A questionnaire's content, as stored in each version: steps of questions, their points, and the offers.

The price comes last: steps ask about the goal, the why, what was tried, availability, health and readiness;
the plan (offer and price) is shown only after them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["single", "multiple", "short_text", "long_text", "number", "availability", "consent"]
WEEKDAYS = [("ma", "maandag"), ("di", "dinsdag"), ("wo", "woensdag"), ("do", "donderdag"), ("vr", "vrijdag"),
            ("za", "zaterdag"), ("zo", "zondag")]  # fmt: skip
DAYPARTS = [("ochtend", "ochtend"), ("middag", "middag"), ("avond", "avond")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    value: str = Field(min_length=1, max_length=60)
    label: str = Field(min_length=1)
    points: int = 0
    # A reason that marks the prospect (e.g. "zoekt alleen de goedkoopste sportschool"); it never hides them.
    disqualify: str = ""
    # A yes on a health question asks for a note for the coach; it never blocks.
    needs_note: bool = False
    # A yes that asks for a doctor's word before training (PAR-Q+ style): the prospect is advised to see their
    # huisarts first, the lead is marked, and enrolment asks the coach to confirm clearance.
    red_flag: bool = False


class Question(_Model):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Kind
    label: str = Field(min_length=1)
    help: str = ""
    required: bool = True
    options: list[Option] = Field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    # number questions: points when the answer is at least this much
    points_from: int | None = None
    points: int = 0

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> Question:
        if self.kind in ("single", "multiple") and len(self.options) < 2:
            raise ValueError(f"{self.key}: a choice question needs at least two options")
        if self.kind not in ("single", "multiple") and self.options:
            raise ValueError(f"{self.key}: only choice questions have options")
        return self


class Step(_Model):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    intro: str = ""
    questions: list[Question] = Field(min_length=1)
    # Health data (a special category under the AVG): the step's answers are kept only when its consent question
    # is ticked; without it they are not stored at all.
    sensitive: bool = False

    @model_validator(mode="after")
    def _sensitive_asks_consent(self) -> Step:
        if self.sensitive and self.consent_question is None:
            raise ValueError(f"{self.key}: a step with health questions needs its own consent question")
        return self

    @property
    def consent_question(self) -> Question | None:
        return next((q for q in self.questions if q.kind == "consent"), None)


class Offer(_Model):
    """A program the intake may prescribe, with its promise; its price is the linked program's price of today."""

    name: str
    promise: str
    weeks: int = Field(ge=1, le=104)
    sessions_per_week: int = Field(ge=1, le=14)
    price_cents: int = Field(ge=0)  # kept for versions stored before offers read their program; never shown
    fits_goals: list[str] = Field(
        default_factory=list
    )  # values of the "goal" question; empty fits every goal
    # A studio's program (its id) this offer stands for: then the plan shows the program and its price of today,
    # so a price raise reaches the intake by itself. Without one, the texts above are shown and no price: the coach
    # discusses it in the conversation (the intake never quotes a price enrolment would not charge).
    program: int | None = None


class Scoring(_Model):
    hot: int = 60
    warm: int = 30
    referral_bonus: int = 15
    clear_why_bonus: int = 10


class Definition(_Model):
    title: str
    intro: str = ""
    contact_consent: str = Field(min_length=1)
    whatsapp_consent: str = ""
    steps: list[Step] = Field(min_length=1)
    offers: list[Offer] = Field(default_factory=list)
    scoring: Scoring = Scoring()
    plan_title: str = "Jouw plan"
    plan_intro: str = ""

    @model_validator(mode="after")
    def _unique_keys(self) -> Definition:
        keys = [q.key for s in self.steps for q in s.questions]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"question keys must be unique: {', '.join(duplicates)}")
        steps = [s.key for s in self.steps]
        if len(set(steps)) != len(steps) or "contact" in steps or "plan" in steps:
            raise ValueError("step keys must be unique and not 'contact' or 'plan'")
        return self

    def question(self, key: str) -> Question | None:
        return next((q for s in self.steps for q in s.questions if q.key == key), None)

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    @property
    def step_keys(self) -> list[str]:
        return ["contact", *[s.key for s in self.steps], "plan"]


def availability_choices() -> list[tuple[str, str]]:
    return [(f"{d}_{p}", f"{dl} {pl}") for d, dl in WEEKDAYS for p, pl in DAYPARTS]
