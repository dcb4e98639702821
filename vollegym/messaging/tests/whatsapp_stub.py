"""A stand-in for the WhatsApp Cloud API on a loopback port: records requests, answers in Meta's shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from vollegym.core.stubserver import start_json_server
from vollegym.leads.services import ConsentInput


@dataclass
class WhatsAppStub:
    token: str = "wa-token"
    received: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(
        default_factory=list
    )  # queued answers before the default
    url: str = ""

    def respond(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": {"message": "Invalid OAuth access token", "code": 190}}
        if self.answers:
            return self.answers.pop(0)
        self.received.append({"path": path, **body})
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": f"wamid.TEST{len(self.received)}"}],
        }


def start_whatsapp_stub() -> tuple[WhatsAppStub, ThreadingHTTPServer]:
    stub = WhatsAppStub()
    base, server = start_json_server(stub.respond)
    stub.url = f"{base}/v25.0"
    return stub, server


# A lead's yes to WhatsApp, as the intake's form records it.
WHATSAPP_YES = ConsentInput("whatsapp", "Ja, stuur mij berichten via WhatsApp.", True, "whatsapp")
