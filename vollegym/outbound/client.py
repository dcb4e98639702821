"""The one outbound HTTP request of a webhook: to the checked address, no redirects, short timeouts, and one
deadline for the whole attempt.

urllib3 (kept in the lock for `requests`) rather than `requests` itself: it lets us connect to the address we
checked while still naming the host for TLS (SNI and certificate check), which `requests` has no way to say.

A socket timeout bounds each read, not the attempt: a receiver that trickles a byte every few seconds would hold a
worker for as long as it likes. So every socket the attempt opens is shut down when TOTAL_SECONDS have passed since
it started (a timer thread), which ends whatever read is waiting; the attempt then counts as timed out, whatever
part of an answer had come in.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

from vollegym.outbound.addresses import AddressRefused, target_for

CONNECT_SECONDS = 5.0
TOTAL_SECONDS = 10.0  # the whole attempt: connecting, TLS, sending, and the answer's head and first bytes
EXCERPT_BYTES = 300


@dataclass(frozen=True)
class Outcome:
    status: int | None  # None: no (complete) answer: refused, timed out, connection failed
    excerpt: str
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and not self.error


class Deadline:
    """Shuts down every socket it watches once `seconds` have passed; `expired` tells whether it did."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also under TLS: it wakes a read blocked in another thread (it returns as if
    # the receiver had closed), where closing the socket or unwrapping TLS from here would not be safe.
    with contextlib.suppress(OSError):  # already closed: the attempt ended just before the deadline
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedHTTPConnection(HTTPConnection):
    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self.deadline.watch(sock)  # before TLS: a trickled handshake is bounded too
        return sock


class _WatchedHTTPSConnection(HTTPSConnection):
    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self.deadline.watch(sock)
        return sock


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POSTs `body` to `url` once, within TOTAL_SECONDS; whatever happens comes back as an Outcome, never raised."""
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
    timeout = urllib3.Timeout(connect=CONNECT_SECONDS, read=TOTAL_SECONDS)
    with Deadline(TOTAL_SECONDS) as deadline:
        pool: urllib3.HTTPConnectionPool
        if target.scheme == "https":
            pool = _WatchedHTTPSPool(
                target.address, target.port, timeout=timeout, retries=False, maxsize=1, deadline=deadline,
                server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED",
            )  # fmt: skip
        else:
            pool = _WatchedHTTPPool(
                target.address, target.port, timeout=timeout, retries=False, maxsize=1, deadline=deadline
            )
        try:
            outcome = _exchange(pool, target.path, body, {**headers, "Host": host_header}, took)
        finally:
            pool.close()
    if deadline.expired:
        return Outcome(
            status=None, excerpt="", duration_ms=took(),
            error=f"timed out: no complete answer within {TOTAL_SECONDS:g} seconds",
        )  # fmt: skip
    return outcome


def _exchange(
    pool: urllib3.HTTPConnectionPool, path: str, body: bytes, headers: dict[str, str], took: Any
) -> Outcome:
    try:
        response = pool.urlopen(
            "POST", path, body=body, headers=headers,
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
