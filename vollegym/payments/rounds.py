"""What the payments sweeps share in one round of the worker: a database that went away goes up to the worker (which
waits it out and runs the round again), and a studio whose Mollie answered 5xx or not at all is left alone for the rest
of the round, so a Mollie having a bad moment is asked once, not once per term, refund or payment.

The round is an object the caller makes and hands to each sweep, not state of the process: two workers sweeping at
once each keep their own."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError

log = logging.getLogger(__name__)

# What the worker treats as "the database went away" (see core/management/commands/worker.py): never swallowed here.
DATABASE_LOST = (OperationalError, InterfaceError)


class MollieRound:
    """The studios whose Mollie did not answer in this round."""

    def __init__(self) -> None:
        self._down: set[int] = set()

    def skips(self, studio_id: int) -> bool:
        """Whether this studio's Mollie already failed this round: then nothing more is asked of it."""
        return studio_id in self._down

    def down(self, studio_id: int, error: Exception) -> None:
        """Mollie answered 5xx or not at all for this studio: the rest of its work waits for the next round."""
        if studio_id not in self._down:
            log.info(
                "Mollie unavailable for studio %s; its sweep waits for the next round: %s", studio_id, error
            )
        self._down.add(studio_id)

    @property
    def studios_down(self) -> frozenset[int]:
        return frozenset(self._down)
