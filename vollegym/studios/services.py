"""Writes about studios and their teams: the studio, who works there, how they get in, and their second factor."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vollegym.core import clock
from vollegym.core.phones import normalise_phone
from vollegym.studios.models import StaffInvite, StaffMembership, Studio, User
from vollegym.studios.selectors import site_owner_memo


@transaction.atomic
def studio_create(
    *,
    name: str,
    slug: str,
    kind: str = Studio.Kind.BOTH,
    street: str = "",
    postal_code: str = "",
    city: str = "",
    email: str = "",
    phone: str = "",
) -> Studio:
    """Creates a studio; its slug is unique across all studios."""
    studio = Studio(
        name=name,
        slug=slug,
        kind=kind,
        street=street,
        postal_code=postal_code,
        city=city,
        email=email,
        phone=phone,
    )
    studio.full_clean()
    studio.save()
    return studio


@transaction.atomic
def studio_details_update(
    *,
    studio: Studio,
    name: str,
    street: str = "",
    postal_code: str = "",
    city: str = "",
    email: str = "",
    phone: str = "",
    kvk_number: str = "",
    vat_number: str = "",
    google_review_url: str | None = None,
) -> Studio:
    """Sets the name and contact details the studio's public pages show: a phone number in E.164, the KvK number
    as its 8 digits and the btw-id in capitals, however they were typed."""
    number = normalise_phone(phone)
    if number.invalid:
        raise ValidationError({"phone": _("Dit telefoonnummer klopt niet. Typ het zoals 030 234 5678.")})
    studio.name = name.strip()
    studio.street, studio.postal_code, studio.city = street.strip(), postal_code.strip().upper(), city.strip()
    studio.email, studio.phone = email.strip().lower(), number.e164
    studio.kvk_number = re.sub(r"[\s.]", "", kvk_number)
    studio.vat_number = re.sub(r"[\s.]", "", vat_number).upper()
    fields = ["name", "street", "postal_code", "city", "email", "phone", "kvk_number", "vat_number"]
    if google_review_url is not None:  # None: left as it was (callers that only change the address)
        url = google_review_url.strip()
        if url and not url.lower().startswith("https://"):
            raise ValidationError({"google_review_url": _("Gebruik een link die met https:// begint.")})
        studio.google_review_url = url
        fields.append("google_review_url")
    studio.full_clean()
    studio.save(update_fields=fields)
    transaction.on_commit(site_owner_memo.forget)  # in case it is the Volle Gym site's own
    return studio


@transaction.atomic
def staff_add(
    *,
    studio: Studio,
    email: str,
    role: str = StaffMembership.Role.COACH,
    full_name: str = "",
    password: str | None = None,
) -> StaffMembership:
    """Gives a person a role in a studio; one role per person per studio (a second call changes it).

    For demo data and tests, which know the password; the team page invites instead (`staff_invite`).
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=full_name)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    membership = StaffMembership.objects.for_studio(studio).filter(user=user).first()
    if membership is None:
        membership = StaffMembership(studio=studio, user=user, role=role)
    membership.role = role
    membership.full_clean(validate_unique=False)
    membership.save()
    return membership


@transaction.atomic
def staff_remove(*, studio: Studio, membership_id: int) -> None:
    """Takes a person's role in a studio away; the last owner cannot be removed."""
    team = StaffMembership.objects.for_studio(studio)
    membership = team.get(pk=membership_id)
    owners = team.filter(role=StaffMembership.Role.OWNER).count()
    if membership.role == StaffMembership.Role.OWNER and owners <= 1:
        raise LastOwnerError
    # An invitation not yet taken up would otherwise still open an account without a place in the studio.
    StaffInvite.objects.for_studio(studio).filter(user_id=membership.user_id, used_at__isnull=True).delete()
    membership.delete()


class LastOwnerError(Exception):
    """A studio keeps at least one owner."""


INVITE_DAYS = 7
BACKUP_CODES = 10


class InviteInvalidError(Exception):
    """The invitation link is unknown, used, expired, or its account already has a password."""


class TwoFactorThrottledError(Exception):
    """Too many wrong codes in a row: the next try is only allowed from `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"throttled until {until.isoformat()}")
        self.until = until


class TwoFactorRequiredError(Exception):
    """Two-factor sign-in cannot be switched off while a studio of the user (or the installation) requires it."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_url(token: str) -> str:
    """The absolute link in the invitation mail, on the site's public address."""
    return f"{settings.SITE_URL}{reverse('backoffice:invite_accept', kwargs={'token': token})}"


@transaction.atomic
def staff_invite(
    *, studio: Studio, email: str, full_name: str, role: str, invited_by: User | None
) -> StaffMembership:
    """Gives a person a role and mails them: a new person a link to set their own password, someone who
    already has an account (in another studio) a note that they were added. Nobody types another's password."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, None, full_name=full_name)  # no usable password until accepted
    membership = StaffMembership.objects.for_studio(studio).filter(user=user).first()
    if membership is None:
        membership = StaffMembership(studio=studio, user=user)
    membership.role = role
    membership.full_clean(validate_unique=False)
    membership.save()
    if user.has_usable_password():
        _staff_added_mail(membership=membership, invited_by=invited_by)
    else:
        _invite_send(membership=membership, invited_by=invited_by)
    return membership


@transaction.atomic
def invite_resend(*, studio: Studio, membership_id: int, invited_by: User | None) -> StaffMembership:
    """Mails a new invitation link to a team member who has not set a password yet; older links stop working."""
    membership = StaffMembership.objects.for_studio(studio).select_related("user").get(pk=membership_id)
    if membership.user.has_usable_password():
        raise InviteInvalidError("the account already has a password")
    _invite_send(membership=membership, invited_by=invited_by)
    return membership


def _invite_send(*, membership: StaffMembership, invited_by: User | None) -> StaffInvite:
    from vollegym.messaging.models import Message
    from vollegym.messaging.services import message_queue

    studio, user = membership.studio, membership.user
    now = clock.now()
    StaffInvite.objects.for_studio(studio).filter(user=user, used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    invite = StaffInvite.objects.create(
        studio=studio,
        user=user,
        token_hash=_token_hash(token),
        invited_by=invited_by,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    context = {
        "studio": studio,
        "user": user,
        "role": membership.get_role_display(),
        "invited_by": invited_by,
        "link": invite_url(token),
        "expires_at": clock.spoken(invite.expires_at, studio.zone),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("studios/mail/invite_subject.txt", context).strip()
        body = render_to_string("studios/mail/invite.txt", context)
    message_queue(
        studio=studio, channel=Message.Channel.EMAIL, to=user.email, to_user=user, purpose="staff_invite",
        key=f"staff-invite:{invite.pk}", ref=f"user:{user.pk}", subject=subject, body=body,
        reply_to=invited_by.email if invited_by else studio.email,
    )  # fmt: skip
    return invite


def _staff_added_mail(*, membership: StaffMembership, invited_by: User | None) -> None:
    from vollegym.messaging.models import Message
    from vollegym.messaging.services import message_queue

    studio, user = membership.studio, membership.user
    context = {
        "studio": studio,
        "user": user,
        "role": membership.get_role_display(),
        "invited_by": invited_by,
        "link": f"{settings.SITE_URL}{reverse('analytics:overview', kwargs={'studio': studio.slug})}",
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("studios/mail/staff_added_subject.txt", context).strip()
        body = render_to_string("studios/mail/staff_added.txt", context)
    message_queue(
        studio=studio, channel=Message.Channel.EMAIL, to=user.email, to_user=user, purpose="staff_added",
        key=f"staff-added:{membership.pk}:{clock.now():%Y%m%d%H%M%S}", ref=f"user:{user.pk}",
        subject=subject, body=body, reply_to=invited_by.email if invited_by else studio.email,
    )  # fmt: skip


def invite_open(*, token: str) -> StaffInvite:
    """The invitation a link names, while it may still be used; else InviteInvalidError."""
    # Crosses studios on purpose: the link names the invitation, and through it the studio.
    invite = (
        StaffInvite.all_studios.select_related("user", "studio")
        .filter(token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if invite is None or invite.user.has_usable_password() or not invite.user.is_active:
        raise InviteInvalidError("unknown, used or expired")
    return invite


@transaction.atomic
def invite_accept(*, token: str, password: str) -> StaffInvite:
    """Sets the invitee's own password through their link; the link (and any other open one) then stops working."""
    invite = invite_open(token=token)
    now = clock.now()
    # The conditional update is the claim: of two clicks at once, one sets the password.
    claimed = StaffInvite.all_studios.filter(pk=invite.pk, used_at__isnull=True).update(used_at=now)
    if not claimed:
        raise InviteInvalidError("used a moment ago")
    # Crosses studios on purpose: the account is set up, so its invitations to other studios are done too.
    StaffInvite.all_studios.filter(user=invite.user, used_at__isnull=True).update(used_at=now)
    invite.user.set_password(password)
    invite.user.save(update_fields=["password"])
    return invite


@transaction.atomic
def studio_two_factor_set(*, studio: Studio, required: bool) -> Studio:
    """Requires (or stops requiring) two-factor sign-in of everyone who opens this studio's back office."""
    studio.require_2fa = required
    studio.save(update_fields=["require_2fa"])
    return studio


@transaction.atomic
def two_factor_device_start(*, user: User) -> TOTPDevice:
    """The authenticator-app key a user is setting up: one unconfirmed key, reused until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)
    return device


@transaction.atomic
def two_factor_device_confirm(*, user: User, device_id: int, code: str) -> list[str] | None:
    """Confirms a new authenticator app with a code from it; replaces any earlier app and returns fresh backup
    codes (shown once). None when the code does not match."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, pk=device_id, confirmed=False).first()
    if device is None or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return backup_codes_renew(user=user)


@transaction.atomic
def backup_codes_renew(*, user: User) -> list[str]:
    """New backup codes for when the phone is gone; each works once, and the earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Reservecodes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts this code (the app's 6 digits, or a backup code, used up); None when none does.

    Each device counts its wrong codes and makes the next try wait longer (django-otp's throttling, kept in the
    database); TwoFactorThrottledError says until when.
    """
    code = "".join(code.split()).lower()
    # Six digits come from the app; anything else can only be a backup code (8 letters and digits).
    devices: list[Device] = (
        list(TOTPDevice.objects.filter(user=user, confirmed=True))
        if len(code) == 6 and code.isdigit()
        else list(StaticDevice.objects.filter(user=user, confirmed=True))
    )
    for device in devices:
        allowed, why = device.verify_is_allowed()
        if not allowed and why and why.get("locked_until"):
            raise TwoFactorThrottledError(why["locked_until"])
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


@transaction.atomic
def two_factor_remove(*, user: User) -> None:
    """Switches two-factor sign-in off for a user whom nobody requires it of."""
    from vollegym.studios.selectors import two_factor_required

    if two_factor_required(user):
        raise TwoFactorRequiredError
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
