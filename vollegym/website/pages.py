"""Content pages: Markdown files with YAML front matter, loaded from a folder and validated.

A file with a bad front matter is reported (file, field, why) and left out of the site; it never breaks the
other pages. Unknown fields are warnings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal

import frontmatter
import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictStr, ValidationError
from pydantic_core import ErrorDetails

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HOME_SLUG = "home"
BLOG_PREFIX = "/kennisbank/"


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty")
    return value


def _slug(value: str) -> str:
    if not SLUG_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a slug: use lowercase letters, digits and single hyphens")
    return value


def _site_path(value: str) -> str:
    if not value.startswith("/") or value.startswith("//"):
        raise ValueError(f"{value!r} is not a site path: it must start with a single '/'")
    return value


def _calendar_date(value: object) -> date:
    # YAML reads 2026-03-14 as a date and "2026-03-14" as text; a number, a time or 14-03-2026 is a mistake.
    if isinstance(value, datetime):
        raise ValueError(f"{value.isoformat()!r} has a time: write the day only, like 2026-03-14")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and DATE_RE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a day of the calendar") from None
    raise ValueError(f"{value!r} is not a date: write it like 2026-03-14")


def _author(value: str) -> str:
    if len(value) > 100:
        raise ValueError("is longer than 100 characters: give a name, not a text")
    return value


Text = Annotated[StrictStr, AfterValidator(_non_empty)]
Day = Annotated[date, BeforeValidator(_calendar_date)]
Author = Annotated[StrictStr, AfterValidator(_non_empty), AfterValidator(_author)]
Slug = Annotated[StrictStr, AfterValidator(_slug)]
SitePath = Annotated[StrictStr, AfterValidator(_site_path)]


class FrontMatter(BaseModel):
    """The front matter fields of a page, named as in the files."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    title: Text
    description: Text
    slug: Slug
    type: Literal["blog"] | None = None
    hero_title_line1: StrictStr | None = Field(None, alias="heroTitleLine1")
    hero_title_line2: StrictStr | None = Field(None, alias="heroTitleLine2")
    hero_title_line3: StrictStr | None = Field(None, alias="heroTitleLine3")
    hero_title_line4: StrictStr | None = Field(None, alias="heroTitleLine4")
    hero_subtitle: StrictStr | None = Field(None, alias="heroSubtitle")
    content_section_title: StrictStr | None = Field(None, alias="contentSectionTitle")
    card_title: StrictStr | None = Field(None, alias="cardTitle")
    card_description: StrictStr | None = Field(None, alias="cardDescription")
    related_services: list[SitePath] = Field(default_factory=list, alias="relatedServices")
    related_blogs: list[SitePath] = Field(default_factory=list, alias="relatedBlogs")
    # A kennisbank post's byline: when it was published, when last changed, by whom. Optional: a post without a
    # date shows none.
    published: Day | None = Field(None, alias="date")
    updated: Day | None = None
    author: Author | None = None


KNOWN_FIELDS = frozenset(f.alias or name for name, f in FrontMatter.model_fields.items())
# Fields a page can do without: when one is malformed it is reported and left out, and the page is still served.
OPTIONAL_FIELDS = frozenset({"date", "updated", "author"})


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str
    level: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "" if self.level == "error" else "warning: "
        return f"{self.file}: {self.field}: {prefix}{self.message}"


@dataclass(frozen=True)
class HeroLine:
    text: str
    indent: int  # leading spaces in the file: the design indents (and accents) such a line


@dataclass
class Page:
    file: Path
    meta: FrontMatter
    body: str
    mtime: float
    digest: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_blog(self) -> bool:
        return self.meta.type == "blog"

    @property
    def is_home(self) -> bool:
        return not self.is_blog and self.meta.slug == HOME_SLUG

    @property
    def url(self) -> str:
        if self.is_home:
            return "/"
        if self.is_blog:
            return f"{BLOG_PREFIX}{self.meta.slug}/"
        return f"/{self.meta.slug}/"

    @property
    def hero_lines(self) -> list[HeroLine]:
        m = self.meta
        lines = [m.hero_title_line1, m.hero_title_line2, m.hero_title_line3, m.hero_title_line4]
        return [HeroLine(text=line, indent=len(line) - len(line.lstrip(" "))) for line in lines if line]

    @property
    def card_title(self) -> str:
        return self.meta.card_title or self.meta.title

    @property
    def card_description(self) -> str:
        return self.meta.card_description or self.meta.description


def _field_name(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "front matter"


def _message(error: ErrorDetails) -> str:
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "literal_error":
        return f"must be 'blog' or absent, not {error['input']!r}"
    return error["msg"]


def load_page(path: Path, display_name: str | None = None) -> tuple[Page | None, list[Problem]]:
    """Reads one file; returns the page (None when it cannot be served) and everything wrong with it."""
    name = display_name or path.name
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(name, "file", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return None, [Problem(name, "file", f"cannot be read ({exc.strerror})")]
    if not text.lstrip("\ufeff").startswith("---"):
        return None, [Problem(name, "front matter", "missing: the file must start with a '---' line")]
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2}, column {mark.column + 1})" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, "front matter", f"invalid YAML{where}: {reason}")]
    if not isinstance(post.metadata, dict):
        return None, [Problem(name, "front matter", "must be a mapping of fields")]
    problems: list[Problem] = []
    for key in post.metadata:
        if key not in KNOWN_FIELDS:
            problems.append(Problem(name, str(key), "unknown field, ignored", "warning"))
    metadata = dict(post.metadata)
    try:
        meta = FrontMatter.model_validate(metadata)
    except ValidationError as exc:
        errors = exc.errors()
        problems.extend(Problem(name, _field_name(error["loc"]), _message(error)) for error in errors)
        wrong = {str(error["loc"][0]) if error["loc"] else "" for error in errors}
        if not wrong <= OPTIONAL_FIELDS:
            return None, problems
        for key in wrong:
            del metadata[key]
        meta = FrontMatter.model_validate(metadata)
    if meta.updated is not None and (meta.published is None or meta.updated < meta.published):
        why = (
            "left out: give the day it was first published as date too"
            if meta.published is None
            else f"left out: it is before date {meta.published.isoformat()}"
        )
        problems.append(Problem(name, "updated", why))
        meta = meta.model_copy(update={"updated": None})
    page = Page(
        file=path,
        meta=meta,
        body=post.content,
        mtime=path.stat().st_mtime,
        digest=hashlib.sha256(raw).hexdigest()[:16],
        problems=problems,
    )
    return page, problems
