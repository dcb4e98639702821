"""Polled by every worker (see `vollegym worker`): the outbox table is a work queue of its own."""

from vollegym.messaging.services import outbox_deliver_due

BATCH = 50


def poll() -> int:
    """Sends up to BATCH due messages; returns how many were handled."""
    return outbox_deliver_due(limit=BATCH)
