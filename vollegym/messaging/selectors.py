from __future__ import annotations

from datetime import timedelta

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from vollegym.core import clock
from vollegym.messaging.models import Message, WhatsAppSettings
from vollegym.studios.models import StaffMembership, Studio, User
from vollegym.studios.selectors import AGENCY

FAILED_SHOWN_DAYS = 30


def notifications_for(user: User, studio: Studio) -> QuerySet[Message]:
    """The in-app messages for one person in one studio, newest first."""
    return (
        Message.objects.for_studio(studio)
        .filter(channel=Message.Channel.APP, to_user=user)
        .order_by("-created_at")
    )


def failed_messages_for(role: str | None, studio: Studio) -> QuerySet[Message]:
    """For the owner (and the agency): the studio's messages of the last 30 days that failed, newest first.

    `interrupted` marks those a crash cut off mid-send: they may or may not have arrived.
    """
    from vollegym.messaging.services import INTERRUPTED

    if role not in (StaffMembership.Role.OWNER, AGENCY):
        return Message.objects.for_studio(studio).none()
    return (
        Message.objects.for_studio(studio)
        .filter(status=Message.Status.FAILED, created_at__gte=clock.now() - timedelta(days=FAILED_SHOWN_DAYS))
        .exclude(channel=Message.Channel.APP)
        .select_related("person")
        .annotate(
            interrupted=ExpressionWrapper(Q(last_error__startswith=INTERRUPTED), output_field=BooleanField())
        )
        .order_by("-created_at")
    )


def whatsapp_settings_of(studio: Studio) -> WhatsAppSettings | None:
    """The studio's WhatsApp connection, switched on or off (None: never connected)."""
    return WhatsAppSettings.objects.for_studio(studio).first()


def token_hint(token: str) -> str:
    """The end of a secret, to recognise it by: never the secret itself."""
    return token[-4:] if len(token) >= 16 else ""
