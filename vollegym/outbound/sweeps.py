"""Run by every worker every minute (see `vollegym worker`): deliveries whose worker died go out again, and every
active subscription looks back a few minutes for an event that committed after a newer one (the poll looks only
past each cursor)."""

from vollegym.outbound.services import deliveries_fan_out, deliveries_settle_interrupted


def run() -> None:
    deliveries_settle_interrupted()
    deliveries_fan_out(late_commits=True)
