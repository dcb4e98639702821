"""A new studio from a template: the payment plan of each program copied (in full, in terms, per period); never the
template's Mollie connection (each studio is paid into its own account). What a studio misses to be paid through us."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vollegym.core.studiosetup import Missing, Setup, copy_of
from vollegym.payments.models import MollieConnection, PaymentPlan
from vollegym.studios.models import Studio

STEP = 45  # after the programs


def copy(setup: Setup) -> None:
    for plan in PaymentPlan.objects.for_studio(setup.source).order_by("id"):
        program = setup.mapped("programs", plan.program_id)
        if program is not None:
            copy_of(plan, studio=setup.target, program=program).save()


def missing(studio: Studio) -> list[Missing]:
    if MollieConnection.objects.for_studio(studio).exists():
        return []
    return [Missing(_("Mollie koppelen (de API-sleutel van de studio) om betalingen te ontvangen"),
                    reverse("payments:settings", args=[studio.slug]))]  # fmt: skip
