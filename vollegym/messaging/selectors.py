from __future__ import annotations

from django.db.models import QuerySet

from vollegym.messaging.models import Message
from vollegym.studios.models import Studio, User


def notifications_for(user: User, studio: Studio) -> QuerySet[Message]:
    """The in-app messages for one person in one studio, newest first."""
    return (
        Message.objects.for_studio(studio)
        .filter(channel=Message.Channel.APP, to_user=user)
        .order_by("-created_at")
    )
