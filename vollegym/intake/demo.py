"""Demo data of the intake: the demo studio asks the PT intake, the agency's site the studio-owner intake."""

from __future__ import annotations

from vollegym.intake.models import Questionnaire
from vollegym.intake.services import questionnaire_install
from vollegym.studios.models import Studio


def load() -> None:
    for slug, kind in (("demo", "pt"), ("volle-gym", "agency")):
        studio = Studio.objects.filter(slug=slug).first()
        if studio is not None and not Questionnaire.objects.for_studio(studio).exists():
            questionnaire_install(studio=studio, kind=kind)
