"""Run by every worker every so often (see `vollegym worker`): the retention periods, once an hour at most."""

from django.core.cache import cache

from vollegym.people.rights import retention_sweep

# The cache is shared by every process (database or Redis), so of all workers one sweeps each hour.
EVERY_SECONDS = 3600


def run() -> None:
    if cache.add("people:retention-sweep", "1", timeout=EVERY_SECONDS):
        retention_sweep()
