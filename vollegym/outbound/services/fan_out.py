"""The fan-out: a studio's new domain events become deliveries, once per subscription that hears their kind."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q

from vollegym.core import clock
from vollegym.outbound.models import Delivery, Subscription
from vollegym.people.models import DomainEvent

FAN_OUT_BATCH = 500
# Events committed late (a long transaction took its id earlier) are picked up if they land within this window.
LATE_COMMIT_WINDOW = timedelta(minutes=5)


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
    studio_events = DomainEvent.objects.for_studio(subscription.studio_id)
    # Read first: an event committed after this has a higher id and is still ahead of the cursor.
    newest = studio_events.aggregate(newest=Max("id"))["newest"] or 0
    events = (
        studio_events.filter(kind__in=subscription.kinds, id__gt=subscription.start_after, id__lte=newest)
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
    # Past every event seen, of other kinds too, so that "nothing newer than the cursor" means nothing to do.
    cursor = rows[-1][0] if len(rows) == FAN_OUT_BATCH else newest
    if cursor > subscription.cursor:
        Subscription.all_studios.filter(pk=subscription.pk).update(cursor=cursor)
    return len(rows)


def subscriptions_behind() -> list[int]:
    """The active subscriptions of active studios whose studio has an event past their cursor: one query."""
    newer = DomainEvent.all_studios.filter(studio_id=OuterRef("studio_id"), id__gt=OuterRef("cursor"))
    return list(
        Subscription.all_studios.filter(status=Subscription.Status.ACTIVE, studio__is_active=True)
        .filter(Exists(newer))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def deliveries_fan_out(*, now: datetime | None = None, late_commits: bool = False) -> int:
    """New events become deliveries for the subscriptions behind (every poll: one query when none is behind).

    With `late_commits` (the sweep, every minute) every active subscription looks back LATE_COMMIT_WINDOW too, for
    an event whose transaction committed after a newer one had moved the cursor past it.
    """
    if late_commits:
        # A switched-off studio sends nothing, as its outbox does not.
        ids = list(
            Subscription.all_studios.filter(
                status=Subscription.Status.ACTIVE, studio__is_active=True
            ).values_list("pk", flat=True)
        )
    else:
        ids = subscriptions_behind()
    return sum(subscription_fan_out(subscription_id=pk, now=now) for pk in ids)
