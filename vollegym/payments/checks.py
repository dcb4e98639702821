"""A deployment check: without its own PAYMENTS_KEY a production install cannot keep a studio's Mollie key safe."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from vollegym.payments.crypto import secret_seal

HINT = (
    'Set PAYMENTS_KEY to a key of its own, made with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


@checks.register("vollegym_payments", deploy=True)
def payments_key_check(
    *, app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """PAYMENTS_KEY must be set, a Fernet key, and not the public development key."""
    if settings.DEBUG:
        return []
    key: str = settings.PAYMENTS_KEY
    if not key:
        return [checks.Error("PAYMENTS_KEY is not set: studios' Mollie API keys cannot be stored.", hint=HINT,
                             id="vollegym.E010")]  # fmt: skip
    try:
        secret_seal("check")
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint=HINT, id="vollegym.E011")]
    if key == settings.DEVELOPMENT_PAYMENTS_KEY:
        return [checks.Warning("PAYMENTS_KEY is the public development key.", hint=HINT, id="vollegym.W010")]
    return []
