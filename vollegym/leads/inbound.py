"""Deliveries from outside: stored raw first, answered fast, turned into leads in the background."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from vollegym.core import clock
from vollegym.leads.models import InboundEvent, Source
from vollegym.leads.services import CaptureError, ConsentInput, LeadInput, check_lead_input, lead_capture
from vollegym.studios.models import Studio

log = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    pass


def verify_generic_signature(header: str, body: bytes, secret: str, *, now: float | None = None) -> None:
    """`t=<unix seconds>,v1=<hex>`, v1 = HMAC-SHA256(secret, "<t>.<raw body>"); at most 5 minutes old."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    timestamp, given = parts.get("t", "").strip(), parts.get("v1", "").strip()
    if not timestamp.isdigit() or not given:
        raise SignatureError("X-Vollegym-Signature must look like t=<unix seconds>,v1=<hex HMAC-SHA256>")
    age = (now if now is not None else time.time()) - int(timestamp)
    if abs(age) > SIGNATURE_TOLERANCE_SECONDS:
        raise SignatureError(
            f"signature timestamp is {int(age)} seconds off; at most {SIGNATURE_TOLERANCE_SECONDS}"
        )
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given.lower()):
        raise SignatureError("signature does not match the body and the studio's webhook secret")


def sign_generic(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The header value a sender computes (for our tests, benchmarks and documentation)."""
    t = str(int(timestamp if timestamp is not None else time.time()))
    digest = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


class _ConsentIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    purpose: StrictStr
    text: StrictStr = Field(min_length=1)
    given: StrictBool
    channel: StrictStr = ""


class GenericLeadIn(BaseModel):
    """The body of the generic webhook (Zapier, Make, a studio's own site)."""

    model_config = ConfigDict(extra="ignore")
    external_id: StrictStr = Field(min_length=1, max_length=150)
    name: StrictStr = ""
    email: StrictStr = ""
    phone: StrictStr = ""
    source: StrictStr = Source.WEBSITE
    campaign: StrictStr = ""
    ad: StrictStr = ""
    form: StrictStr = ""
    utm: dict[str, StrictStr] = Field(default_factory=dict)
    consent: list[_ConsentIn] = Field(default_factory=list)
    answers: dict[str, Any] = Field(default_factory=dict)

    def to_input(self) -> LeadInput:
        return LeadInput(
            source=self.source, name=self.name, email=self.email, phone=self.phone, campaign=self.campaign,
            ad=self.ad, form=self.form, utm=self.utm, answers=self.answers,
            consents=[ConsentInput(c.purpose, c.text, c.given, c.channel) for c in self.consent],
        )  # fmt: skip


def describe(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors())


def generic_parse(payload: object) -> GenericLeadIn:
    """Checks a generic delivery before it is stored; raises CaptureError with the field and the reason."""
    try:
        parsed = GenericLeadIn.model_validate(payload)
    except ValidationError as exc:
        raise CaptureError("body", describe(exc)) from None
    check_lead_input(parsed.to_input())
    return parsed


def inbound_store(
    *, studio: Studio | None, provider: str, dedupe_key: str, payload: dict[str, Any], process: bool = True
) -> tuple[InboundEvent, bool]:
    """Stores a delivery once (per provider and key); the stored row is its place in the queue. (event, is_new)"""
    event = InboundEvent(
        studio=studio,
        provider=provider,
        dedupe_key=dedupe_key,
        payload=payload,
        status=InboundEvent.Status.PENDING if process else InboundEvent.Status.UNROUTABLE,
    )
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint, so a duplicate leaves the caller's transaction usable
                event.save(force_insert=True)
        else:
            event.save(force_insert=True)  # one INSERT, committed on its own: the fast path of every webhook
    except IntegrityError:
        return InboundEvent.all_studios.get(provider=provider, dedupe_key=dedupe_key), False
    return event, True


class RetryLater(Exception):
    """The other side is temporarily unavailable; the event is tried again after a pause."""


MAX_AUTOMATIC_ATTEMPTS = 6


def inbound_process_next(*, now: datetime | None = None) -> bool:
    """Claims the oldest due event (skipping ones another worker holds) and turns it into a lead."""
    now = now or clock.now()
    with transaction.atomic():
        event = (
            InboundEvent.all_studios.select_for_update(skip_locked=True, of=("self",))
            .filter(status=InboundEvent.Status.PENDING, next_attempt_at__lte=now)
            .select_related("studio")
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if event is None:
            return False
        _process(event)
    return True


def inbound_process(*, event_id: int) -> str:
    """Processes one event now if it is pending (what a worker does with the next one in line)."""
    with transaction.atomic():
        event = (
            InboundEvent.all_studios.select_for_update(of=("self",))
            .filter(pk=event_id, status=InboundEvent.Status.PENDING)
            .select_related("studio")
            .first()
        )
        if event is None:
            return "not pending"
        _process(event)
        return str(event.status)


def _process(event: InboundEvent) -> None:
    """Turns a stored delivery into a lead, once; a failure is kept on the event (retried when temporary)."""
    event.attempts += 1
    try:
        with transaction.atomic():
            status, lead = _PROCESSORS[event.provider](event)
    except Exception as exc:
        log.warning("inbound event %s failed: %s", event.pk, exc)
        event.error, event.processed_at = f"{type(exc).__name__}: {exc}", clock.now()
        if isinstance(exc, RetryLater) and event.attempts < MAX_AUTOMATIC_ATTEMPTS:
            from vollegym.messaging.services import backoff

            event.next_attempt_at = clock.now() + backoff(event.attempts)  # stays pending, tried again later
        else:
            event.status = InboundEvent.Status.FAILED
    else:
        event.status, event.lead, event.error, event.processed_at = status, lead, "", clock.now()
    event.save(update_fields=["status", "lead", "error", "attempts", "processed_at", "next_attempt_at"])


def _process_generic(event: InboundEvent) -> tuple[str, Any]:
    assert event.studio is not None
    parsed = generic_parse(event.payload)
    captured = lead_capture(studio=event.studio, data=parsed.to_input())
    return InboundEvent.Status.PROCESSED, captured.lead


def _process_meta(event: InboundEvent) -> tuple[str, Any]:
    from vollegym.leads import meta
    from vollegym.leads.models import MetaPage

    assert event.studio is not None
    page = MetaPage.objects.for_studio(event.studio).filter(page_id=event.payload.get("page_id", "")).first()
    if page is None:
        raise ValueError(f"page {event.payload.get('page_id')} is no longer connected to this studio")
    try:
        graph_lead = meta.graph_fetch_lead(event.dedupe_key, page.page_token)
    except meta.GraphUnavailable as exc:
        raise RetryLater(str(exc)) from exc
    captured = lead_capture(studio=event.studio, data=meta.lead_input_from_graph(graph_lead, event.payload))
    return InboundEvent.Status.PROCESSED, captured.lead


def _process_google(event: InboundEvent) -> tuple[str, Any]:
    from vollegym.leads import google

    assert event.studio is not None
    captured = lead_capture(studio=event.studio, data=google.lead_input(google.parse(event.payload)))
    return InboundEvent.Status.PROCESSED, captured.lead


_PROCESSORS: dict[str, Callable[[InboundEvent], tuple[str, Any]]] = {
    InboundEvent.Provider.GENERIC: _process_generic,
    InboundEvent.Provider.META: _process_meta,
    InboundEvent.Provider.GOOGLE: _process_google,
}


def inbound_retry(*, studio: Studio, event_id: int) -> bool:
    """Queues a failed delivery of this studio again (after a fix, or when the other side is back)."""
    return bool(
        InboundEvent.objects.for_studio(studio)
        .filter(pk=event_id, status=InboundEvent.Status.FAILED)
        .update(status=InboundEvent.Status.PENDING, next_attempt_at=clock.now())
    )
