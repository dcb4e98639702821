"""Meta's webhook shapes for WhatsApp, built here for the local stand-in and the tests (never for production)."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

_ids = itertools.count(1)


def envelope(phone_number_id: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA-1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "31201234567",
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def text_message(
    phone_number_id: str, *, sender: str, text: str, name: str = "", wa_id: str = "", at: float | None = None
) -> dict[str, Any]:
    """A person's text message; `sender` in international form without "+"."""
    return envelope(
        phone_number_id,
        {
            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
            "messages": [
                {
                    "from": sender,
                    "id": wa_id or f"wamid.IN{next(_ids)}.{int(time.time() * 1000)}",
                    "timestamp": str(int(at if at is not None else time.time())),
                    "type": "text",
                    "text": {"body": text},
                }
            ],
        },
    )


def status(
    phone_number_id: str, *, message_id: str, state: str, recipient: str, at: float | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """What became of a message we sent: sent, delivered, read or failed."""
    entry: dict[str, Any] = {
        "id": message_id, "status": state, "timestamp": str(int(at if at is not None else time.time())),
        "recipient_id": recipient,
    }  # fmt: skip
    if errors:
        entry["errors"] = errors
    return envelope(phone_number_id, {"statuses": [entry]})


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()
