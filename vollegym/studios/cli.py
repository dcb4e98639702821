"""What our management commands share about studios: the STUDIO argument."""

from __future__ import annotations

from django.core.management.base import CommandError

from vollegym.studios.models import Studio


def studio_argument(slug: str) -> Studio:
    """The studio a command names by slug, or a CommandError that says which slug is unknown."""
    studio = Studio.objects.filter(slug=slug).first()
    if studio is None:
        raise CommandError(f"no studio with slug {slug}")
    return studio
