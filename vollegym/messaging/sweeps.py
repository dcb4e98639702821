"""Run by every worker every so often (see `vollegym worker`)."""

from vollegym.messaging.services import outbox_sweep


def run() -> None:
    outbox_sweep()
