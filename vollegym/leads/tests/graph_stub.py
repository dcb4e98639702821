"""A stand-in for Meta's Graph API on a loopback port, speaking its documented lead shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from vollegym.core.stubserver import start_json_server


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

    def respond(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(path)
        self.requests.append(path)
        if self.fail_next > 0:
            self.fail_next -= 1
            return 500, {"error": {"message": "An unexpected error has occurred.", "code": 2}}
        if parse_qs(parts.query).get("access_token", [""])[0] != self.token:
            return 400, {"error": {"message": "Invalid OAuth access token.", "code": 190}}
        lead = self.leads.get(parts.path.rstrip("/").rsplit("/", 1)[-1])
        if lead is None:
            return 404, {"error": {"message": "Unsupported get request.", "code": 100}}
        return 200, lead


def start_graph_stub() -> tuple[GraphStub, ThreadingHTTPServer]:
    stub = GraphStub()
    base, server = start_json_server(stub.respond)
    stub.url = f"{base}/v25.0"
    return stub, server
