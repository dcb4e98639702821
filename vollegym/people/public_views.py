"""The privacy statement a visitor reads: one per studio, and the Volle Gym site's own, with the studio's retention
periods and contact details as they are set now."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from vollegym.people.selectors import retention_of
from vollegym.studios.selectors import SITE_OWNER_SLUG, active_studio, site_owner


@require_safe
def statement(request: HttpRequest, studio: str = SITE_OWNER_SLUG) -> HttpResponse:
    if studio == SITE_OWNER_SLUG:
        found = site_owner()  # None on an install without the agency's tenant: the statement still stands
    else:
        found = active_studio(studio)
        if found is None:
            raise Http404("No such studio")
    is_site = found is None or found.slug == SITE_OWNER_SLUG
    return render(
        request,
        "people/statement.html",
        {
            "studio": found,
            "is_site": is_site,
            "retention": retention_of(found),
            "authority_url": AUTHORITY_URL,
        },
    )


AUTHORITY_URL = "https://autoriteitpersoonsgegevens.nl/"
