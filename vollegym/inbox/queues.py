"""Polled by every worker (see `vollegym worker`): WhatsApp's stored deliveries are a work queue of their own."""

from vollegym.inbox.delivery import deliveries_process_due

BATCH = 50


def poll() -> int:
    """Reads up to BATCH due deliveries; returns how many were handled."""
    return deliveries_process_due(limit=BATCH)
