"""Polled by every worker (see `vollegym worker`): the delivery table is a work queue of its own.

The fan-out runs here too, so an event goes out within seconds rather than at the next sweep; with nothing new it
is one query (which subscriptions have an event past their cursor), however many subscriptions there are.
"""

from vollegym.outbound.services import deliveries_fan_out, deliveries_send_due

BATCH = 20


def poll() -> int:
    """Fans out new events and sends up to BATCH due deliveries; returns how many were handled."""
    return deliveries_fan_out() + deliveries_send_due(limit=BATCH)
