"""What a studio's public pages show of it: its photos, and the address of its privacy statement."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from vollegym.studios.models import Studio, StudioPhoto
from vollegym.studios.selectors import SITE_OWNER_SLUG, studio_photos

register = template.Library()


@register.simple_tag
def studio_photo_url(photo: StudioPhoto, studio: Studio) -> str:
    return reverse("studio_public:photo", kwargs={"studio": studio.slug, "name": photo.file_name})


@register.simple_tag
def privacy_url(studio: Studio | None) -> str:
    """The studio's privacy statement; the Volle Gym site's own for the agency (or when there is no studio)."""
    if studio is None or studio.slug == SITE_OWNER_SLUG:
        return reverse("people_public:site_statement")
    return reverse("people_public:statement", kwargs={"studio": studio.slug})


@register.inclusion_tag("studios/_photos.html")
def studio_photo_band(studio: Studio) -> dict[str, Any]:
    """The studio's photos at the top of its intake; nothing at all when it has none."""
    return {"studio": studio, "photos": list(studio_photos(studio)[:3])}
