from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from vollegym.outbound.models import Delivery, Subscription
from vollegym.studios.models import Studio

LOG_LENGTH = 100


def subscriptions_of(studio: Studio) -> QuerySet[Subscription]:
    """The studio's subscriptions, with how many deliveries wait and failed."""
    return Subscription.objects.for_studio(studio).annotate(
        waiting=Count("deliveries", filter=Q(deliveries__status__in=["pending", "sending"])),
        failed=Count("deliveries", filter=Q(deliveries__status="failed")),
    )


def subscription_of(studio: Studio, subscription_id: int) -> Subscription | None:
    return Subscription.objects.for_studio(studio).filter(pk=subscription_id).first()


def delivery_log(subscription: Subscription) -> list[Delivery]:
    """The newest deliveries of one subscription, newest event first."""
    return list(
        Delivery.objects.for_studio(subscription.studio_id)
        .filter(subscription=subscription)
        .select_related("event")
        .order_by("-event_id", "-id")[:LOG_LENGTH]
    )


def delivery_of(subscription: Subscription, delivery_id: int) -> Delivery | None:
    return (
        Delivery.objects.for_studio(subscription.studio_id)
        .filter(subscription=subscription, pk=delivery_id)
        .first()
    )
