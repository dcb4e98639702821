"""Outbound webhook subscriptions: made with a checked URL and a secret, paused, resumed, given a new secret."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.outbound.addresses import AddressRefused, target_for
from vollegym.outbound.models import Delivery, Subscription
from vollegym.people.events import KINDS
from vollegym.people.models import DomainEvent
from vollegym.studios.models import Studio, User


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
    # Their three days start again at their next attempt, so one that waited out the pause is not given up at once.
    Delivery.objects.for_studio(subscription.studio_id).filter(
        subscription=subscription, status=Delivery.Status.PENDING
    ).update(next_attempt_at=clock.now(), first_attempt_at=None)
    subscription.refresh_from_db()
    return subscription


def subscription_delete(*, subscription: Subscription) -> None:
    """Gone with its delivery log; a delivery being sent right now still finishes."""
    subscription.delete()
