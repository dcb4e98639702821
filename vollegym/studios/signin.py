"""How a person gets into the back office safely: the lockout page, the second step, and the two-factor gate.

- django-axes counts wrong passwords (in the database) and, at the limit, answers with `lockout_response`: the
  sign-in page saying in Dutch how long to wait.
- A user with an authenticator app is not signed in by the password alone: the password step leaves a
  *pending* sign-in in the session, and only the code step (`signin_complete`) signs them in.
- Where a second factor is required (the installation's REQUIRE_TWO_FACTOR, or the studio's own setting, which
  `studio_view` checks), `two_factor_gate` sends a session without one to the code step or to set up an app.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import login
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp.models import Device

from vollegym.core import clock
from vollegym.studios import selectors
from vollegym.studios.models import User

PENDING_KEY = "vollegym_signin_pending"
PENDING_MINUTES = 10

# Back-office pages a signed-in person without a second factor may still open: the way in and out.
OPEN_VIEWS = frozenset(
    {
        "backoffice:login",
        "backoffice:login_code",
        "backoffice:logout",
        "backoffice:password_reset",
        "backoffice:password_reset_done",
        "backoffice:password_reset_confirm",
        "backoffice:password_reset_complete",
        "backoffice:invite_accept",
        "backoffice:two_factor_setup",
        "admin:logout",
    }
)


def signin_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The e-mail address an attempt is counted under, in lower case: 'Sanne@' and 'sanne@' are one count."""
    value = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(value).strip().lower()


def lockout_minutes_left(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    """Whole minutes until this address may try again from this client (at least 1)."""
    cool_off: timedelta | None = get_cool_off(request)
    # The same pair axes locks on (AXES_LOCKOUT_PARAMETERS): the e-mail address from this client address.
    found = AccessAttempt.objects.filter(
        username=signin_username(request, credentials), ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(latest=Max("attempt_time"))
    latest: datetime | None = found["latest"]
    if cool_off is None or latest is None:
        return math.ceil((cool_off.total_seconds() if cool_off else 3600) / 60)
    left = (latest + cool_off - clock.now()).total_seconds()
    return max(1, math.ceil(left / 60))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The sign-in page once axes has locked the address: in Dutch, with how long to wait (HTTP 429)."""
    from vollegym.studios.forms import LoginForm

    minutes = lockout_minutes_left(request, credentials)
    message = ngettext(
        "Te vaak een verkeerd wachtwoord. Probeer het over %(minutes)s minuut opnieuw, of stel een nieuw "
        "wachtwoord in.",
        "Te vaak een verkeerd wachtwoord. Probeer het over %(minutes)s minuten opnieuw, of stel een nieuw "
        "wachtwoord in.",
        minutes,
    ) % {"minutes": minutes}
    form = LoginForm(request, initial={"username": signin_username(request, credentials)})
    context = {"form": form, "lockout": message, "next": safe_next(request, request.POST.get("next", ""))}
    return render(request, "studios/login.html", context, status=429)


def is_verified(request: HttpRequest) -> bool:
    """Whether this session passed a second factor (django-otp's middleware sets `user.is_verified`)."""
    check: Callable[[], bool] | None = getattr(request.user, "is_verified", None)
    return bool(check and check())


def safe_next(request: HttpRequest, target: str) -> str:
    """`target` when it stays on this site, else the back office's start."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def two_factor_gate(request: HttpRequest) -> HttpResponse | None:
    """Where a second factor is required and this session has none: to the code step, or to set up an app."""
    if is_verified(request):
        return None
    query = urlencode({"next": request.get_full_path()})
    user: User = request.user  # type: ignore[assignment]
    if selectors.has_two_factor(user):
        return redirect(f"{reverse('backoffice:login_code')}?{query}")
    return redirect(f"{reverse('backoffice:two_factor_setup')}?{query}")


def pending_start(request: HttpRequest, user: User) -> None:
    """The password was right; the sign-in waits for the code (for PENDING_MINUTES)."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "since": clock.now().isoformat(),
    }


def pending_user(request: HttpRequest) -> User | None:
    """The user whose password was right in this session a moment ago, waiting for their code."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        since = datetime.fromisoformat(pending["since"])
    except (KeyError, TypeError, ValueError):
        return None
    if (clock.now() - since).total_seconds() > PENDING_MINUTES * 60:
        request.session.pop(PENDING_KEY, None)
        return None
    user_id, backend = pending.get("user"), pending.get("backend")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        user.backend = backend  # type: ignore[attr-defined]  # as authenticate() leaves it, for login()
    return user


def signin_complete(request: HttpRequest, user: User, device: Device) -> None:
    """Signs the user in with the device that took their code, or marks their session as having passed it."""
    if request.user.is_authenticated and request.user.pk == user.pk:
        request.session.cycle_key()  # more rights than a moment ago: a new session key
        otp_login(request, device)
    else:
        user.otp_device = device  # type: ignore[attr-defined]  # django-otp's login receiver keeps it
        login(request, user, backend=getattr(user, "backend", None))
    request.session.pop(PENDING_KEY, None)


class TwoFactorMiddleware:
    """Requires a second factor outside a studio's pages: in the whole back office when REQUIRE_TWO_FACTOR is on,
    and in the Django admin for anyone who has an app. (A studio's own setting is checked by `studio_view`.)

    It looks at the user only under /app/ and /admin/, so public pages cost no extra query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.view_name in OPEN_VIEWS:
            return None
        if "admin" in match.namespaces:
            if not request.user.is_authenticated or is_verified(request):
                return None
            if settings.REQUIRE_TWO_FACTOR or selectors.has_two_factor(request.user):
                return two_factor_gate(request)
        elif (
            settings.REQUIRE_TWO_FACTOR and request.path.startswith("/app/") and request.user.is_authenticated
        ):
            return two_factor_gate(request)
        return None
