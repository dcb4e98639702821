"""A stand-in for Meta's Graph API on a loopback port, speaking its documented lead shape."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class GraphStub:
    leads: dict[str, dict[str, Any]] = field(default_factory=dict)
    token: str = "page-token-1"
    fail_next: int = 0  # answer this many requests with a 500 first
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def add_lead(self, leadgen_id: str, **fields: str) -> None:
        self.leads[leadgen_id] = {
            "id": leadgen_id,
            "created_time": "2026-11-24T09:00:00+0000",
            "ad_id": "238",
            "ad_name": "Najaar 40+",
            "campaign_name": "Herfstcampagne",
            "form_id": "777",
            "platform": "ig",
            "field_data": [{"name": k, "values": [v]} for k, v in fields.items()],
            "custom_disclaimer_responses": [{"checkbox_key": "bel_mij", "is_checked": "1"}],
        }


def start_graph_stub() -> tuple[GraphStub, ThreadingHTTPServer]:
    stub = GraphStub()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            stub.requests.append(self.path)
            query = parse_qs(parts.query)
            leadgen_id = parts.path.rstrip("/").rsplit("/", 1)[-1]
            if stub.fail_next > 0:
                stub.fail_next -= 1
                return self._answer(
                    500, {"error": {"message": "An unexpected error has occurred.", "code": 2}}
                )
            if query.get("access_token", [""])[0] != stub.token:
                return self._answer(400, {"error": {"message": "Invalid OAuth access token.", "code": 190}})
            lead = stub.leads.get(leadgen_id)
            if lead is None:
                return self._answer(404, {"error": {"message": "Unsupported get request.", "code": 100}})
            return self._answer(200, lead)

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
