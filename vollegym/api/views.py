"""Back-office pages for API tokens: an owner's for their studio, the agency's for every studio it runs."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.api import selectors
from vollegym.api.forms import TokenForm
from vollegym.api.scopes import RESOURCES
from vollegym.api.services import NewToken, api_token_create, api_token_revoke
from vollegym.studios.access import agency_view, studio_of, studio_view, user_of
from vollegym.studios.models import StaffMembership

OWNERS = frozenset({StaffMembership.Role.OWNER})


@never_cache  # the new token is on this page once: no cache may keep it
@studio_view(roles=OWNERS)
def tokens(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form = TokenForm(request.POST or None)
    made: NewToken | None = None
    if request.method == "POST" and form.is_valid():
        made = api_token_create(
            studio=studio, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
            by=user_of(request),
        )  # fmt: skip
        form = TokenForm()
    return render(request, "api/tokens.html", {
        "studio": studio, "form": form, "made": made, "tokens": list(selectors.tokens_of(studio)),
        "resources": RESOURCES, "nav": "dashboard",
    })  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    studio = studio_of(request)
    token = selectors.token_of(studio, token_id)
    if token is None:
        raise Http404
    api_token_revoke(token=token, by=user_of(request))
    messages.success(request, _("De sleutel %(prefix)s… werkt niet meer.") % {"prefix": token.prefix})
    return redirect("apitokens:tokens", studio=studio.slug)


@never_cache
@agency_view
def agency_tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    made: NewToken | None = None
    if request.method == "POST" and form.is_valid():
        made = api_token_create(
            studio=None,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            by=user_of(request),
        )
        form = TokenForm()
    return render(request, "api/agency_tokens.html", {
        "form": form, "made": made, "tokens": list(selectors.agency_tokens()),
    })  # fmt: skip


@agency_view
@require_POST
def agency_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.agency_token(token_id)
    if token is None:
        raise Http404
    api_token_revoke(token=token, by=user_of(request))
    messages.success(request, _("De sleutel %(prefix)s… werkt niet meer.") % {"prefix": token.prefix})
    return redirect("apitokens:agency_tokens")
