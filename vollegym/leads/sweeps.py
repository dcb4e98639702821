"""Run by every worker every so often (see `vollegym worker`)."""

from vollegym.leads.services import leads_sweep


def run() -> None:
    leads_sweep()
