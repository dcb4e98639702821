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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import QuerySet
from pydantic import ValidationError

from vollegym.core import clock
from vollegym.inbox.models import WhatsAppDelivery
from vollegym.inbox.reading import (
    Contact,
    DeliveryError,
    InMessage,
    Status,
    Value,
    message_text,
    moment,
    parse,
    why,
)
from vollegym.inbox.selectors import UNDELIVERED
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


# --- processing ---------------------------------------------------------------------------------------------------

MAX_ATTEMPTS = 6
# The database away for a moment, a lock it gave up on, or another worker that kept the same row a moment ago:
# tried again with backoff; anything else (a delivery we cannot read, a bug) fails at once, with its reason.
TRANSIENT = (OperationalError, InterfaceError, IntegrityError)


@dataclass
class _Outcome:
    """What one pass over a delivery did."""

    used: int = 0  # messages kept (or known already) and statuses applied
    unreadable: int = 0  # changes, messages or statuses that could not be read or belong to no studio
    notes: list[str] = field(default_factory=list)  # what was skipped, and why
    waiting: list[str] = field(default_factory=list)  # statuses of messages not recorded as sent (yet)

    def skip(self, note: str, *, unreadable: bool = True) -> None:
        self.notes.append(note)
        self.unreadable += unreadable


def _process(claim: QuerySet[WhatsAppDelivery]) -> str:
    """Reads the claimed delivery into messages and statuses in one transaction with the claim.

    Applying a delivery twice changes nothing (messages are kept once by id, statuses only move forward), so what
    could be applied is committed even while some statuses still wait for their message; those are tried again.
    """
    delivery_id = None
    try:
        with transaction.atomic():
            delivery = claim.first()
            if delivery is None:
                return "none due"
            delivery_id = delivery.pk
            outcome = _apply(delivery.payload)
            if outcome.unreadable and not outcome.used and not outcome.waiting:
                raise DeliveryError("; ".join(outcome.notes))
            return _settle(delivery, outcome)
    except Exception as exc:
        if delivery_id is None:
            raise
        return _failed(delivery_id, exc)


def _settle(delivery: WhatsAppDelivery, outcome: _Outcome) -> str:
    attempts, now = delivery.attempts + 1, clock.now()
    for note in outcome.notes:
        log.warning("WhatsApp delivery %s: skipped %s", delivery.pk, note)
    notes = list(outcome.notes)
    if outcome.waiting:
        waiting = ", ".join(outcome.waiting)
        if attempts < MAX_ATTEMPTS:
            from vollegym.messaging.services import backoff

            notes.append(f"statuses waiting for their message to be recorded as sent: {waiting}")
            WhatsAppDelivery.objects.filter(pk=delivery.pk).update(
                attempts=attempts, error="; ".join(notes)[:2000], next_attempt_at=now + backoff(attempts)
            )
            return WhatsAppDelivery.Status.PENDING
        notes.append(f"statuses of messages never recorded as sent, skipped: {waiting}")
        log.warning("WhatsApp delivery %s: %s", delivery.pk, notes[-1])
    WhatsAppDelivery.objects.filter(pk=delivery.pk).update(
        status=WhatsAppDelivery.Status.PROCESSED, error="; ".join(notes)[:2000], attempts=attempts,
        processed_at=now,
    )  # fmt: skip
    return WhatsAppDelivery.Status.PROCESSED


def _failed(delivery_id: int, exc: Exception) -> str:
    """A pass that ended in an error: tried again later when the error may pass, else failed with the reason.

    With the database gone this raises in turn; the delivery then stays as it was, and the worker (which rides out
    an outage) finds it again.
    """
    log.warning("WhatsApp delivery %s: %s: %s", delivery_id, type(exc).__name__, exc)
    delivery = WhatsAppDelivery.objects.filter(pk=delivery_id, status=WhatsAppDelivery.Status.PENDING).first()
    if delivery is None:
        return "not pending"
    attempts = delivery.attempts + 1
    change: dict[str, Any] = {"attempts": attempts, "error": f"{type(exc).__name__}: {exc}"[:2000]}
    if isinstance(exc, TRANSIENT) and attempts < MAX_ATTEMPTS:
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


def _apply(payload: Any) -> _Outcome:
    """Applies every `messages` change of a delivery; other changes are kept (in the raw delivery) and ignored."""
    outcome = _Outcome()
    for entry in parse(payload).entry:
        for change in entry.changes:
            if change.field != "messages":
                outcome.skip(
                    f"a change of field {change.field[:60]!r}, which we do not read", unreadable=False
                )
                continue
            _apply_change(change.value, outcome)
    return outcome


def _apply_change(raw: Any, outcome: _Outcome) -> None:
    from vollegym.inbox.services import inbound_receive

    try:
        value = Value.model_validate(raw)
    except ValidationError as exc:
        outcome.skip(f"a messages change we cannot read: {why(exc)}")
        return
    studio = _studio_for(value.metadata.phone_number_id)
    if studio is None:
        outcome.skip(f"no studio has WhatsApp number id {value.metadata.phone_number_id[:40]}")
        return
    names: dict[str, str] = {}
    for raw_contact in value.contacts:
        try:
            contact = Contact.model_validate(raw_contact)
        except ValidationError:
            continue  # a name is a nicety: the message is kept without it
        names[contact.wa_id] = contact.profile.name
    for n, raw_message in enumerate(value.messages):
        try:
            message = InMessage.model_validate(raw_message)
        except ValidationError as exc:
            outcome.skip(f"message {n}: {why(exc)}")
            continue
        sender = message.from_.lstrip("+")
        inbound_receive(
            studio=studio, wa_id=message.id, phone=f"+{sender}", name=names.get(sender, ""),
            kind=message.type, text=message_text(message), sent_at=moment(message.timestamp, clock.now()),
        )  # fmt: skip
        outcome.used += 1
    for n, raw_status in enumerate(value.statuses):
        try:
            status = Status.model_validate(raw_status)
        except ValidationError as exc:
            outcome.skip(f"status {n}: {why(exc)}")
            continue
        applied = status_apply(studio=studio, status=status)
        if applied == "unknown message":
            outcome.waiting.append(status.id[:80])
        elif applied == "unknown status":
            outcome.skip(
                f"status {status.status[:40]!r} of {status.id[:80]}, which we do not know", unreadable=False
            )
        else:
            outcome.used += 1


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
KNOWN_STATUSES = frozenset(
    {Message.Delivery.SENT, Message.Delivery.DELIVERED, Message.Delivery.READ, "failed"}
)


def status_apply(*, studio: Studio, status: Status) -> str:
    """Moves one outgoing message forward (sent → delivered → read, or failed); never back; returns what happened."""
    if status.status not in KNOWN_STATUSES:
        return "unknown status"
    found = Message.objects.for_studio(studio).filter(channel=Message.Channel.WHATSAPP, provider_id=status.id)
    if not found.exists():
        return "unknown message"
    at = moment(status.timestamp, clock.now())
    if status.status == "failed":
        error = "; ".join(f"{e.code}: {e.title or e.message}" for e in status.errors)[:500] or "failed"
        # Only what was not yet seen arriving: a late "failed" after "delivered" does not undo the delivery.
        changed = found.filter(delivery__in=["", Message.Delivery.SENT]).update(
            delivery=Message.Delivery.FAILED, status=Message.Status.FAILED, last_error=f"{UNDELIVERED}{error}"
        )
        return "failed" if changed else "kept"
    lower = [d for d, rank in _RANK.items() if rank < _RANK[status.status]]
    change: dict[str, Any] = {"delivery": status.status}
    if status.status == Message.Delivery.READ:
        change["read_at"] = at
    changed = found.filter(delivery__in=lower).update(**change)
    if status.status in (Message.Delivery.DELIVERED, Message.Delivery.READ):
        found.filter(delivered_at__isnull=True).update(delivered_at=at)
    return status.status if changed else "kept"
