"""A webhook receiver on a loopback port for outbound tests: it records what arrived and answers as it is told."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Arrival:
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    url: str
    arrivals: list[Arrival] = field(default_factory=list)
    # What the next requests get, in turn: a status code, "hang" (answers after `hang_seconds`) or "trickle" (sends
    # its answer a byte every `trickle_seconds`, each byte well within any read timeout); then `answer`, or 200.
    script: list[int | str] = field(default_factory=list)
    hang_seconds: float = 1.5
    trickle_seconds: float = 0.1
    # The status for a body the script says nothing about (the body's JSON in, a status code out).
    answer: Callable[[dict[str, Any]], int] | None = None

    @property
    def taken(self) -> list[Arrival]:
        """What the receiver answered 2xx to: what it took in."""
        return [a for a in self.arrivals if a.status == 200]


@contextmanager
def receiver() -> Iterator[Receiver]:
    found = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                if found.script:
                    todo: int | str = found.script.pop(0)
                elif found.answer is not None:
                    todo = found.answer(json.loads(body))
                else:
                    todo = 200
                if todo not in ("hang", "trickle"):
                    found.arrivals.append(Arrival(headers=dict(self.headers), body=body, status=int(todo)))
            try:
                if todo == "trickle":
                    # 200 in the end, had anyone waited: about 60 bytes, six seconds at 0.1 s a byte.
                    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n" + b'{"ok": true}':
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(found.trickle_seconds)
                    return
                if todo == "hang":
                    time.sleep(found.hang_seconds)
                    todo = 200
                answer = b'{"ok": true}' if todo == 200 else b"upstream trouble"
                self.send_response(int(todo))
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up waiting (a timeout it was meant to hit)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()
