from __future__ import annotations

from vollegym.intake.models import IntakeResponse, Questionnaire, QuestionnaireVersion
from vollegym.studios.models import Studio


def current_version(studio: Studio) -> QuestionnaireVersion | None:
    """The version the public intake of a studio asks: the newest of its newest active questionnaire."""
    questionnaire = (
        Questionnaire.objects.for_studio(studio).filter(is_active=True).order_by("-created_at").first()
    )
    if questionnaire is None:
        return None
    return (
        QuestionnaireVersion.objects.for_studio(studio)
        .filter(questionnaire=questionnaire)
        .order_by("-number")
        .first()
    )


def response_by_token(studio: Studio, token: str) -> IntakeResponse | None:
    return (
        IntakeResponse.objects.for_studio(studio)
        .filter(token=token)
        .select_related("version", "lead")
        .first()
    )
