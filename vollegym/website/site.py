"""The website as a whole: every page of a content folder, by URL, with the problems across pages
(duplicate slugs, links to pages or routes that do not exist). Loaded once per process and reloaded when a
file in the folder changes."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.urls import Resolver404, resolve

from vollegym.website.pages import BLOG_PREFIX, Page, Problem, load_page
from vollegym.website.rendering import RenderedBody, canonical_path, render_body

# Routes of the application that a page may link to, besides other pages (resolved by Django's URLconf).
_CATCH_ALL_VIEWS = frozenset({"website:page", "website:post"})


def route_exists(path: str) -> bool:
    """True when the path is served by the application itself (not by a content page)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name not in _CATCH_ALL_VIEWS


@dataclass
class Site:
    folder: Path
    pages: dict[str, Page] = field(default_factory=dict)  # by URL
    problems: list[Problem] = field(default_factory=list)
    signature: tuple[tuple[str, float, int], ...] = ()
    _rendered: dict[str, RenderedBody] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @cached_property
    def digest(self) -> str:
        joined = "|".join(f"{url}:{page.digest}" for url, page in sorted(self.pages.items()))
        return hashlib.sha256(joined.encode()).hexdigest()[:16]

    @property
    def last_modified(self) -> float:
        return max((p.mtime for p in self.pages.values()), default=0.0)

    def page(self, url: str) -> Page | None:
        return self.pages.get(url)

    def rendered(self, page: Page) -> RenderedBody:
        with self._lock:
            body = self._rendered.get(page.url)
            if body is None:
                body = self._rendered[page.url] = render_body(page.body)
            return body

    def related(self, page: Page) -> list[Page]:
        """The related services and blogs that exist, in the order given; the others are left out."""
        found: list[Page] = []
        for path in [*page.meta.related_services, *page.meta.related_blogs]:
            target = self.pages.get(canonical_path(path) or "")
            if target is not None and target is not page and target not in found:
                found.append(target)
        return found

    def services(self) -> list[Page]:
        return sorted(
            (p for p in self.pages.values() if not p.is_blog and not p.is_home), key=lambda p: p.url
        )

    def blogs(self) -> list[Page]:
        """Newest first: by the date a post gives, then (posts without one) by when its file changed."""

        def newest_first(page: Page) -> tuple[int, float, str]:
            published = page.meta.published
            return (0, -published.toordinal(), page.url) if published else (1, -page.mtime, page.url)

        return sorted((p for p in self.pages.values() if p.is_blog), key=newest_first)


# Pages are Markdown files; the seeds came as .txt. A folder's README is documentation, not a page.
PAGE_SUFFIXES = (".md", ".markdown", ".txt")


def is_page_file(name: str) -> bool:
    return name.lower().endswith(PAGE_SUFFIXES) and not name.lower().startswith("readme.")


def _signature(folder: Path) -> tuple[tuple[str, float, int], ...]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return ()
    return tuple(
        (e.name, e.stat().st_mtime, e.stat().st_size) for e in entries if is_page_file(e.name) and e.is_file()
    )


def load_site(folder: Path, *, exists: Callable[[str], bool] = route_exists) -> Site:
    """Loads and checks every page file of a folder."""
    site = Site(folder=folder)
    if not folder.is_dir():
        site.problems.append(Problem(str(folder), "folder", "does not exist or is not a folder"))
        return site
    site.signature = _signature(folder)
    by_url: dict[str, Page] = {}
    loaded: list[Page] = []
    for name, _mtime, _size in site.signature:
        page, problems = load_page(folder / name)
        site.problems.extend(problems)
        if page is not None:
            loaded.append(page)
    # When two files claim one URL, the file named after its slug keeps it.
    loaded.sort(key=lambda p: (p.file.stem != p.meta.slug, p.file.name))
    for page in loaded:
        name = page.file.name
        if not page.is_blog and not page.is_home and route_exists(page.url):
            site.problems.append(
                Problem(name, "slug", f"{page.meta.slug!r} is taken by the application's route {page.url}")
            )
            continue
        other = by_url.get(page.url)
        if other is not None:
            site.problems.append(
                Problem(name, "slug", f"duplicate: {page.url} is already served by {other.file.name}")
            )
            continue
        by_url[page.url] = page
    site.pages = by_url
    # Links are checked against every page that loaded, so a link to a broken page counts as broken too.
    for page in by_url.values():
        body = site.rendered(page)
        for path in dict.fromkeys(body.internal_links):
            if path not in by_url and not exists(path):
                site.problems.append(
                    Problem(page.file.name, "body", f"link to {path}, a page or route that does not exist")
                )
        for field_name, paths in (
            ("relatedServices", page.meta.related_services),
            ("relatedBlogs", page.meta.related_blogs),
        ):
            for path in paths:
                target = canonical_path(path) or path
                if target not in by_url:
                    site.problems.append(
                        Problem(page.file.name, field_name, f"{path} is not a page of this site")
                    )
                elif field_name == "relatedBlogs" and not target.startswith(BLOG_PREFIX):
                    site.problems.append(
                        Problem(
                            page.file.name, field_name, f"{path} is a service page, not a blog", "warning"
                        )
                    )
    site.problems.sort(key=lambda p: p.file)  # stable: each file's problems in the order found
    return site


class _SiteCache:
    """One loaded site per process; a changed folder is noticed within `interval` seconds."""

    interval = 2.0

    def __init__(self) -> None:
        self._site: Site | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self) -> Site:
        folder = Path(settings.VOLLEGYM_CONTENT_DIR)
        now = time.monotonic()
        site = self._site
        if site is not None and site.folder == folder and now - self._checked < self.interval:
            return site
        with self._lock:
            site = self._site
            if site is None or site.folder != folder or site.signature != _signature(folder):
                site = self._site = load_site(folder)
            self._checked = now
            return site

    def clear(self) -> None:
        with self._lock:
            self._site = None


site_cache = _SiteCache()


def current_site() -> Site:
    return site_cache.get()
