"""Outbound webhooks: subscriptions, the fan-out of domain events into deliveries, and each delivery's POST."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.signing import sign_generic
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.outbound import client
from vollegym.outbound.addresses import AddressRefused, target_for
from vollegym.outbound.models import Delivery, Subscription
from vollegym.people.events import KINDS
from vollegym.people.models import DomainEvent
from vollegym.studios.models import StaffMembership, Studio, User

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(
    days=3
)  # a delivery retried this long is failed; a subscription failing this long pauses
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
FAN_OUT_BATCH = 500
# Events committed late (a long transaction took its id earlier) are picked up if they land within this window.
LATE_COMMIT_WINDOW = timedelta(minutes=5)
INTERRUPTED_AFTER = timedelta(minutes=2)  # a delivery "sending" this long lost its worker


class SubscriptionError(ValidationError):
    pass


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def subscription_url_check(url: str) -> None:
    """A subscription's URL must be https and reach a public address (unless the setting allows private ones)."""
    try:
        target_for(url)
    except AddressRefused as exc:
        raise SubscriptionError(
            _("Dit adres kan niet: %(reason)s. Gebruik een openbaar https-adres.") % {"reason": exc}
        ) from exc


def _kinds_check(kinds: list[str]) -> list[str]:
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        raise SubscriptionError(_("Kies een of meer bekende gebeurtenissen."))
    return sorted(set(kinds))


@transaction.atomic
def subscription_create(*, studio: Studio, url: str, kinds: list[str], by: User | None) -> Subscription:
    """A new subscription hears of events from now on (no backfill); its secret is returned once, on the row."""
    subscription_url_check(url)
    newest = DomainEvent.objects.for_studio(studio).aggregate(newest=Max("id"))["newest"] or 0
    subscription = Subscription(
        studio=studio, url=url, kinds=_kinds_check(kinds), secret=new_secret(), created_by=by,
        cursor=newest, start_after=newest,
    )  # fmt: skip
    subscription.full_clean()
    subscription.save()
    return subscription


def subscription_rotate_secret(*, subscription: Subscription) -> Subscription:
    """A new secret signs every delivery from now on; the old one stops at once."""
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])
    return subscription


def subscription_pause(*, subscription: Subscription, reason: str = "") -> Subscription:
    """A paused subscription is sent nothing and fans out nothing; it keeps its place for when it resumes."""
    Subscription.objects.for_studio(subscription.studio_id).filter(pk=subscription.pk).update(
        status=Subscription.Status.PAUSED, paused_reason=reason[:200]
    )
    subscription.refresh_from_db()
    return subscription


@transaction.atomic
def subscription_resume(*, subscription: Subscription) -> Subscription:
    """Resumed: the waiting deliveries go out now, then the events since the pause, in order."""
    Subscription.objects.for_studio(subscription.studio_id).filter(pk=subscription.pk).update(
        status=Subscription.Status.ACTIVE, paused_reason="", consecutive_failures=0, failing_since=None
    )
    # The clock of the three days starts again, so a delivery that waited out the pause is not given up at once.
    Delivery.objects.for_studio(subscription.studio_id).filter(
        subscription=subscription, status=Delivery.Status.PENDING
    ).update(next_attempt_at=clock.now(), created_at=clock.now())
    subscription.refresh_from_db()
    return subscription


def subscription_delete(*, subscription: Subscription) -> None:
    """Gone with its delivery log; a delivery being sent right now still finishes."""
    subscription.delete()


@transaction.atomic
def subscription_fan_out(*, subscription_id: int, now: datetime | None = None) -> int:
    """Turns the studio's new events of the chosen kinds into deliveries, once each; moves the cursor on."""
    now = now or clock.now()
    subscription = (
        Subscription.all_studios.select_for_update(skip_locked=True)
        .filter(pk=subscription_id, status=Subscription.Status.ACTIVE)
        .first()
    )
    if subscription is None:
        return 0
    events = (
        DomainEvent.objects.for_studio(subscription.studio_id)
        .filter(kind__in=subscription.kinds, id__gt=subscription.start_after)
        .filter(Q(id__gt=subscription.cursor) | Q(at__gte=now - LATE_COMMIT_WINDOW))
        .exclude(
            Exists(
                Delivery.objects.for_studio(subscription.studio_id).filter(
                    subscription=subscription, event=OuterRef("pk")
                )
            )
        )
        .order_by("id")
        .values_list("id", "person_id")[:FAN_OUT_BATCH]
    )
    rows = list(events)
    Delivery.objects.bulk_create(
        [
            Delivery(
                studio_id=subscription.studio_id,
                subscription=subscription,
                event_id=event_id,
                person_id=person_id,
                created_at=now,
                next_attempt_at=now,
            )
            for event_id, person_id in rows
        ],
        ignore_conflicts=True,
    )
    if rows and rows[-1][0] > subscription.cursor:
        Subscription.all_studios.filter(pk=subscription.pk).update(cursor=rows[-1][0])
    return len(rows)


def deliveries_fan_out(*, now: datetime | None = None) -> int:
    """Every active subscription's new events become deliveries (the sweep; safe in many workers)."""
    # A switched-off studio sends nothing, as its outbox does not.
    ids = Subscription.all_studios.filter(
        status=Subscription.Status.ACTIVE, studio__is_active=True
    ).values_list("pk", flat=True)
    return sum(subscription_fan_out(subscription_id=pk, now=now) for pk in list(ids))


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


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Sends one due delivery if nobody else is and no earlier one about the same person waits; what happened."""
    now = now or clock.now()
    claimed = (
        Delivery.all_studios.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now,
            subscription__status=Subscription.Status.ACTIVE,
            subscription__studio__is_active=True,
        )
        .exclude(_waiting_behind())
        .update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )  # fmt: skip
    if not claimed:
        return "not due or already handled"
    delivery = Delivery.all_studios.select_related("subscription", "event", "studio").get(pk=delivery_id)
    subscription = delivery.subscription
    body = payload_of(delivery)
    outcome = client.post(subscription.url, body, {
        "Content-Type": "application/json",
        "User-Agent": "VolleGym-Webhooks/1",
        "X-Vollegym-Signature": sign_generic(body, subscription.secret),
        "X-Vollegym-Event": delivery.event.kind,
        "X-Vollegym-Delivery": str(delivery.uid),
    })  # fmt: skip
    done_at = clock.now()
    fields = {
        "last_attempt_at": done_at, "response_code": outcome.status, "response_excerpt": outcome.excerpt[:300],
        "duration_ms": outcome.duration_ms, "last_error": outcome.error[:300],
    }  # fmt: skip
    settled = Delivery.all_studios.filter(pk=delivery.pk, status=Delivery.Status.SENDING)
    if outcome.ok:
        settled.update(status=Delivery.Status.DELIVERED, delivered_at=done_at, **fields)
        Subscription.all_studios.filter(pk=subscription.pk).update(consecutive_failures=0, failing_since=None)
        return "delivered"
    if not fields["last_error"]:
        fields["last_error"] = f"answered {outcome.status}"
    gave_up = done_at - delivery.created_at >= GIVE_UP_AFTER
    if gave_up:
        settled.update(status=Delivery.Status.FAILED, **fields)
    else:
        settled.update(
            status=Delivery.Status.PENDING, next_attempt_at=done_at + backoff(delivery.attempts), **fields
        )
    _failure_count(subscription, done_at)
    return "failed" if gave_up else "retry"


def _failure_count(subscription: Subscription, now: datetime) -> None:
    """Counts a failed attempt; a subscription failing for three days on end is paused and its owners told."""
    with transaction.atomic():
        locked = (
            Subscription.all_studios.select_for_update()
            .select_related("studio")
            .filter(pk=subscription.pk)
            .first()
        )
        if locked is None:
            return  # deleted while this delivery was being sent
        locked.consecutive_failures += 1
        locked.failing_since = locked.failing_since or now
        locked.save(update_fields=["consecutive_failures", "failing_since"])
        if locked.is_active and now - locked.failing_since >= GIVE_UP_AFTER:
            subscription_pause(subscription=locked, reason=_("drie dagen lang niet afgeleverd"))
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
    """Sends a delivery again with the same delivery id (the receiver's idempotency key), from now on."""
    now = clock.now()
    Delivery.objects.for_studio(delivery.studio_id).filter(pk=delivery.pk).exclude(
        status=Delivery.Status.SENDING
    ).update(status=Delivery.Status.PENDING, next_attempt_at=now, created_at=now, delivered_at=None)
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
