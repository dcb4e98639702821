"""A webhook receiver for the demo, standing in for a studio's other system: it checks each delivery's signature
(over its delivery id and body, as `vollegym.core.signing` describes) and shows what arrived on a page (newest
first). Kept in memory; it forgets everything when it stops."""

from __future__ import annotations

import html
import json
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from vollegym.core.signing import SignatureError, verify_generic_signature

KEPT = 200
MAX_BODY = 1_000_000


@dataclass(frozen=True)
class Received:
    at: datetime
    event: str
    delivery: str
    signature: str  # "valid", or why not
    body: str


class Receiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.received: deque[Received] = deque(maxlen=KEPT)
        self.lock = threading.Lock()

    def take(self, headers: Any, body: bytes) -> int:
        delivery = headers.get("X-Vollegym-Delivery", "")
        try:
            if not delivery:
                raise SignatureError("no X-Vollegym-Delivery header, and the signature covers it")
            verify_generic_signature(
                headers.get("X-Vollegym-Signature", ""), body, self.secret, delivery=delivery
            )
            signature = "valid"
        except SignatureError as exc:
            signature = f"refused: {exc}"
        try:
            shown = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        except ValueError:
            shown = body.decode("utf-8", "replace")
        with self.lock:
            self.received.appendleft(Received(
                at=datetime.now(UTC), event=headers.get("X-Vollegym-Event", ""),
                delivery=delivery, signature=signature, body=shown,
            ))  # fmt: skip
        return 200 if signature == "valid" else 401

    def page(self) -> bytes:
        with self.lock:
            rows = list(self.received)
        items = "".join(
            f"<li><p><strong>{html.escape(r.event)}</strong> · {r.at:%H:%M:%S} UTC · delivery "
            f"<code>{html.escape(r.delivery)}</code> · signature "
            f"<span class='{'ok' if r.signature == 'valid' else 'bad'}'>{html.escape(r.signature)}</span></p>"
            f"<pre>{html.escape(r.body)}</pre></li>"
            for r in rows
        )
        return (
            "<!doctype html><html lang='en'><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<meta http-equiv='refresh' content='5'><title>Webhook receiver</title>"
            "<style>body{font:16px/1.5 system-ui,sans-serif;margin:1rem auto;max-width:60rem;padding:0 1rem}"
            "li{border-bottom:1px solid #ddd;padding:.5rem 0;list-style:none}ul{padding:0}"
            "pre{background:#f4f3ee;padding:.6rem;overflow-x:auto;font-size:.85rem}.ok{color:#1a7f37}"
            ".bad{color:#b42318}code{overflow-wrap:anywhere}</style>"
            "<h1>Webhook receiver</h1><p>What Volle Gym's outbound webhooks delivered here (POST /hook), "
            "newest first, with each signature checked (HMAC-SHA256 of &quot;t.delivery id.body&quot;). The page refreshes every 5 seconds.</p>"
            f"<ul>{items or '<li>Nothing yet: change something in the demo studio (move a lead, say).</li>'}</ul>"
        ).encode()

    def serve(self, host: str, port: int) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(200, receiver.page(), "text/html; charset=utf-8")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    self._answer(413, b"too large", "text/plain")
                    return
                status = receiver.take(self.headers, self.rfile.read(length))
                self._answer(status, b"ok" if status == 200 else b"bad signature", "text/plain")

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
