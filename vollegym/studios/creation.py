"""The agency sets up a new studio from a template studio in one step: the studio, its owner's invitation, and every
app's copy of the template's way of working (see core/studiosetup.py); then a checklist of what is still missing."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vollegym.core.studiosetup import Missing, Setup, studio_setup_modules
from vollegym.studios.models import StaffMembership, Studio, User
from vollegym.studios.services import staff_invite, studio_create

# Words the back office's own addresses use right after /app/: a studio with such a slug would be unreachable there.
RESERVED_SLUGS = frozenset(
    {"login", "logout", "account", "bureau", "admin", "api", "static", "media", "s", "app"}
)


class StudioSetupError(ValueError):
    """A new studio that cannot be made as asked; the message says why, in Dutch, and `field` which field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@transaction.atomic
def studio_create_from_template(
    *,
    name: str,
    slug: str,
    kind: str,
    city: str,
    owner_name: str,
    owner_email: str,
    template: Studio,
    by: User,
) -> Studio:
    """A new studio with the template's questionnaire, programs and prices, classes, texts and playbooks, its owner
    invited by e-mail; all of it or nothing (a failure leaves no half-made studio)."""
    slug = slug.strip().lower()
    if slug in RESERVED_SLUGS:
        raise StudioSetupError(_("Dit webadres is gereserveerd voor het systeem; kies een ander."), "slug")
    if Studio.objects.filter(slug=slug).exists():
        raise StudioSetupError(_("Er is al een studio met dit webadres."), "slug")
    if not template.is_active:
        raise StudioSetupError(_("Kies een actieve studio als voorbeeld."), "template")
    try:
        studio = studio_create(name=name, slug=slug, kind=kind, city=city)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise StudioSetupError(" ".join(messages), field) from None
    staff_invite(
        studio=studio, email=owner_email, full_name=owner_name, role=StaffMembership.Role.OWNER, invited_by=by
    )
    setup = Setup(source=template, target=studio, by=by)
    for module in studio_setup_modules():
        if hasattr(module, "copy"):
            module.copy(setup)
    return studio


@dataclass(frozen=True)
class Checklist:
    studio: Studio
    missing: list[Missing]

    @property
    def done(self) -> bool:
        return not self.missing


def studio_checklist(studio: Studio) -> Checklist:
    """Everything the studio still misses, as each app sees it, in the order the apps are set up."""
    found: list[Missing] = []
    for module in studio_setup_modules():
        if hasattr(module, "missing"):
            found.extend(module.missing(studio))
    return Checklist(studio=studio, missing=found)
