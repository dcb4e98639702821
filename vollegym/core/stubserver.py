"""Stand-ins for outside HTTP APIs in tests: a JSON server on a loopback port, run in a thread.

Only what lies outside this machine (Meta's Graph API, WhatsApp's Cloud API, …) is stood in for this way.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (method, path with query, headers, parsed JSON body or None) -> (status, JSON answer)
Responder = Callable[[str, str, dict[str, str], Any], tuple[int, dict[str, Any]]]


def start_json_server(respond: Responder) -> tuple[str, ThreadingHTTPServer]:
    """Serves `respond` on 127.0.0.1 and a free port; returns the base URL and the server (call .shutdown())."""

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            status, answer = respond(self.command, self.path, dict(self.headers), body)
            raw = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _handle

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
