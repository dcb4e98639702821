"""The one outbound HTTP request of a webhook: to the checked address, no redirects, short timeouts.

urllib3 (kept in the lock for `requests`) rather than `requests` itself: it lets us connect to the address we
checked while still naming the host for TLS (SNI and certificate check), which `requests` has no way to say.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3

from vollegym.outbound.addresses import AddressRefused, target_for

CONNECT_SECONDS = 5.0
TOTAL_SECONDS = 10.0
EXCERPT_BYTES = 300


@dataclass(frozen=True)
class Outcome:
    status: int | None  # None: no answer (refused, timed out, connection failed)
    excerpt: str
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POSTs `body` to `url` once; whatever happens comes back as an Outcome, never as an exception."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = target_for(url)
    except AddressRefused as exc:
        return Outcome(status=None, excerpt="", duration_ms=took(), error=f"refused: {exc}")
    default_port = 443 if target.scheme == "https" else 80
    host = target.host.encode("idna").decode("ascii") if not target.host.isascii() else target.host
    host_header = f"[{host}]" if ":" in host else host
    if target.port != default_port:
        host_header += f":{target.port}"
    timeout = urllib3.Timeout(connect=CONNECT_SECONDS, total=TOTAL_SECONDS)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address, target.port, timeout=timeout, retries=False, maxsize=1,
            server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED",
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(
            target.address, target.port, timeout=timeout, retries=False, maxsize=1
        )
    try:
        response = pool.urlopen(
            "POST", target.path, body=body, headers={**headers, "Host": host_header},
            redirect=False, retries=False, preload_content=False, assert_same_host=False,
        )  # fmt: skip
        try:
            raw = response.read(EXCERPT_BYTES)
        finally:
            response.release_conn()
        excerpt = raw.decode("utf-8", "replace").replace("\x00", "")
        return Outcome(status=response.status, excerpt=excerpt, duration_ms=took())
    except urllib3.exceptions.HTTPError as exc:
        kind = "timed out" if isinstance(exc, urllib3.exceptions.TimeoutError) else "connection failed"
        return Outcome(status=None, excerpt="", duration_ms=took(), error=f"{kind}: {type(exc).__name__}")
    except (
        Exception
    ) as exc:  # anything else (a host name that cannot be sent, a broken answer) is a failed attempt
        return Outcome(status=None, excerpt="", duration_ms=took(), error=f"failed: {type(exc).__name__}")
    finally:
        pool.close()
