"""Run by every worker every so often (see `vollegym worker`)."""

from datetime import timedelta

from vollegym.core import clock
from vollegym.inbox.models import WhatsAppDelivery

# What Meta sent, raw, once it was read: kept as long as a studio keeps raw deliveries by default (people app).
RAW_KEPT = timedelta(days=30)


def run() -> None:
    WhatsAppDelivery.objects.exclude(status=WhatsAppDelivery.Status.PENDING).filter(
        received_at__lt=clock.now() - RAW_KEPT
    ).delete()
