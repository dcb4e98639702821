"""The stand-in's HTTP side: Mollie's API on a port, and the test-mode checkout page where a person picks the
outcome (like Mollie's own test checkout)."""

from __future__ import annotations

import html
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from vollegym.payments.standin import FINAL

if TYPE_CHECKING:
    from vollegym.payments.standin import MollieStandin

OUTCOMES = ("paid", "failed", "canceled", "expired")


def checkout_page(standin: MollieStandin, payment_id: str) -> tuple[int, str]:
    payment = standin.payment(payment_id)
    if payment is None:
        return 404, "<!doctype html><title>Niet gevonden</title><p>Deze betaling bestaat niet.</p>"
    if payment["status"] in FINAL:
        return 200, _page(
            f"<p>Deze betaling is al afgerond: <strong>{html.escape(payment['status'])}</strong>.</p>"
        )
    buttons = "".join(f'<button name="status" value="{o}">{o}</button>' for o in OUTCOMES)
    what = html.escape(str(payment["description"]))
    return 200, _page(
        f'<p class="test">Testmodus: er wordt niets echt betaald.</p><h1>{what}</h1>'
        f'<p class="amount">€ {html.escape(payment["amount"]["value"])}</p>'
        f"<p>Kies de uitkomst van deze betaling (iDEAL | Wero):</p>"
        f'<form method="post">{buttons}</form>'
    )


def checkout_choose(standin: MollieStandin, payment_id: str, status: str) -> str:
    """Sets the chosen outcome; the address to send the person back to (the payment's redirectUrl)."""
    if status not in OUTCOMES:
        raise ValueError(status)
    payment = standin.set_status(payment_id, status)
    return str(payment.get("redirectUrl") or "")


def serve(standin: MollieStandin, host: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), _handler(standin))
    standin.base_url = f"http://{host}:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _page(body: str) -> str:
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Mollie (stand-in)</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem}"
        ".test{background:#fff3cd;padding:.5rem}.amount{font-size:2rem;font-weight:700}"
        "button{display:block;width:100%;margin:.5rem 0;padding:.9rem;font-size:1.1rem}</style></head>"
        f"<body><p><strong>Mollie</strong> · stand-in</p>{body}</body></html>"
    )


def _handler(standin: MollieStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(min(length, 1_000_000)) if length else b""

        def _send(self, status: int, raw: bytes, content_type: str, location: str = "") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(raw)

        def _api(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = standin.handle(self.command, self.path, headers, self._body())
            self._send(status, json.dumps(answer).encode(), "application/hal+json")

        def do_GET(self) -> None:
            if self.path.startswith("/checkout/"):
                status, page = checkout_page(standin, self.path.split("/")[2])
                self._send(status, page.encode(), "text/html; charset=utf-8")
                return
            self._api()

        def do_POST(self) -> None:
            if self.path.startswith("/checkout/"):
                chosen = urllib.parse.parse_qs(self._body().decode("utf-8", "replace")).get("status", [""])[0]
                try:
                    back = checkout_choose(standin, self.path.split("/")[2], chosen)
                except (KeyError, ValueError):
                    self._send(400, _page("<p>Dat kan niet.</p>").encode(), "text/html; charset=utf-8")
                    return
                self._send(303, b"", "text/html", location=back or "/")
                return
            self._api()

        do_PATCH = do_DELETE = _api

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
