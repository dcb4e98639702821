"""Meta's WhatsApp webhook content, read leniently, part by part: the envelope must be right, but one message or status
that cannot be read is skipped with its reason and the rest of the delivery still counts (delivery.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Metadata(_In):
    phone_number_id: StrictStr = Field(min_length=1, max_length=40)


class Profile(_In):
    name: StrictStr = Field(default="", max_length=300)


class Contact(_In):
    wa_id: StrictStr = ""
    profile: Profile = Field(default_factory=Profile)


class MetaError(_In):
    code: StrictInt | StrictStr | None = None
    title: StrictStr = ""
    message: StrictStr = ""


class Status(_In):
    id: StrictStr = Field(min_length=1, max_length=200)
    status: StrictStr = Field(max_length=40)
    timestamp: StrictStr = ""
    errors: list[MetaError] = Field(default_factory=list)


class InMessage(_In):
    id: StrictStr = Field(min_length=1, max_length=200)
    # The sender's number in international form without "+": 31612345678.
    from_: StrictStr = Field(alias="from", pattern=r"^\+?[0-9]{6,17}$")
    timestamp: StrictStr = ""
    type: StrictStr = Field(default="text", max_length=32)
    text: dict[str, Any] = Field(default_factory=dict)
    button: dict[str, Any] = Field(default_factory=dict)
    interactive: dict[str, Any] = Field(default_factory=dict)
    image: dict[str, Any] = Field(default_factory=dict)
    video: dict[str, Any] = Field(default_factory=dict)
    document: dict[str, Any] = Field(default_factory=dict)
    location: dict[str, Any] = Field(default_factory=dict)
    reaction: dict[str, Any] = Field(default_factory=dict)


class Value(_In):
    """The value of a `messages` change; its messages, statuses and contacts are read one by one."""

    messaging_product: StrictStr = "whatsapp"
    metadata: Metadata
    contacts: list[Any] = Field(default_factory=list)
    messages: list[Any] = Field(default_factory=list)
    statuses: list[Any] = Field(default_factory=list)


class Change(_In):
    field: StrictStr = "messages"
    # Only a `messages` change is read; the others (a template's approval, say) have shapes of their own.
    value: Any = None


class Entry(_In):
    changes: list[Change] = Field(default_factory=list)


class Envelope(_In):
    object: StrictStr
    entry: list[Entry] = Field(min_length=1)


class DeliveryError(ValueError):
    """A delivery that can never be read; kept as failed with this reason."""


def why(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors())[
        :1000
    ]


def parse(payload: Any) -> Envelope:
    try:
        parsed = Envelope.model_validate(payload)
    except ValidationError as exc:
        raise DeliveryError(why(exc)) from None
    if parsed.object != "whatsapp_business_account":
        raise DeliveryError(f"object is {parsed.object[:40]!r}, not whatsapp_business_account")
    return parsed


def moment(timestamp: str, now: datetime) -> datetime:
    """Meta's unix seconds as a moment, never later than now; what is no sane number is now."""
    if not re.fullmatch(r"[0-9]{1,11}", timestamp):
        return now
    try:
        at = datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return now
    return min(at, now)


def message_text(message: InMessage) -> str:
    """What the person sent, as a line to read: the text, or a short description of what else it was."""
    from django.utils.translation import gettext as _

    def text_of(part: dict[str, Any], *keys: str) -> str:
        for key in keys:
            value = part.get(key)
            if isinstance(value, dict):
                value = value.get("title") or value.get("body")
            if isinstance(value, str) and value.strip():
                return value.strip()
        return ""

    kind = message.type
    if kind == "text":
        return text_of(message.text, "body") or _("(leeg bericht)")
    if kind == "button":
        return text_of(message.button, "text", "payload") or _("(knop)")
    if kind == "interactive":
        return text_of(message.interactive, "button_reply", "list_reply") or _("(keuze)")
    labels = {
        "image": _("[foto]"), "video": _("[video]"), "document": _("[document]"), "audio": _("[spraakbericht]"),
        "sticker": _("[sticker]"), "location": _("[locatie]"), "contacts": _("[contactkaart]"),
        "reaction": _("[reactie]"),
    }  # fmt: skip
    label = labels.get(kind, _("[bericht van een soort die we niet tonen: %(kind)s]") % {"kind": kind[:32]})
    part = getattr(message, kind, None) if kind in {"image", "video", "document", "reaction"} else None
    extra = text_of(part, "caption", "emoji") if isinstance(part, dict) else ""
    return f"{label} {extra}".strip()
