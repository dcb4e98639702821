"""The `t=<unix seconds>,v1=<hex>` signature of webhooks, ours in and ours out (leads' inbound door, outbound).

Inbound (a studio's other system to us): v1 = HMAC-SHA256(secret, "<t>.<raw body>").
Outbound (our webhooks to a studio's other system): v1 = HMAC-SHA256(secret, "<t>.<delivery id>.<raw body>"), the
delivery id being the `X-Vollegym-Delivery` header (letters, digits and dashes only, so the dots stay separators):
the receiver deduplicates on that id, so it is signed too.
Either way a receiver refuses a signature more than 5 minutes off its clock.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

SIGNATURE_TOLERANCE_SECONDS = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX = re.compile(r"[0-9a-f]{1,128}")
_DELIVERY = re.compile(r"[A-Za-z0-9-]{1,64}")


class SignatureError(ValueError):
    pass


def _signed(timestamp: str, body: bytes, delivery: str | None) -> bytes:
    if delivery is None:
        return timestamp.encode() + b"." + body
    if not _DELIVERY.fullmatch(delivery):
        raise SignatureError("X-Vollegym-Delivery must be 1 to 64 letters, digits or dashes")
    return timestamp.encode() + b"." + delivery.encode() + b"." + body


def sign_generic(
    body: bytes, secret: str, timestamp: int | None = None, *, delivery: str | None = None
) -> str:
    """The header value a sender computes: our outbound webhooks (with `delivery`), the senders of our inbound one."""
    t = str(int(timestamp if timestamp is not None else time.time()))
    digest = hmac.new(secret.encode(), _signed(t, body, delivery), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify_generic_signature(
    header: str, body: bytes, secret: str, *, now: float | None = None, delivery: str | None = None
) -> None:
    """`t=<unix seconds>,v1=<hex>`, v1 = HMAC-SHA256(secret, "<t>.<raw body>"), or "<t>.<delivery>.<raw body>" when
    a delivery id is given; at most 5 minutes old."""
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
    expected = hmac.new(secret.encode(), _signed(timestamp, body, delivery), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        if delivery is None:
            raise SignatureError("signature does not match the body and the studio's webhook secret")
        raise SignatureError("signature does not match the delivery id, the body and the webhook's secret")
