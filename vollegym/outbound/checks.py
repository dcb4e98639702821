"""A deployment check: outbound webhooks to private addresses are for tests and the local demo, never production."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


@checks.register("vollegym_outbound", deploy=True)
def private_targets_check(
    *, app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """OUTBOUND_WEBHOOKS_ALLOW_PRIVATE would let a studio's subscription reach the server's own network (SSRF)."""
    if settings.DEBUG or not settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE:
        return []
    return [
        checks.Error(
            "OUTBOUND_WEBHOOKS_ALLOW_PRIVATE is on: webhooks may be sent to loopback, private and link-local "
            "addresses and over plain http.",
            hint="Unset it in production; it is meant for tests and `vollegym demo` only.",
            id="vollegym.E020",
        )
    ]
