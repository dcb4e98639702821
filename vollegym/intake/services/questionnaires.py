"""Writes of the intake: install a questionnaire, start an intake (which is a lead at once), answer its steps."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.intake import scoring
from vollegym.intake.definition import Definition, Step
from vollegym.intake.models import IntakeResponse, Questionnaire, QuestionnaireVersion
from vollegym.intake.presets import preset
from vollegym.intake.selectors import questionnaire_kinds
from vollegym.intake.services.questions import QuestionnaireError, questionnaire_revise
from vollegym.leads.services import (
    CaptureError,
    ConsentInput,
    LeadInput,
    lead_answers_merge,
    lead_capture,
    lead_mark_clearance,
)
from vollegym.people.events import IntakeCompleted, event_record
from vollegym.people.models import How, Purpose
from vollegym.people.services import consent_record
from vollegym.studios.models import Studio, User

RATE_LIMIT = 5  # intakes per address per studio
RATE_WINDOW = timedelta(minutes=10)


class TooManyIntakes(Exception):
    """Too many intakes from one address in a short time (spam protection)."""


@transaction.atomic
def questionnaire_install(*, studio: Studio, kind: str, by: User | None = None) -> Questionnaire:
    """Gives a studio one of the ready-made questionnaires meant for its kind of studio, as version 1."""
    if kind not in questionnaire_kinds(studio):
        raise QuestionnaireError(_("Deze vragenlijst is niet voor dit soort studio."), "kind")
    definition = preset(kind)
    questionnaire = Questionnaire.objects.create(studio=studio, name=definition.title, kind=kind)
    QuestionnaireVersion.objects.create(
        studio=studio,
        questionnaire=questionnaire,
        number=1,
        definition=definition.model_dump(),
        created_by=by,
    )
    return questionnaire


def questionnaire_publish(
    *, questionnaire: Questionnaire, definition: dict[str, Any], by: User | None
) -> QuestionnaireVersion:
    """Publishes an edited questionnaire as a new version; answers already given keep theirs."""

    def replace(current: dict[str, Any], versions: list[QuestionnaireVersion]) -> None:
        current.clear()
        current.update(definition)

    return questionnaire_revise(questionnaire=questionnaire, change=replace, by=by)


def ip_hash(address: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


def readable_answers(definition: Definition, answers: dict[str, Any]) -> dict[str, str]:
    """Answers as the coach reads them: question label → the chosen labels or the text."""
    readable = {}
    for step in definition.steps:
        for question in step.questions:
            value = answers.get(question.key)
            if value in (None, "", []) or question.kind == "consent":
                continue  # a consent lives in the person's ledger, not among the answers
            if question.kind in ("single", "multiple"):
                chosen = value if isinstance(value, list) else [value]
                labels = {o.value: o.label for o in question.options}
                readable[question.label] = ", ".join(labels.get(str(v), str(v)) for v in chosen)
            elif question.kind == "availability":
                readable[question.label] = ", ".join(v.replace("_", " ") for v in value)
            else:
                readable[question.label] = str(value)
    return readable


@transaction.atomic
def intake_start(
    *,
    studio: Studio,
    version: QuestionnaireVersion,
    name: str,
    email: str,
    phone: str,
    whatsapp: bool = False,
    source: str = "website",
    address: str = "",
    utm: dict[str, str] | None = None,
) -> IntakeResponse:
    """The contact step: the lead exists from here on (an abandoned intake still leaves a lead and its clock).

    The UTM parameters of the link they came by stay with the lead; utm_campaign is its campaign."""
    hashed = ip_hash(address) if address else ""
    if hashed:
        recent = IntakeResponse.objects.for_studio(studio).filter(
            ip_hash=hashed, created_at__gte=clock.now() - RATE_WINDOW
        )
        if recent.count() >= RATE_LIMIT:
            raise TooManyIntakes
    definition = version.content
    # Each consent keeps which intake's words the person saw; the same words again add nothing to the ledger.
    seen = f"intake v{version.number}"
    consents = [
        ConsentInput("contact", definition.contact_consent.format(studio=studio.name), True, "intake", seen)
    ]
    if whatsapp and definition.whatsapp_consent:
        consents.append(ConsentInput("whatsapp", definition.whatsapp_consent, True, "whatsapp", seen))
    captured = lead_capture(
        studio=studio,
        data=LeadInput(source=source, name=name, email=email, phone=phone, form=f"intake v{version.number}",
                       consents=consents, utm=utm or {}, campaign=(utm or {}).get("utm_campaign", "")),
    )  # fmt: skip
    result = scoring.score(definition, {}, referral=source == "referral")
    return IntakeResponse.objects.create(
        studio=studio, version=version, lead=captured.lead, person_id=captured.lead.person_id, ip_hash=hashed, step=definition.step_keys[1],
        score=result.points, temperature=result.temperature, reasons=result.reasons,
    )  # fmt: skip


def _health_consented(response: IntakeResponse, step: Step, answers: dict[str, Any]) -> bool:
    """Health answers are kept only with the step's explicit consent (AVG art. 9); the ledger records the choice.

    Without it every answer of the step is dropped, earlier ones too: the coach asks in the conversation instead.
    """
    consent = step.consent_question
    assert consent is not None  # a sensitive step has one (checked when the questionnaire is saved)
    given = answers.get(consent.key) is True
    consent_record(
        person=response.lead.person, purpose=Purpose.HEALTH, given=given, how=How.FORM, source="intake",
        wording=consent.label if given else "", wording_version=f"intake v{response.version.number}",
        unless_standing=True,
    )  # fmt: skip
    return given


@transaction.atomic
def intake_answer(*, response: IntakeResponse, step: str, answers: dict[str, Any]) -> IntakeResponse:
    """Stores one step's answers, scores again, and moves on; the lead gets the answers as the coach reads them."""
    # One step at a time per intake: a double submit of the last step completes it once.
    response = IntakeResponse.objects.for_studio(response.studio_id).select_for_update().get(pk=response.pk)
    definition = response.version.content
    current = definition.step(step)
    if current is None:
        raise CaptureError("step", f"unknown step {step!r}")
    dropped: set[str] = set()
    if current.sensitive and not _health_consented(response, current, answers):
        dropped = {q.key for q in current.questions}
        answers = {}
    response.answers = {k: v for k, v in response.answers.items() if k not in dropped} | answers
    keys = definition.step_keys
    response.step = keys[keys.index(step) + 1]
    result = scoring.score(definition, response.answers, referral=response.lead.source == "referral")
    response.score, response.temperature = result.points, result.temperature
    response.disqualified, response.reasons = result.disqualified, result.reasons
    response.health_flags = result.red_flags
    note = ""
    if response.step == "plan" and response.completed_at is None:
        response.completed_at = clock.now()
        label = IntakeResponse.Temperature(result.temperature).label
        note = f"Intake ingevuld: score {result.points} ({label})" + (
            ", gemarkeerd" if result.disqualified else ""
        )
    response.save()
    if note:
        event_record(
            studio=response.studio_id, person=response.person_id,
            event=IntakeCompleted(
                lead_id=response.lead_id, response_id=response.pk, score=result.points,
                temperature=result.temperature, red_flags=len(result.red_flags),
            ),
        )  # fmt: skip
    if current.sensitive:
        lead_mark_clearance(lead=response.lead, needed=bool(result.red_flags))
    # The lead keeps the answers as the coach reads them; the score and its reasons stay with the intake, whose
    # panel on the lead's page shows them (one place, so they cannot disagree).
    # Health answers given without consent leave no trace on the lead either (not even an earlier copy).
    forget = [q.label for q in current.questions] if dropped else []
    lead_answers_merge(
        lead=response.lead, answers=readable_answers(definition, response.answers), note=note, forget=forget
    )
    return response
