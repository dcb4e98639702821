"""A studio's own photos on its public pages: an upload is accepted only when it decodes as a JPEG, PNG or WebP
photo of sane size, and is stored re-encoded (a JPEG at most 1600 pixels wide, turned upright, without its
metadata such as the place it was taken). What is stored is therefore always a plain JPEG, never the uploaded
bytes: no SVG, HTML or script can be served back from the studio's address."""

from __future__ import annotations

import io
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from vollegym.studios.models import Studio, StudioPhoto
from vollegym.studios.selectors import studio_photos

MAX_PHOTOS = 3
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a phone's photo is 2 to 8 MB
MAX_PIXELS = 50_000_000  # more is no photo but a decompression bomb
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
LONG_SIDE = 1600  # wide enough for the widest header, in one file for every screen
JPEG_QUALITY = 82


class PhotoError(Exception):
    """Why an upload or a change was refused, in words for the owner."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reencoded(upload: IO[bytes], size: int) -> tuple[bytes, int, int]:
    """The upload as a fresh JPEG with its width and height, or PhotoError when it is no photo we take."""
    if size > MAX_UPLOAD_BYTES:
        raise PhotoError(_("Deze foto is groter dan 10 MB. Kies een kleinere."))
    try:
        with Image.open(upload, formats=ACCEPTED_FORMATS) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise PhotoError(_("Deze foto heeft te veel pixels. Kies een kleinere."))
            opened.load()  # decodes the whole image: a truncated or disguised file fails here
            image = ImageOps.exif_transpose(opened)
            if image.mode in ("RGBA", "LA", "P", "PA"):
                rgba = image.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                image = flat
            else:
                image = image.convert("RGB")
            image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    except PhotoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise PhotoError(
            _("Dit is geen foto die we kunnen tonen. Kies een JPEG-, PNG- of WebP-bestand.")
        ) from None
    return out.getvalue(), image.width, image.height


@transaction.atomic
def studio_photo_add(*, studio: Studio, upload: IO[bytes], size: int, alt_text: str) -> StudioPhoto:
    """Adds a photo after the others: at most three, each with a description for who cannot see it."""
    alt_text = " ".join(alt_text.split())
    if not alt_text:
        raise PhotoError(_("Beschrijf wat er op de foto staat, voor wie hem niet kan zien."))
    photos = studio_photos(studio).select_for_update()
    if len(photos) >= MAX_PHOTOS:
        raise PhotoError(_("Er staan al drie foto's. Haal er eerst een weg."))
    data, width, height = _reencoded(upload, size)
    photo = StudioPhoto(
        studio=studio,
        alt_text=alt_text,
        width=width,
        height=height,
        position=max((p.position for p in photos), default=-1) + 1,
    )
    photo.image.save("photo.jpg", ContentFile(data), save=False)
    try:
        photo.full_clean()
        photo.save()
    except Exception:
        photo.image.delete(save=False)
        raise
    return photo


@transaction.atomic
def studio_photo_first(*, photo: StudioPhoto) -> StudioPhoto:
    """Makes a photo the first, large one; the others keep their order behind it."""
    others = [p for p in studio_photos(photo.studio).select_for_update() if p.pk != photo.pk]
    for position, each in enumerate([photo, *others]):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])
    return photo


@transaction.atomic
def studio_photo_remove(*, photo: StudioPhoto) -> None:
    """Takes a photo off the public pages; its file goes once the removal is committed."""
    name, storage = photo.image.name, photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))
