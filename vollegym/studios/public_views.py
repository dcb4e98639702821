"""A studio's photos, served by the application itself: a self-hosted install needs no separate file server."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from vollegym.studios.selectors import active_studio, studio_photos


@require_safe
def photo(request: HttpRequest, studio: str, name: str) -> FileResponse:
    found = active_studio(studio)
    if found is None:
        raise Http404("No such studio")
    stored = studio_photos(found).filter(image=f"studios/{found.pk}/{name}").first()
    if stored is None:
        raise Http404("No such photo")
    try:
        handle = stored.image.open("rb")
    except FileNotFoundError:
        raise Http404("The photo's file is gone") from None
    # Always a JPEG we wrote ourselves (studios.photos); its random name changes with every upload.
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
