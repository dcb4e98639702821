"""WhatsApp through Meta's Cloud API: POST {WHATSAPP_GRAPH_URL}/{phone-number-id}/messages.

A message with a template goes as that template (what Meta allows outside the 24-hour window after the person's
last message); one without goes as plain text (only inside that window).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

from django.conf import settings

from vollegym.messaging.transports import PermanentFailure, TemporaryFailure

if TYPE_CHECKING:
    from vollegym.messaging.models import Message

# Meta's error codes that mean "later": rate limits and its own hiccups. Other 4xx answers (outside the
# 24-hour window, not on WhatsApp, a template problem, a bad token) will not change on a retry.
TEMPORARY_CODES = {4, 80007, 130429, 131000, 131048, 131056}


def payload_for(message: Message, language: str) -> dict[str, Any]:
    to = message.to.lstrip("+")
    if message.template:
        return {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "template",
            "template": {
                "name": message.template,
                "language": {"code": language},
                "components": [
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": str(v)} for v in message.template_params],
                    }
                ],
            },
        }
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": message.body},
    }


def send(message: Message) -> str:
    from vollegym.messaging.models import WhatsAppSettings

    config = WhatsAppSettings.objects.for_studio(message.studio_id).filter(is_active=True).first()
    if config is None:
        raise PermanentFailure("WhatsApp is not configured for this studio")
    request = urllib.request.Request(  # noqa: S310 - the URL is our setting
        f"{settings.WHATSAPP_GRAPH_URL}/{config.phone_number_id}/messages",
        data=json.dumps(payload_for(message, config.language)).encode(),
        headers={"Authorization": f"Bearer {config.token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read()).get("error", {})
        except (json.JSONDecodeError, AttributeError):
            error = {}
        text = f"WhatsApp {exc.code}: {error.get('message', exc.reason)} (code {error.get('code')})"
        if exc.code == 429 or exc.code >= 500 or error.get("code") in TEMPORARY_CODES:
            raise TemporaryFailure(text) from exc
        raise PermanentFailure(text) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TemporaryFailure(f"WhatsApp unreachable: {exc}") from exc
    messages = answer.get("messages") or [{}]
    return str(messages[0].get("id", ""))
