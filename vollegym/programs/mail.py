"""Messages of the programs app: to a member about their own membership, and a notice to their coach in the app.

Everything goes through the outbox inside the caller's transaction (consent is checked there); the bodies of mails
live in templates under programs/mail/.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from vollegym.core.names import first_name
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.programs.models import Member
from vollegym.studios.models import StaffMembership, User


def member_area_url(member: Member) -> str:
    """Where the member signs in (a link by mail, no password) to see, pause or cancel their membership."""
    path = reverse("schedule:member_login", kwargs={"studio": member.studio.slug})
    return f"{settings.SITE_URL}{path}"


def member_page_url(member: Member) -> str:
    path = reverse("programs:member", kwargs={"studio": member.studio.slug, "member_id": member.pk})
    return f"{settings.SITE_URL}{path}"


def member_tell(
    member: Member,
    *,
    purpose: str,
    key: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    marketing: bool = False,
) -> Message | None:
    """A mail to the member rendered from `programs/mail/<template>`; None when they have no e-mail address."""
    if not member.email:
        return None
    studio = member.studio
    body = render_to_string(
        f"programs/mail/{template}",
        {
            "first_name": first_name(member.name),
            "studio": studio,
            "member_area": member_area_url(member),
            **context,
        },
    )
    return message_queue(
        studio=studio, key=key, channel=Message.Channel.EMAIL, person=member.person, purpose=purpose,
        ref=f"member:{member.pk}", subject=subject, body=body.strip(), reply_to=studio.email, marketing=marketing,
    )  # fmt: skip


def coach_notify(member: Member, *, key: str, body: str, url: str = "") -> None:
    """A notice in the app to whoever looks after the member: their coach, or else the studio's owners."""
    users: list[User]
    if member.coach is not None:
        users = [member.coach]
    else:
        users = [
            m.user
            for m in StaffMembership.objects.for_studio(member.studio_id)
            .filter(role=StaffMembership.Role.OWNER)
            .select_related("user")
        ]
    for user in users:
        message_queue(
            studio=member.studio, key=f"{key}:user:{user.pk}", channel=Message.Channel.APP, to=user.email,
            to_user=user, purpose="member_notice", ref=f"member:{member.pk}", body=body,
            url=url or member_page_url(member),
        )  # fmt: skip
