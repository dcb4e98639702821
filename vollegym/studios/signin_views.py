"""The way into the back office: sign-in (password, then a code for who has an app), a new password by mail,
an invitation link, and setting up two-factor sign-in."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from vollegym.core import clock
from vollegym.core.qr import qr_svg
from vollegym.studios import selectors, services, signin
from vollegym.studios.access import user_of
from vollegym.studios.forms import CodeForm, LoginForm, NewPasswordForm, PasswordResetForm, SetupCodeForm

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LoginView(auth_views.LoginView):
    template_name = "studios/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if selectors.has_two_factor(user):
            # The password alone signs nobody with an app in: the code step does.
            signin.pending_start(self.request, user)
            query = urlencode({"next": self.get_success_url()})
            return redirect(f"{reverse('backoffice:login_code')}?{query}")
        return super().form_valid(form)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the back office's sign-in (its lockout and code step). Someone signed in
    without admin rights goes to the back office: the sign-in would send them straight back here, in circles."""
    if request.user.is_authenticated and not request.user.is_staff:
        messages.info(request, _("Het beheer is alleen voor het bureau."))
        return redirect("backoffice:home")
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{reverse('backoffice:login')}?{query}" if query else reverse("backoffice:login"))


@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the app, or a backup code."""
    user = signin.pending_user(request)
    if user is None and request.user.is_authenticated and not signin.is_verified(request):
        user = user_of(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect(signin.safe_next(request, request.GET.get("next", "")))
        messages.error(request, _("Log opnieuw in: de code werd niet op tijd ingevuld."))
        return redirect("backoffice:login")
    next_url = signin.safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=user, code=form.given)
        except services.TwoFactorThrottledError as exc:
            seconds = max(1, round((exc.until - clock.now()).total_seconds()))
            form.add_error(None, _("Te veel verkeerde codes. Probeer het over %(seconds)s seconden opnieuw.") % {
                "seconds": seconds
            })  # fmt: skip
        else:
            if device is None:
                form.add_error(None, _("Deze code klopt niet. Een code uit de app geldt maar 30 seconden."))
            else:
                signin.signin_complete(request, user, device)
                return redirect(next_url)
    return render(request, "studios/login_code.html", {"form": form, "next": next_url, "person": user})


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "studios/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "studios/mail/password_reset.txt"
    subject_template_name = "studios/mail/password_reset_subject.txt"
    success_url = reverse_lazy("backoffice:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # The link in the mail is absolute, on the site's public address (SITE_URL), never a bare path.
        self.extra_email_context = {
            "site_url": settings.SITE_URL or self.request.build_absolute_uri("/")[:-1],
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "studios/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "studios/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("backoffice:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever can read this mailbox may try again at once: the wrong passwords before no longer count.
        axes_reset(username=form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "studios/password_reset_complete.html"


@never_cache
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's link: they choose their own password and are signed in."""
    try:
        invite = services.invite_open(token=token)
    except services.InviteInvalidError:
        return render(request, "studios/invite_invalid.html", status=410)
    form = NewPasswordForm(invite.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = services.invite_accept(token=token, password=form.cleaned_data["new_password1"])
        except services.InviteInvalidError:
            return render(request, "studios/invite_invalid.html", status=410)
        login(request, accepted.user, backend=MODEL_BACKEND)
        messages.success(
            request, _("Welkom bij %(studio)s! Je wachtwoord is ingesteld.") % {"studio": accepted.studio}
        )
        return redirect("analytics:overview", studio=accepted.studio.slug)
    return render(request, "studios/invite_accept.html", {"form": form, "invite": invite})


def _secret_for_typing(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """A person's own two-factor sign-in: on or off, backup codes left, and whether a studio requires it."""
    user = user_of(request)
    return render(
        request,
        "studios/two_factor.html",
        {
            "enabled": selectors.has_two_factor(user),
            "codes_left": selectors.backup_codes_left(user),
            "required": selectors.two_factor_required(user),
            "verified": signin.is_verified(request),
        },
    )


@login_required
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponseBase:
    """Setting up an authenticator app: scan the code (or type the key), confirm with the first code."""
    user = user_of(request)
    if selectors.has_two_factor(user) and not signin.is_verified(request):
        # Replacing an app takes the current one first; a password alone must not be enough.
        gate = signin.two_factor_gate(request)
        assert gate is not None
        return gate
    device = services.two_factor_device_start(user=user)
    next_url = signin.safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_device_confirm(
            user=user, device_id=device.pk, code=form.cleaned_data["code"]
        )
        if codes is not None:
            confirmed = TOTPDevice.objects.get(pk=device.pk)
            signin.signin_complete(request, user, confirmed)
            return render(
                request, "studios/two_factor_codes.html", {"codes": codes, "next": next_url, "new": True}
            )
        form.add_error(
            "code",
            _("Deze code klopt niet. Kijk of de tijd op je telefoon goed staat en probeer de volgende code."),
        )
    return render(
        request,
        "studios/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr": qr_svg(device.config_url, label=_("QR-code voor je authenticator-app")),
            "config_url": device.config_url,
            "secret": _secret_for_typing(device),
            "required": selectors.two_factor_required(user),
        },
    )


@login_required
@require_POST
def two_factor_codes(request: HttpRequest) -> HttpResponseBase:
    """New backup codes, shown once; the old ones stop working."""
    user = user_of(request)
    if not signin.is_verified(request) or not selectors.has_two_factor(user):
        return redirect("backoffice:two_factor")
    codes = services.backup_codes_renew(user=user)
    response = render(
        request, "studios/two_factor_codes.html", {"codes": codes, "next": reverse("backoffice:two_factor")}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponseBase:
    user = user_of(request)
    if not signin.is_verified(request):
        return redirect("backoffice:two_factor")
    try:
        services.two_factor_remove(user=user)
    except services.TwoFactorRequiredError:
        messages.error(
            request, _("Tweestapsverificatie is verplicht voor een studio waar je werkt; uitzetten kan niet.")
        )
    else:
        messages.success(request, _("Tweestapsverificatie staat uit."))
    return redirect("backoffice:two_factor")
