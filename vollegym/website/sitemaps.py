from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from vollegym.website.pages import Page
from vollegym.website.site import current_site


class _SiteUrlSitemap:
    """Absolute URLs on SITE_URL when it is set, else on the host the request came in on."""

    def get_domain(self, site: Any = None) -> str:
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).netloc
        return super().get_domain(site)  # type: ignore[misc,no-any-return]

    def get_protocol(self, protocol: str | None = None) -> str:
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).scheme
        return super().get_protocol(protocol)  # type: ignore[misc,no-any-return]


class PageSitemap(_SiteUrlSitemap, Sitemap[Page]):
    def items(self) -> list[Page]:
        site = current_site()
        return sorted(site.pages.values(), key=lambda p: p.url)

    def location(self, item: Page) -> str:
        return item.url

    def lastmod(self, item: Page) -> datetime:
        changed = item.meta.updated or item.meta.published  # what the page says, else when its file changed
        if changed is not None:
            return datetime.combine(changed, time.min, tzinfo=UTC)
        return datetime.fromtimestamp(item.mtime, tz=UTC)

    def priority(self, item: Page) -> float:
        return 1.0 if item.is_home else 0.8 if not item.is_blog else 0.6


class IndexSitemap(_SiteUrlSitemap, Sitemap[str]):
    def items(self) -> list[str]:
        return ["website:kennisbank"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str) -> datetime | None:
        modified = current_site().last_modified
        return datetime.fromtimestamp(modified, tz=UTC) if modified else None


sitemaps = {"pages": PageSitemap, "index": IndexSitemap}
