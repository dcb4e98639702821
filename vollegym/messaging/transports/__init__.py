"""One transport per channel, each a small module with `send(message) -> provider id`.

A transport raises `TemporaryFailure` for what may work on a later try (a server that is down, a timeout) and
`PermanentFailure` for what never will (an address that does not exist, a refused template).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from vollegym.messaging.models import Message


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


# Channels where sending a message once more is harmless, so one a crash interrupted mid-send is sent again: an
# e-mail carries the same Message-ID on every attempt (mail servers and mail apps deduplicate on it), an in-app
# notice is only stored. WhatsApp's Cloud API and SMS take no idempotency key: there a second send is a second message.
RESEND_IS_HARMLESS = frozenset({"email", "app"})


class Transport(Protocol):
    def __call__(self, message: Message) -> str: ...


def transport_for(channel: str) -> Transport:
    from vollegym.messaging.transports import app, email, whatsapp

    transports: dict[str, Transport] = {"email": email.send, "app": app.send, "whatsapp": whatsapp.send}
    try:
        return transports[channel]
    except KeyError:
        raise PermanentFailure(f"no transport for channel {channel!r} is configured") from None
