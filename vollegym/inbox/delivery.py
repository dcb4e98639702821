"""WhatsApp's webhook deliveries: checked, stored raw, then read by a worker into messages and statuses.

A delivery holds `entry[].changes[].value` with `metadata.phone_number_id` (which studio), `contacts`, `messages`
(what people sent) and `statuses` (what became of what we sent). Meta retries and reorders: every message is kept
once by its id, and a status only ever moves an outgoing message forward.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from vollegym.core import clock
from vollegym.inbox.models import WhatsAppDelivery
from vollegym.messaging.models import Message, WhatsAppSettings
from vollegym.studios.models import Studio

log = logging.getLogger(__name__)

_SIGNATURE = re.compile(r"sha256=([0-9a-f]{64})")


class SignatureError(ValueError):
    pass


def signature_check(*, header: str, body: bytes, secret: str) -> None:
    """`X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body with the app secret."""
    if not secret:
        raise SignatureError("no WhatsApp app secret is configured on this server")
    found = _SIGNATURE.fullmatch(header.strip().lower())
    if found is None:
        raise SignatureError("X-Hub-Signature-256 must look like sha256=<64 hex characters>")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, found.group(1)):
        raise SignatureError("signature does not match the body and the app secret")


def signature_for(body: bytes, secret: str) -> str:
    """The header value Meta sends (for the stand-in and the tests)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delivery_store(*, payload: Any) -> tuple[WhatsAppDelivery, bool]:
    """Stores a checked delivery once (the same content twice is one row); (delivery, is_new)."""
    import json

    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    delivery = WhatsAppDelivery(body_sha256=digest, payload=payload)
    try:
        with transaction.atomic():
            delivery.save(force_insert=True)
    except IntegrityError:
        return WhatsAppDelivery.objects.get(body_sha256=digest), False
    return delivery, True


# --- reading a delivery -------------------------------------------------------------------------------------------


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Metadata(_In):
    phone_number_id: StrictStr = Field(min_length=1, max_length=40)


class _Profile(_In):
    name: StrictStr = Field(default="", max_length=300)


class _Contact(_In):
    wa_id: StrictStr = ""
    profile: _Profile = Field(default_factory=_Profile)


class _Error(_In):
    code: int | None = None
    title: StrictStr = ""
    message: StrictStr = ""


class _Status(_In):
    id: StrictStr = Field(min_length=1, max_length=200)
    status: StrictStr
    timestamp: StrictStr = ""
    errors: list[_Error] = Field(default_factory=list)


class _InMessage(_In):
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


class _Value(_In):
    messaging_product: StrictStr = "whatsapp"
    metadata: _Metadata
    contacts: list[_Contact] = Field(default_factory=list)
    messages: list[_InMessage] = Field(default_factory=list)
    statuses: list[_Status] = Field(default_factory=list)


class _Change(_In):
    field: StrictStr = "messages"
    value: _Value


class _Entry(_In):
    changes: list[_Change] = Field(default_factory=list)


class _Delivery(_In):
    object: StrictStr
    entry: list[_Entry] = Field(min_length=1)


class DeliveryError(ValueError):
    """A delivery that can never be read; kept as failed with this reason."""


def _parse(payload: Any) -> _Delivery:
    try:
        parsed = _Delivery.model_validate(payload)
    except ValidationError as exc:
        reason = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise DeliveryError(reason[:1000]) from None
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


def message_text(message: _InMessage) -> str:
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


class RetryLater(Exception):
    """A status for a message whose sending is not yet recorded (its answer and Meta's webhook crossed)."""


MAX_ATTEMPTS = 6


def delivery_process(*, delivery_id: int) -> str:
    """Processes one delivery now if it is pending; returns its new status."""
    claim = WhatsAppDelivery.objects.select_for_update().filter(
        pk=delivery_id, status=WhatsAppDelivery.Status.PENDING
    )
    outcome = _process(claim)
    return "not pending" if outcome == "none due" else outcome


def _process(claim: QuerySet[WhatsAppDelivery]) -> str:
    """Reads the claimed delivery into messages and statuses in one transaction with the claim."""
    delivery_id = None
    try:
        with transaction.atomic():
            delivery = claim.first()
            if delivery is None:
                return "none due"
            delivery_id = delivery.pk
            note = _apply(delivery.payload)
            WhatsAppDelivery.objects.filter(pk=delivery.pk).update(
                status=WhatsAppDelivery.Status.PROCESSED, error=note, attempts=F("attempts") + 1,
                processed_at=clock.now(),
            )  # fmt: skip
            return WhatsAppDelivery.Status.PROCESSED
    except Exception as exc:
        if delivery_id is None:
            raise
        return _failed(delivery_id, exc)


def _failed(delivery_id: int, exc: Exception) -> str:
    log.warning("WhatsApp delivery %s: %s", delivery_id, exc)
    delivery = WhatsAppDelivery.objects.filter(pk=delivery_id, status=WhatsAppDelivery.Status.PENDING).first()
    if delivery is None:
        return "not pending"
    attempts = delivery.attempts + 1
    change: dict[str, Any] = {"attempts": attempts, "error": f"{type(exc).__name__}: {exc}"[:2000]}
    if isinstance(exc, RetryLater) and attempts < MAX_ATTEMPTS:
        from vollegym.messaging.services import backoff

        change["next_attempt_at"] = clock.now() + backoff(attempts)
    else:
        change["status"], change["processed_at"] = WhatsAppDelivery.Status.FAILED, clock.now()
    WhatsAppDelivery.objects.filter(pk=delivery_id, status=WhatsAppDelivery.Status.PENDING).update(**change)
    return str(change.get("status", WhatsAppDelivery.Status.PENDING))


def _due(now: datetime) -> QuerySet[WhatsAppDelivery]:
    return (
        WhatsAppDelivery.objects.select_for_update(skip_locked=True)
        .filter(status=WhatsAppDelivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
    )


def deliveries_process_due(*, limit: int = 50, now: datetime | None = None) -> int:
    """Claims due deliveries one by one (skipping those another worker holds); returns how many were handled."""
    now = now or clock.now()
    handled = 0
    while handled < limit and _process(_due(now)) != "none due":
        handled += 1
    return handled


def _apply(payload: Any) -> str:
    """Applies every change of a delivery; returns a note of what was skipped (an unknown number, say)."""
    from vollegym.inbox.services import inbound_receive

    parsed = _parse(payload)
    notes: list[str] = []
    pending_status = False
    for entry in parsed.entry:
        for change in entry.changes:
            if change.field != "messages":
                continue
            value = change.value
            studio = _studio_for(value.metadata.phone_number_id)
            if studio is None:
                notes.append(f"no studio has WhatsApp number id {value.metadata.phone_number_id[:40]}")
                continue
            names = {c.wa_id: c.profile.name for c in value.contacts}
            for message in value.messages:
                sender = message.from_.lstrip("+")
                inbound_receive(
                    studio=studio, wa_id=message.id, phone=f"+{sender}", name=names.get(sender, ""),
                    kind=message.type, text=message_text(message), sent_at=moment(message.timestamp, clock.now()),
                )  # fmt: skip
            for status in value.statuses:
                if status_apply(studio=studio, status=status) == "unknown message":
                    pending_status = True
    if pending_status:
        raise RetryLater("a status for a message we have not recorded as sent (yet)")
    if notes and len(notes) == sum(len(e.changes) for e in parsed.entry):
        raise DeliveryError("; ".join(notes))
    return "; ".join(notes)


def _studio_for(phone_number_id: str) -> Studio | None:
    # The one crossing: a delivery names a number, and the number names the studio (server-side data).
    config = (
        WhatsAppSettings.all_studios.select_related("studio")
        .filter(phone_number_id=phone_number_id, is_active=True, studio__is_active=True)
        .order_by("pk")
        .first()
    )
    return config.studio if config is not None else None


_RANK = {"": 0, Message.Delivery.SENT: 1, Message.Delivery.DELIVERED: 2, Message.Delivery.READ: 3}


def status_apply(*, studio: Studio, status: _Status) -> str:
    """Moves one outgoing message forward (sent → delivered → read, or failed); never back; returns what happened."""
    found = Message.objects.for_studio(studio).filter(channel=Message.Channel.WHATSAPP, provider_id=status.id)
    if not found.exists():
        return "unknown message"
    at = moment(status.timestamp, clock.now())
    if status.status == "failed":
        error = "; ".join(f"{e.code}: {e.title or e.message}" for e in status.errors)[:500] or "failed"
        # Only what was not yet seen arriving: a late "failed" after "delivered" does not undo the delivery.
        changed = found.filter(delivery__in=["", Message.Delivery.SENT]).update(
            delivery=Message.Delivery.FAILED, status=Message.Status.FAILED,
            last_error=f"WhatsApp reported it undelivered: {error}",
        )  # fmt: skip
        return "failed" if changed else "kept"
    if status.status not in _RANK:
        return "ignored"
    lower = [d for d, rank in _RANK.items() if rank < _RANK[status.status]]
    change: dict[str, Any] = {"delivery": status.status}
    if status.status == Message.Delivery.READ:
        change["read_at"] = at
    changed = found.filter(delivery__in=lower).update(**change)
    if status.status in (Message.Delivery.DELIVERED, Message.Delivery.READ):
        found.filter(delivered_at__isnull=True).update(delivered_at=at)
    return status.status if changed else "kept"
