"""Deliveries from outside: stored raw first, answered fast, turned into leads in the background."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, QuerySet, Value, When
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from vollegym.core import clock

# The inbound door's names, kept for its callers; the scheme itself is shared with outbound webhooks.
from vollegym.core.signing import SIGNATURE_TOLERANCE_SECONDS as SIGNATURE_TOLERANCE_SECONDS
from vollegym.core.signing import SignatureError as SignatureError
from vollegym.core.signing import sign_generic as sign_generic
from vollegym.core.signing import verify_generic_signature as verify_generic_signature
from vollegym.leads.models import InboundEvent, Source
from vollegym.leads.services import (
    CaptureError,
    CheckedLead,
    ConsentInput,
    LeadInput,
    check_lead_input,
    lead_capture,
    lead_check,
    leads_capture,
)
from vollegym.studios.models import Studio

log = logging.getLogger(__name__)


class BodyError(ValueError):
    """A body that is not JSON a door takes; the message says why, for the sender."""


# Far beyond any lead (a delivery is a few levels deep), far below what breaks a parser or a database.
MAX_NESTING = 20
MAX_NUMBER_CHARACTERS = 100
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def read_json(body: bytes) -> Any:
    """The body as strict JSON, with every string fit to store; raises BodyError with the reason.

    Strict: NaN and Infinity are not JSON, a number must fit a double (1e400 does not) and have at most
    100 characters, and nesting stops at 20 levels; PostgreSQL's jsonb and SQLite's json_valid() refuse
    the first two, Python's parser the last two. Strings and keys lose NUL characters and get U+FFFD for a
    lone surrogate: the first is refused by PostgreSQL, the second cannot be written as UTF-8 at all.
    """
    try:
        value = json.loads(body, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_short_int)
    except RecursionError:
        raise BodyError(f"body is nested deeper than {MAX_NESTING} levels") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BodyError(f"body is not JSON: {exc}") from None
    return _cleaned(value, 0)


def _no_constant(name: str) -> NoReturn:
    raise BodyError(f"body is not JSON: {name} is not a number in JSON")


def _finite_float(text: str) -> float:
    number = float(_short(text))
    if not math.isfinite(number):
        raise BodyError(f"body holds a number out of range: {text[:20]}")
    return number


def _short_int(text: str) -> int:
    return int(_short(text))


def _short(text: str) -> str:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise BodyError(f"body holds a number of more than {MAX_NUMBER_CHARACTERS} characters")
    return text


def clean_text(text: str) -> str:
    """The text without NUL characters, a lone surrogate replaced by U+FFFD."""
    return _SURROGATES.sub("\ufffd", text.replace("\x00", ""))


def _cleaned(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if not isinstance(value, dict | list):
        return value
    if depth >= MAX_NESTING:
        raise BodyError(f"body is nested deeper than {MAX_NESTING} levels")
    if isinstance(value, list):
        return [_cleaned(item, depth + 1) for item in value]
    return {clean_text(key): _cleaned(item, depth + 1) for key, item in value.items()}


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
    return _insert_once(event)


REFUSED_KEY_PREFIX = "refused:"
KEPT_BODY_BYTES = 100_000


def inbound_keep_refused(*, studio: Studio | None, provider: str, body: bytes, reason: str) -> InboundEvent:
    """Keeps a signed delivery that cannot become a lead, as failed, for a person to look at; once per body."""
    # Keyed on the body, never on the sender's id: a corrected delivery with the same id must still get in.
    digest = hashlib.sha256(body).hexdigest()
    event = InboundEvent(
        studio=studio,
        provider=provider,
        dedupe_key=f"{REFUSED_KEY_PREFIX}{studio.pk if studio else '-'}:{digest}",
        payload=kept_body(body, reason),
        status=InboundEvent.Status.FAILED,
        error=f"refused on arrival: {reason}",
        processed_at=clock.now(),
    )
    return _insert_once(event)[0]


def kept_body(body: bytes, reason: str) -> dict[str, Any]:
    """The raw body as text that any database stores: bytes that are not UTF-8 and NULs are written as escapes."""
    text = body[:KEPT_BODY_BYTES].decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
    return {"refused": reason, "body": text, "truncated": len(body) > KEPT_BODY_BYTES}


def _insert_once(event: InboundEvent) -> tuple[InboundEvent, bool]:
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint, so a duplicate leaves the caller's transaction usable
                event.save(force_insert=True)
        else:
            event.save(force_insert=True)  # one INSERT, committed on its own: the fast path of every webhook
    except IntegrityError:
        existing = InboundEvent.all_studios.filter(
            provider=event.provider, dedupe_key=event.dedupe_key
        ).first()
        if existing is None:  # not a duplicate: some other rule of the table
            raise
        return existing, False
    return event, True


class RetryLater(Exception):
    """The other side is temporarily unavailable; the event is tried again after a pause."""


MAX_AUTOMATIC_ATTEMPTS = 6


def inbound_process_next(*, now: datetime | None = None) -> bool:
    """Claims the oldest due event (skipping ones another worker holds) and turns it into a lead."""
    now = now or clock.now()
    return _process(_due(now)) != "none due"


def _due(now: datetime) -> QuerySet[InboundEvent]:
    return (
        InboundEvent.all_studios.select_for_update(skip_locked=True, of=("self",))
        .filter(status=InboundEvent.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
    )


def inbound_process_due(*, limit: int, now: datetime | None = None) -> int:
    """Claims up to `limit` due events and turns them into leads together; returns how many were handled.

    One transaction for the batch and one capture per studio in it, so a burst costs a few statements per
    batch instead of a dozen per delivery. Deliveries that need the outside world (Meta's Graph API) and any
    batch that fails part-way are done one by one afterwards, each in its own transaction as before, so one
    bad delivery never holds back the others and its reason is kept on it.
    """
    now = now or clock.now()
    alone: list[int] = []
    refused: list[tuple[int, Exception]] = []
    with transaction.atomic():
        claimed = list(_due(now).select_related("studio")[:limit])
        if not claimed:
            return 0
        by_studio: dict[int, list[tuple[InboundEvent, CheckedLead]]] = {}
        for event in claimed:
            reader = _READERS.get(event.provider)
            if reader is None or event.studio is None:
                alone.append(event.pk)
                continue
            try:
                checked = lead_check(reader(event.payload))
            except Exception as exc:  # the delivery itself is wrong: kept with its reason, below
                refused.append((event.pk, exc))
                continue
            by_studio.setdefault(event.studio_id or 0, []).append((event, checked))
        try:
            with transaction.atomic():
                done = _capture_batches(list(by_studio.values()))
        except Exception as exc:
            log.warning("a batch of %d deliveries failed (%s); each is tried on its own", len(claimed), exc)
            alone += [event.pk for batch in by_studio.values() for event, _checked in batch]
            done = []
        if done:  # one UPDATE for the batch: all processed now, each with its own lead
            InboundEvent.all_studios.filter(pk__in=[event.pk for event in done]).update(
                status=InboundEvent.Status.PROCESSED, error="", attempts=F("attempts") + 1,
                processed_at=clock.now(), lead_id=Case(*(When(pk=e.pk, then=Value(e.lead_id)) for e in done)),
            )  # fmt: skip
    for event_id, reason in refused:
        _failed(event_id, reason)
    for event_id in alone:
        inbound_process(event_id=event_id)
    return len(claimed)


def _capture_batches(batches: list[list[tuple[InboundEvent, CheckedLead]]]) -> list[InboundEvent]:
    done = []
    for batch in batches:
        studio = batch[0][0].studio
        assert studio is not None
        captured = leads_capture(studio=studio, leads=[checked for _event, checked in batch])
        for (event, _checked), result in zip(batch, captured, strict=True):
            event.lead = result.lead
            done.append(event)
    return done


def inbound_process(*, event_id: int) -> str:
    """Processes one event now if it is pending (what a worker does with the next one in line)."""
    found = InboundEvent.all_studios.select_for_update(of=("self",)).filter(
        pk=event_id, status=InboundEvent.Status.PENDING
    )
    outcome = _process(found)
    return "not pending" if outcome == "none due" else outcome


def _process(claim: QuerySet[InboundEvent]) -> str:
    """Turns the claimed delivery into a lead, once, in one transaction with the claim and the lead.

    A failure rolls all of it back and is then kept on the event in a transaction of its own (retried when
    temporary): no savepoint on the way, since every processed delivery would pay for it.
    """
    event_id = None
    try:
        with transaction.atomic():
            event = claim.select_related("studio").first()
            if event is None:
                return "none due"
            event_id = event.pk
            status, lead = _PROCESSORS[event.provider](event)
            event.attempts += 1
            event.status, event.lead, event.error, event.processed_at = status, lead, "", clock.now()
            event.save(update_fields=["status", "lead", "error", "attempts", "processed_at"])
            return str(event.status)
    except Exception as exc:
        if event_id is None:
            raise  # the claim itself failed (the database went away): the worker waits it out
        return _failed(event_id, exc)


def _failed(event_id: int, exc: Exception) -> str:
    log.warning("inbound event %s failed: %s", event_id, exc)
    with transaction.atomic():
        event = (
            InboundEvent.all_studios.select_for_update(of=("self",))
            .filter(pk=event_id, status=InboundEvent.Status.PENDING)
            .first()
        )
        if event is None:
            return "not pending"  # another worker took it on meanwhile
        event.attempts += 1
        event.error, event.processed_at = f"{type(exc).__name__}: {exc}", clock.now()
        if isinstance(exc, RetryLater) and event.attempts < MAX_AUTOMATIC_ATTEMPTS:
            from vollegym.messaging.services import backoff

            event.next_attempt_at = clock.now() + backoff(event.attempts)  # stays pending, tried again later
        else:
            event.status = InboundEvent.Status.FAILED
        event.save(update_fields=["status", "error", "attempts", "processed_at", "next_attempt_at"])
        return str(event.status)


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


def _read_google(payload: dict[str, Any]) -> LeadInput:
    from vollegym.leads import google

    return google.lead_input(google.parse(payload))


# Deliveries that hold the whole lead, so a batch can be read before anything is written.
_READERS: dict[str, Callable[[dict[str, Any]], LeadInput]] = {
    InboundEvent.Provider.GENERIC: lambda payload: generic_parse(payload).to_input(),
    InboundEvent.Provider.GOOGLE: _read_google,
}

_PROCESSORS: dict[str, Callable[[InboundEvent], tuple[str, Any]]] = {
    InboundEvent.Provider.GENERIC: _process_generic,
    InboundEvent.Provider.META: _process_meta,
    InboundEvent.Provider.GOOGLE: _process_google,
}


def inbound_retry(*, studio: Studio, event_id: int) -> bool:
    """Queues a failed delivery of this studio again (after a fix, or when the other side is back)."""
    # A delivery refused on arrival was never a lead's data; trying it again would only fail again.
    return bool(
        InboundEvent.objects.for_studio(studio)
        .filter(pk=event_id, status=InboundEvent.Status.FAILED)
        .exclude(dedupe_key__startswith=REFUSED_KEY_PREFIX)
        .update(status=InboundEvent.Status.PENDING, next_attempt_at=clock.now())
    )
