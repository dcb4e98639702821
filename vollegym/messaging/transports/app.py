"""In-app notifications: shown in the back office; delivering one is storing it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vollegym.messaging.models import Message


def send(message: Message) -> str:
    return ""
