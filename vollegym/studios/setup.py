"""What a new studio still misses of its own details before its pages look finished and its invoices can be made."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vollegym.core.studiosetup import Missing
from vollegym.studios.models import StaffMembership, Studio, StudioPhoto

STEP = 0  # the studio itself is made before any app copies


def missing(studio: Studio) -> list[Missing]:
    details = reverse("backoffice:details", args=[studio.slug])
    found = []
    if not (studio.street and studio.postal_code and studio.city):
        found.append(Missing(_("Adres van de studio"), details))
    if not (studio.email or studio.phone):
        found.append(Missing(_("E-mailadres of telefoonnummer van de studio"), details))
    if not studio.kvk_number:
        found.append(Missing(_("KvK-nummer (in de voettekst en straks op facturen)"), details))
    if not StudioPhoto.objects.for_studio(studio).exists():
        found.append(Missing(_("Foto's van de studio"), details))
    if not studio.google_review_url:
        found.append(Missing(_("Link naar de Google-reviews"), details))
    owners = [
        m.user
        for m in StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
    ]
    if not owners or not any(user.has_usable_password() for user in owners):
        found.append(Missing(_("Een eigenaar die de uitnodiging heeft aangenomen"),
                             reverse("backoffice:team", args=[studio.slug]), who="agency"))  # fmt: skip
    return found
