"""What the sign-in tests share: a code from a user's app, a user with an app set up, the link in a mail."""

from __future__ import annotations

import re
from email.message import EmailMessage

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from vollegym.studios import services
from vollegym.studios.models import User

SITE = "https://app.vollegym.example"


def app_code(device: TOTPDevice) -> str:
    """The six digits the user's authenticator app shows right now (time-machine moves 'now')."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def with_app(user: User) -> tuple[TOTPDevice, list[str]]:
    """Sets up an authenticator app for the user as the set-up page would; returns it and the backup codes."""
    device = services.two_factor_device_start(user=user)
    codes = services.two_factor_device_confirm(user=user, device_id=device.pk, code=app_code(device))
    assert codes is not None
    device.refresh_from_db()
    return device, codes


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def link_in(mail: EmailMessage, path_pattern: str) -> str:
    """The one absolute link on SITE whose path matches; returns the path, for the test client."""
    found = re.findall(rf"{re.escape(SITE)}({path_pattern})", text_of(mail))
    assert len(found) == 1, text_of(mail)
    return str(found[0])
