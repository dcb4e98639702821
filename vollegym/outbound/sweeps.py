"""Run by every worker every so often (see `vollegym worker`): new domain events become webhook deliveries."""

from vollegym.outbound.services import deliveries_fan_out, deliveries_settle_interrupted


def run() -> None:
    deliveries_settle_interrupted()
    deliveries_fan_out()
