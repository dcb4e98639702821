"""A stand-in for the WhatsApp Cloud API on a loopback port: records requests, answers in Meta's shapes."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class WhatsAppStub:
    token: str = "wa-token"
    received: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(
        default_factory=list
    )  # queued answers before the default
    url: str = ""


def start_whatsapp_stub() -> tuple[WhatsAppStub, ThreadingHTTPServer]:
    stub = WhatsAppStub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.headers.get("Authorization") != f"Bearer {stub.token}":
                return self._answer(401, {"error": {"message": "Invalid OAuth access token", "code": 190}})
            if stub.answers:
                return self._answer(*stub.answers.pop(0))
            stub.received.append({"path": self.path, **body})
            return self._answer(200, {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.TEST{len(stub.received)}"}],
            })  # fmt: skip

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/v25.0"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stub, server
