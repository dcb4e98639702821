"""Polled by every worker (see `vollegym worker`): the inbound events table is a work queue of its own."""

from vollegym.leads.inbound import inbound_process_next

BATCH = 50


def poll() -> int:
    """Processes up to BATCH due events; returns how many."""
    done = 0
    while done < BATCH and inbound_process_next():
        done += 1
    return done
