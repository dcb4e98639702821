"""Polled by every worker (see `vollegym worker`): Mollie's stored webhook calls are a work queue of their own."""

from vollegym.payments.webhooks import webhooks_process_due

BATCH = 20


def poll() -> int:
    """Fetches and settles up to BATCH due payments; returns how many deliveries were handled."""
    return webhooks_process_due(limit=BATCH)
