"""The `t=<unix seconds>,v1=<hex>` signature of webhooks, ours in and ours out (leads' inbound door, outbound).

v1 = HMAC-SHA256(secret, "<t>.<raw body>"); a receiver refuses one more than 5 minutes off its clock.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

SIGNATURE_TOLERANCE_SECONDS = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX = re.compile(r"[0-9a-f]{1,128}")


class SignatureError(ValueError):
    pass


def sign_generic(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The header value a sender computes: our outbound webhooks, and the senders of our inbound one."""
    t = str(int(timestamp if timestamp is not None else time.time()))
    digest = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify_generic_signature(header: str, body: bytes, secret: str, *, now: float | None = None) -> None:
    """`t=<unix seconds>,v1=<hex>`, v1 = HMAC-SHA256(secret, "<t>.<raw body>"); at most 5 minutes old."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    timestamp, given = parts.get("t", "").strip(), parts.get("v1", "").strip().lower()
    # ASCII digits of a sane length (str.isdigit() takes "²", and int() refuses 5,000 digits), ASCII hex
    # (hmac.compare_digest() raises on other characters).
    if not _TIMESTAMP.fullmatch(timestamp) or not _HEX.fullmatch(given):
        raise SignatureError("X-Vollegym-Signature must look like t=<unix seconds>,v1=<hex HMAC-SHA256>")
    age = (now if now is not None else time.time()) - int(timestamp)
    if abs(age) > SIGNATURE_TOLERANCE_SECONDS:
        raise SignatureError(
            f"signature timestamp is {int(age)} seconds off; at most {SIGNATURE_TOLERANCE_SECONDS}"
        )
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise SignatureError("signature does not match the body and the studio's webhook secret")
