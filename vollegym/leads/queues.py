"""Polled by every worker (see `vollegym worker`): the inbound events table is a work queue of its own."""

from vollegym.leads.inbound import inbound_process_due

BATCH = 50


def poll() -> int:
    """Processes up to BATCH due events together; returns how many."""
    return inbound_process_due(limit=BATCH)
