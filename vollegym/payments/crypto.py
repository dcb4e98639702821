"""Each studio's Mollie API key is stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256) with PAYMENTS_KEY from the
environment, so a copy of the database alone charges nobody."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> Fernet:
    key: str = settings.PAYMENTS_KEY
    if not key:
        raise ImproperlyConfigured("PAYMENTS_KEY must be set to store or read a studio's Mollie API key")
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError):
        raise ImproperlyConfigured("PAYMENTS_KEY must be a Fernet key (32 bytes, URL-safe base64)") from None


def secret_seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def secret_open(sealed: str) -> str:
    """The plain secret; ImproperlyConfigured when PAYMENTS_KEY is not the key it was sealed with."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "a stored Mollie API key cannot be read with this PAYMENTS_KEY (was the key changed?)"
        ) from None
