"""Run by every worker every so often (see `vollegym worker`): the owners' weekly summaries on Monday morning.

Cheap when it is not Monday morning anywhere; the outbox's key keeps a summary to one per owner and week, however
many workers run it."""

from django.core.cache import cache

from vollegym.analytics.weekly import weekly_summaries

EVERY_SECONDS = 600


def run() -> None:
    if cache.add("analytics:weekly", "1", timeout=EVERY_SECONDS):
        weekly_summaries()
