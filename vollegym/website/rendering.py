"""Markdown bodies to safe HTML: headings shifted under the hero's <h1>, internal links made canonical,
the closing "Doe de intake" link lifted out as the page's call to action, raw HTML sanitised."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

INTAKE_PATH = "/intake/"

_md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table")

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "th": {"align"}, "td": {"align"},
}  # fmt: skip


@dataclass(frozen=True)
class Heading:
    level: int  # as written in the file (# is 1)
    text: str
    anchor: str


@dataclass
class RenderedBody:
    html: str
    headings: list[Heading] = field(default_factory=list)
    internal_links: list[str] = field(default_factory=list)  # canonical paths, in order of appearance
    cta_label: str | None = None


def canonical_path(href: str) -> str | None:
    """The canonical site path of an internal link (`/pt-studio-marketing` → `/pt-studio-marketing/`), else None."""
    if not href.startswith("/") or href.startswith("//"):
        return None
    path = urlsplit(href).path or "/"
    last = path.rsplit("/", 1)[-1]
    if not path.endswith("/") and "." not in last:
        path += "/"
    return path


def _with_canonical_path(href: str) -> str:
    path = canonical_path(href)
    if path is None:
        return href
    parts = urlsplit(href)
    return (
        path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    )


def anchor_for(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "sectie"


def _is_intake_paragraph(tokens: list[Token], i: int) -> str | None:
    """The label when tokens[i:i+3] is a paragraph holding nothing but a link to the intake."""
    if i + 2 >= len(tokens) or tokens[i].type != "paragraph_open" or tokens[i + 2].type != "paragraph_close":
        return None
    children = [c for c in (tokens[i + 1].children or []) if not (c.type == "text" and not c.content.strip())]
    if len(children) < 3 or children[0].type != "link_open" or children[-1].type != "link_close":
        return None
    if canonical_path(str(children[0].attrGet("href") or "")) != INTAKE_PATH:
        return None
    label = "".join(c.content for c in children[1:-1] if c.type in {"text", "code_inline"}).strip()
    return label or None


def render_body(markdown: str) -> RenderedBody:
    tokens = _md.parse(markdown)
    result = RenderedBody(html="")
    # The last paragraph that is only an intake link becomes the page's call to action.
    for i in range(len(tokens) - 3, -1, -1):
        if tokens[i].type == "paragraph_open" and tokens[i].level == 0:
            label = _is_intake_paragraph(tokens, i)
            if label is not None and all(t.type.endswith("_close") or t.hidden for t in tokens[i + 3 :]):
                result.cta_label = label
                del tokens[i : i + 3]
            break
    seen_anchors: set[str] = set()
    for i, token in enumerate(tokens):
        if token.type in {"heading_open", "heading_close"}:
            level = int(token.tag[1])
            token.tag = f"h{min(level + 1, 6)}"  # the hero holds the page's <h1>
            if token.type == "heading_open":
                text = (
                    tokens[i + 1].children and "".join(c.content for c in tokens[i + 1].children or [])
                ) or ""
                anchor = base = anchor_for(text)
                n = 2
                while anchor in seen_anchors:
                    anchor, n = f"{base}-{n}", n + 1
                seen_anchors.add(anchor)
                token.attrSet("id", anchor)
                result.headings.append(Heading(level=level, text=text.strip(), anchor=anchor))
        for child in token.children or []:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                path = canonical_path(href)
                if path is not None:
                    result.internal_links.append(path)
                    child.attrSet("href", _with_canonical_path(href))
    html = _md.renderer.render(tokens, _md.options, {})
    result.html = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
    )
    return result
