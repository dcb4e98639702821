"""The one place that decides who sees a studio: `request.studio` for back-office views.

A view under `/app/<studio>/` is wrapped in `studio_view`; a person without a role in that studio gets a 404,
exactly as if the studio did not exist, so studio names do not leak either. Where the studio (or the
installation) requires two-factor sign-in, a session without a second factor is sent to get one first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from vollegym.studios.models import StaffMembership, Studio, User
from vollegym.studios.selectors import AGENCY, active_studio, role_in_studio
from vollegym.studios.signin import two_factor_gate

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


class StudioRequest(HttpRequest):
    studio: Studio
    studio_role: str


def studio_view(*, roles: frozenset[str] | None = None) -> Callable[[Callable[..., HttpResponse]], View[...]]:
    """Resolves `studio` from the URL, refuses with 404 anyone without a role there (or without one of `roles`)."""

    def decorate(view: Callable[..., HttpResponse]) -> View[...]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, studio: str, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            found = active_studio(studio)
            role = role_in_studio(request.user, found) if found else None
            if found is None or role is None or (roles is not None and role not in roles and role != AGENCY):
                raise Http404("No such studio")
            # After the 404, so the way to the code step tells an outsider nothing about the studio.
            if settings.REQUIRE_TWO_FACTOR or found.require_2fa:
                gate = two_factor_gate(request)
                if gate is not None:
                    return gate
            typed = cast(StudioRequest, request)
            typed.studio, typed.studio_role = found, role
            return view(typed, *args, **kwargs)

        return wrapped

    return decorate


def agency_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the agency's own pages (the portfolio, new studios): anyone else gets a 404, as for another studio."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not isinstance(request.user, User) or not request.user.is_agency:
            raise Http404("Only the agency has this page")
        # The agency sees every studio: it signs in with its second factor whenever the platform asks for one.
        if settings.REQUIRE_TWO_FACTOR:
            gate = two_factor_gate(request)
            if gate is not None:
                return gate
        return view(request, *args, **kwargs)

    return wrapped


def studio_of(request: HttpRequest) -> Studio:
    """The studio `studio_view` resolved for this request."""
    found = getattr(request, "studio", None)
    if not isinstance(found, Studio):
        raise RuntimeError("studio_of() is for views wrapped in studio_view")
    return found


def role_of(request: HttpRequest) -> str:
    """The role `studio_view` found for the signed-in person in this request's studio (agency for the agency)."""
    role = getattr(request, "studio_role", None)
    if not isinstance(role, str):
        raise RuntimeError("role_of() is for views wrapped in studio_view")
    return role


def role_label(role: str) -> str:
    """A role in words ("Eigenaar", "Coach", "Bureau")."""
    labels = {**dict(StaffMembership.Role.choices), AGENCY: gettext_lazy("Bureau")}
    return str(labels.get(role, role))


def user_of(request: HttpRequest) -> User:
    """The signed-in person of a back-office request (`studio_view` refuses anyone else)."""
    user = request.user
    if not isinstance(user, User):
        raise RuntimeError("user_of() is for views of a signed-in person")
    return user
