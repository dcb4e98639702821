"""The public site: pages and kennisbank posts from the content folder, the index, sitemap and robots.txt."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import override
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from vollegym import __version__
from vollegym.studios.models import Studio
from vollegym.studios.selectors import site_owner
from vollegym.website.pages import Page
from vollegym.website.site import Site, current_site

_HTML_CACHE_LIMIT = 512


def base_url(request: HttpRequest) -> str:
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


class _HtmlCache:
    """Rendered pages, by site version, URL and base URL: a page is rendered once per change, not per request."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str, str], tuple[bytes, str]] = {}

    def get_or_render(self, key: tuple[str, str, str], render: Any) -> tuple[bytes, str]:
        hit = self._items.get(key)
        if hit is None:
            content: bytes = render().encode()
            etag = '"' + hashlib.sha256(content).hexdigest()[:24] + '"'
            if len(self._items) >= _HTML_CACHE_LIMIT:
                self._items.clear()
            hit = self._items[key] = (content, etag)
        return hit

    def clear(self) -> None:
        self._items.clear()


html_cache = _HtmlCache()


def _owner_key(owner: Studio | None) -> str:
    """What of the site's owner the pages show: a change to it is a new version of every page."""
    if owner is None:
        return ""
    shown = (owner.name, owner.address, owner.phone, owner.email, owner.kvk_number, owner.vat_number)
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:12]


def _cached_page(
    request: HttpRequest, site: Site, key: str, last_modified: float, render: Any, owner: Studio | None
) -> HttpResponse:
    version = site.digest + __version__ + _owner_key(owner)
    content, etag = html_cache.get_or_render((version, key, base_url(request)), render)
    last_modified_header = http_date(last_modified) if last_modified else None
    conditional = get_conditional_response(request, etag=etag, last_modified=int(last_modified) or None)
    if conditional is not None:
        conditional["ETag"] = etag
        return conditional
    response = HttpResponse(content, content_type="text/html; charset=utf-8")
    response["ETag"] = etag
    if last_modified_header:
        response["Last-Modified"] = last_modified_header
    return response


def _page_context(request: HttpRequest, site: Site, page: Page) -> dict[str, Any]:
    body = site.rendered(page)
    related = site.related(page)
    return {
        "page": page,
        "body": body,
        "related_services": [p for p in related if not p.is_blog],
        "related_blogs": [p for p in related if p.is_blog],
        "canonical_url": base_url(request) + page.url,
        "base_url": base_url(request),
        "cta_label": body.cta_label or "Doe de intake",
    }


def _render_page(request: HttpRequest, url: str) -> HttpResponse:
    site = current_site()
    page = site.page(url)
    if page is None:
        raise Http404("No such page")
    owner = site_owner()

    def render() -> str:
        context = _page_context(request, site, page)
        context["site_owner"] = owner
        if page.is_home:
            # The home page shows the whole offer instead of a hand-picked related list.
            context.update(
                services=site.services(), latest_blogs=site.blogs()[:3], related_services=[], related_blogs=[]
            )
        with override("nl"):  # the site is Dutch (dates too), whichever language the visitor set for the app
            return render_to_string("website/page.html", context, request=None)

    return _cached_page(request, site, url, page.mtime, render, owner)


@require_safe
@cache_control(public=True, max_age=300)
def home(request: HttpRequest) -> HttpResponse:
    return _render_page(request, "/")


@require_safe
@cache_control(public=True, max_age=300)
def page(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_page(request, f"/{slug}/")


@require_safe
@cache_control(public=True, max_age=300)
def post(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_page(request, f"/kennisbank/{slug}/")


@require_safe
@cache_control(public=True, max_age=300)
def kennisbank(request: HttpRequest) -> HttpResponse:
    site = current_site()
    posts = site.blogs()
    owner = site_owner()

    def render() -> str:
        with override("nl"):
            return render_to_string(
                "website/kennisbank.html",
                {
                    "posts": posts,
                    "services": site.services(),
                    "canonical_url": base_url(request) + reverse("website:kennisbank"),
                    "base_url": base_url(request),
                    "site_owner": owner,
                },
            )

    return _cached_page(request, site, "kennisbank", site.last_modified, render, owner)


@require_safe
@cache_control(public=True, max_age=3600)
def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /app/",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /hooks/",
        "",
        f"Sitemap: {base_url(request)}{reverse('sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
