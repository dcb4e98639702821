"""Run by every worker every so often (see `vollegym worker`): rewards that became earned, once an hour at most."""

from django.core.cache import cache

from vollegym.referrals.services import rewards_check

# The cache is shared by every process (database or Redis), so of all workers one checks each hour.
EVERY_SECONDS = 3600


def run() -> None:
    if cache.add("referrals:rewards-check", "1", timeout=EVERY_SECONDS):
        rewards_check()
