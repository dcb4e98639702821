"""A new studio from a template: how leads are handled (the response time, handing leads out in turn), not the
template's opening hours (the new studio's own) nor its webhook secret (a new one); and the doors still closed."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vollegym.core.studiosetup import Missing, Setup
from vollegym.leads.models import LeadSettings, MetaPage, default_opening_hours
from vollegym.studios.models import Studio

STEP = 40


def copy(setup: Setup) -> None:
    settings = LeadSettings.objects.for_studio(setup.source).first()
    if settings is not None:
        LeadSettings.objects.create(
            studio=setup.target, sla_minutes=settings.sla_minutes, round_robin=settings.round_robin
        )


def missing(studio: Studio) -> list[Missing]:
    found = []
    settings = LeadSettings.objects.for_studio(studio).first()
    if settings is None or settings.opening_hours == default_opening_hours():
        found.append(Missing(_("Openingstijden (de reactietijd telt alleen binnen de openingstijden)"),
                             reverse("leads:settings", args=[studio.slug])))  # fmt: skip
    if not MetaPage.objects.for_studio(studio).exists():
        found.append(Missing(_("Facebook-pagina koppelen voor Meta Lead Ads"),
                             reverse("leads:integrations", args=[studio.slug]), who="agency"))  # fmt: skip
    return found
