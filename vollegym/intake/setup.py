"""A new studio from a template: its questionnaire (the current version, as version 1, its offers pointing at the
copied programs) and its kinds of conversation; and what a studio needs before prospects can book a conversation."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vollegym.core.studiosetup import Missing, Setup, copy_of
from vollegym.intake.models import Availability, ConsultationType, Questionnaire, QuestionnaireVersion
from vollegym.studios.models import Studio

STEP = 20  # after the programs: offers point at them


def copy(setup: Setup) -> None:
    for questionnaire in Questionnaire.objects.for_studio(setup.source).filter(is_active=True).order_by("id"):
        current = (
            QuestionnaireVersion.objects.for_studio(setup.source)
            .filter(questionnaire=questionnaire)
            .order_by("-number")
            .first()
        )
        if current is None:
            continue
        definition = dict(current.definition)
        offers = []
        for offer in definition.get("offers", []) or []:
            program = setup.mapped("programs", offer.get("program"))
            # An offer of a program that was not copied keeps its texts and shows no price (as it would unlinked).
            offers.append({**offer, "program": program.pk if program is not None else None})
        if "offers" in definition:
            definition["offers"] = offers
        new = copy_of(questionnaire, studio=setup.target)
        new.save()
        QuestionnaireVersion.objects.create(
            studio=setup.target, questionnaire=new, number=1, definition=definition, created_by=setup.by
        )
    for kind in ConsultationType.objects.for_studio(setup.source).order_by("id"):
        copy_of(kind, studio=setup.target).save()


def missing(studio: Studio) -> list[Missing]:
    found = []
    if not Questionnaire.objects.for_studio(studio).filter(is_active=True).exists():
        found.append(
            Missing(_("Een intake-vragenlijst"), reverse("intake_staff:install", args=[studio.slug]))
        )
    if not Availability.objects.for_studio(studio).exists():
        found.append(Missing(_("Wanneer coaches kennismakingsgesprekken doen"),
                             reverse("intake_staff:availability", args=[studio.slug])))  # fmt: skip
    return found
