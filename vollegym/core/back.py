"""Where a back-office form sends the user once it is done: back to the page the click came from (its `next`
field) when that is one of the same studio's back-office pages, else to the view's own next page.

Several pages carry the same one-click forms (a lead's page and the Today page both log a call); this keeps the
user where they work without ever following a link to another site or another studio."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def back_path(request: HttpRequest, studio_slug: str) -> str | None:
    """The `next` path of a POST when it is this studio's own back-office page; None otherwise."""
    target = request.POST.get("next", "")
    if not target.startswith(f"/app/{studio_slug}/") or any(c in target for c in "\\\x00\r\n"):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return None
    return target


def back_to(request: HttpRequest, studio_slug: str, default: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(back_path(request, studio_slug) or default)
