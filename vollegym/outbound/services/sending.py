"""The delivery work queue: each delivery claimed by a conditional update, POSTed, and settled.

Each delivery is POSTed with three headers (the scheme is in `vollegym.core.signing`):

- `X-Vollegym-Delivery`: the delivery's id, the same on every attempt and replay: the receiver's idempotency key;
- `X-Vollegym-Event`: the event's kind, such as `lead.captured`;
- `X-Vollegym-Signature: t=<unix seconds>,v1=<hex>`, v1 = HMAC-SHA256(secret, "<t>.<delivery id>.<raw body>"): the
  delivery id is signed with the body, so a captured body cannot be sent again under another id to get past the
  receiver's deduplication.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.signing import sign_generic
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.outbound import client
from vollegym.outbound.models import Delivery, Subscription
from vollegym.outbound.services.subscriptions import subscription_pause
from vollegym.studios.models import StaffMembership

# A delivery retried this long after its first attempt is failed; a subscription failing this long pauses.
GIVE_UP_AFTER = timedelta(days=3)
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
# A delivery "sending" this long lost its worker: far past client.TOTAL_SECONDS, the most one attempt takes.
INTERRUPTED_AFTER = timedelta(minutes=2)
GONE = 410  # the receiver says the address is gone for good: pause at once rather than retry for three days


def payload_of(delivery: Delivery) -> bytes:
    event = delivery.event
    return json.dumps(
        {
            "id": event.pk,
            "type": event.kind,
            "occurred_at": event.at.isoformat(),
            "studio": delivery.studio.slug,
            "person_id": event.person_id,
            "data": event.payload,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def headers_of(delivery: Delivery, body: bytes, *, secret: str) -> dict[str, str]:
    """The headers of one attempt; the delivery id is signed with the body (see the module's docstring)."""
    uid = str(delivery.uid)
    return {
        "Content-Type": "application/json",
        "User-Agent": "VolleGym-Webhooks/1",
        "X-Vollegym-Signature": sign_generic(body, secret, delivery=uid),
        "X-Vollegym-Event": delivery.event.kind,
        "X-Vollegym-Delivery": uid,
    }


def _waiting_behind() -> Exists:
    """An earlier delivery of the same subscription about the same person that is not settled yet."""
    return Exists(
        Delivery.all_studios.filter(
            subscription_id=OuterRef("subscription_id"),
            person_id=OuterRef("person_id"),
            event_id__lt=OuterRef("event_id"),
            status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
        )
    )


def backoff(attempts: int) -> timedelta:
    doublings: int = min(max(attempts - 1, 0), 12)
    return min(BACKOFF_FIRST * (1 << doublings), BACKOFF_MAX)


def delivery_claim(*, delivery_id: int, now: datetime | None = None) -> datetime | None:
    """Claims a due delivery for one attempt if nobody else has it and no earlier one about the same person waits.

    Returns the moment of the claim, which the attempt's result must name to be kept (`delivery_settle`), or None.
    """
    now = now or clock.now()
    claimed_at = clock.now()
    claimed = (
        Delivery.all_studios.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now,
            subscription__status=Subscription.Status.ACTIVE,
            subscription__studio__is_active=True,
        )
        .exclude(_waiting_behind())
        .update(
            status=Delivery.Status.SENDING, attempts=F("attempts") + 1, claimed_at=claimed_at,
            first_attempt_at=Coalesce(F("first_attempt_at"), Value(claimed_at, output_field=models.DateTimeField())),
        )
    )  # fmt: skip
    return claimed_at if claimed else None


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Claims, POSTs and settles one due delivery; says what happened."""
    claimed_at = delivery_claim(delivery_id=delivery_id, now=now)
    if claimed_at is None:
        return "not due or already handled"
    delivery = Delivery.all_studios.select_related("subscription", "event", "studio").get(pk=delivery_id)
    body = payload_of(delivery)
    outcome = client.post(
        delivery.subscription.url, body, headers_of(delivery, body, secret=delivery.subscription.secret)
    )
    return delivery_settle(delivery=delivery, claimed_at=claimed_at, outcome=outcome)


def delivery_settle(*, delivery: Delivery, claimed_at: datetime, outcome: client.Outcome) -> str:
    """Keeps an attempt's result only while the claim is still its own: a worker whose claim expired and was taken
    over by another (`deliveries_settle_interrupted`) changes nothing, so the later attempt's result stands."""
    done_at = clock.now()
    fields = {
        "last_attempt_at": done_at, "response_code": outcome.status, "response_excerpt": outcome.excerpt[:300],
        "duration_ms": outcome.duration_ms, "last_error": outcome.error[:300],
    }  # fmt: skip
    mine = Delivery.all_studios.filter(pk=delivery.pk, status=Delivery.Status.SENDING, claimed_at=claimed_at)
    if outcome.ok:
        if not mine.update(status=Delivery.Status.DELIVERED, delivered_at=done_at, **fields):
            return "superseded"
        Subscription.all_studios.filter(pk=delivery.subscription_id).update(
            consecutive_failures=0, failing_since=None
        )
        return "delivered"
    if not fields["last_error"]:
        fields["last_error"] = f"answered {outcome.status}"
    gone = outcome.status == GONE
    # Counted from its first attempt, not from when it was made: waiting its turn behind an earlier delivery about
    # the same person, or out a pause, takes none of its three days.
    gave_up = not gone and done_at - (delivery.first_attempt_at or claimed_at) >= GIVE_UP_AFTER
    if gave_up:
        settled = mine.update(status=Delivery.Status.FAILED, **fields)
    else:
        settled = mine.update(
            status=Delivery.Status.PENDING, next_attempt_at=done_at + backoff(delivery.attempts), **fields
        )
    if not settled:
        return "superseded"
    _failure_count(delivery.subscription_id, done_at, gone=gone)
    return "failed" if gave_up else "retry"


def _failure_count(subscription_id: int, now: datetime, *, gone: bool) -> None:
    """Counts a failed attempt; pauses the subscription (and tells its owners) when its receiver answered 410 Gone
    or has failed for three days on end."""
    with transaction.atomic():
        locked = (
            Subscription.all_studios.select_for_update()
            .select_related("studio")
            .filter(pk=subscription_id)
            .first()
        )
        if locked is None:
            return  # deleted while this delivery was being sent
        locked.consecutive_failures += 1
        locked.failing_since = locked.failing_since or now
        locked.save(update_fields=["consecutive_failures", "failing_since"])
        if not locked.is_active:
            return
        if gone:
            reason = _("de ontvanger meldt met 410 Gone dat dit adres niet meer bestaat")
        elif now - locked.failing_since >= GIVE_UP_AFTER:
            reason = _("drie dagen lang niet afgeleverd")
        else:
            return
        subscription_pause(subscription=locked, reason=reason)
        _owners_tell(locked, now)


def _owners_tell(subscription: Subscription, now: datetime) -> None:
    url = reverse("outbound:subscription", kwargs={
        "studio": subscription.studio.slug, "subscription_id": subscription.pk,
    })  # fmt: skip
    body = render_to_string("outbound/paused.txt", {"subscription": subscription}).strip()
    for membership in (
        StaffMembership.objects.for_studio(subscription.studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
    ):
        message_queue(
            studio=subscription.studio, channel=Message.Channel.APP, to=membership.user.email,
            to_user=membership.user, purpose="webhook_paused", url=url, body=body,
            ref=f"webhook:{subscription.pk}",
            key=f"webhook:{subscription.pk}:paused:{now:%Y%m%d%H%M%S}:{membership.user_id}",
        )  # fmt: skip


def delivery_replay(*, delivery: Delivery) -> Delivery:
    """Sends a delivery again with the same delivery id (the receiver's idempotency key), with three days anew."""
    Delivery.objects.for_studio(delivery.studio_id).filter(pk=delivery.pk).exclude(
        status=Delivery.Status.SENDING
    ).update(
        status=Delivery.Status.PENDING, next_attempt_at=clock.now(), first_attempt_at=None, delivered_at=None
    )
    delivery.refresh_from_db()
    return delivery


def deliveries_send_due(*, limit: int = 50, now: datetime | None = None) -> int:
    """Sends what is due, oldest event first; each delivery is claimed by a conditional update."""
    now = now or clock.now()
    due = list(
        Delivery.all_studios.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now,
            subscription__status=Subscription.Status.ACTIVE,
            subscription__studio__is_active=True,
        )
        .exclude(_waiting_behind())
        .order_by("event_id", "pk")
        .values_list("pk", flat=True)[:limit]
    )  # fmt: skip
    return sum(delivery_send(delivery_id=pk, now=now) != "not due or already handled" for pk in due)


def deliveries_settle_interrupted(*, now: datetime | None = None) -> int:
    """A delivery whose worker died mid-send goes out again (the receiver dedupes on the delivery id)."""
    now = now or clock.now()
    return Delivery.all_studios.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - INTERRUPTED_AFTER
    ).update(status=Delivery.Status.PENDING, next_attempt_at=now)
