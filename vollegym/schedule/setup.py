"""A new studio from a template: the agenda's settings and the weekly classes (without a coach: the new studio's
team is not the template's), each still tied to the copied program it gives a place in."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vollegym.core.studiosetup import Missing, Setup, copy_of
from vollegym.schedule.models import ClassTemplate, ScheduleSettings
from vollegym.studios.models import Studio

STEP = 30


def copy(setup: Setup) -> None:
    settings = ScheduleSettings.objects.for_studio(setup.source).first()
    if settings is not None:
        copy_of(settings, studio=setup.target).save()
    for template in ClassTemplate.objects.for_studio(setup.source).filter(is_active=True).order_by("id"):
        program = setup.mapped("programs", template.program_id)
        copy_of(template, studio=setup.target, program=program, coach=None).save()


def missing(studio: Studio) -> list[Missing]:
    found = []
    if (
        studio.kind != Studio.Kind.PT
        and not ClassTemplate.objects.for_studio(studio).filter(is_active=True).exists()
    ):
        found.append(Missing(_("Lessen op het rooster"), reverse("agenda:classes", args=[studio.slug])))
    if ClassTemplate.objects.for_studio(studio).filter(is_active=True, coach__isnull=True).exists():
        found.append(Missing(_("Een coach bij elke les"), reverse("agenda:classes", args=[studio.slug])))
    return found
