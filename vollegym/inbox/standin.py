"""A stand-in for WhatsApp's Cloud API on this machine: "a phone" for the demo and for trying things out.

It takes what the studio sends (POST /v25.0/<phone-number-id>/messages, as Meta does) and reports it delivered and
then read to our webhook, signed with the app secret; its page at / sends a message "from a phone" to our webhook.
Nothing here talks to Meta.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from vollegym.inbox import shapes
from vollegym.inbox.delivery import signature_for


@dataclass
class Line:
    at: float
    phone: str
    text: str
    inbound: bool  # from the phone to the studio
    state: str = ""


@dataclass
class WhatsAppStandin:
    webhook: str  # our /hooks/whatsapp/
    secret: str  # the Meta app secret the webhook checks
    phone_number_id: str
    status_delay: float = 1.0  # seconds before "delivered"; "read" follows as long again
    lines: list[Line] = field(default_factory=list)
    base_url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def post_to_webhook(self, payload: dict[str, Any]) -> int:
        body = shapes.body_of(payload)
        request = urllib.request.Request(  # noqa: S310 - our own webhook
            self.webhook, data=body, method="POST",
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature_for(body, self.secret)},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    def from_phone(self, *, phone: str, name: str, text: str) -> int:
        """A person's message to the studio, delivered signed to the webhook; returns the webhook's HTTP status."""
        sender = "".join(ch for ch in phone if ch.isdigit())
        if sender.startswith("06"):
            sender = "31" + sender[1:]
        with self._lock:
            self.lines.append(Line(time.time(), f"+{sender}", text, inbound=True))
        return self.post_to_webhook(
            shapes.text_message(self.phone_number_id, sender=sender, text=text, name=name)
        )

    def received(self, phone_number_id: str, body: dict[str, Any]) -> str:
        """What the studio sent; returns Meta's message id and reports delivered, then read, a little later."""
        wamid = f"wamid.STANDIN{next(self._ids)}.{int(time.time())}"
        to = str(body.get("to", ""))
        if body.get("type") == "template":
            template = body.get("template") or {}
            params = [
                p.get("text", "") for c in template.get("components", []) for p in c.get("parameters", [])
            ]
            text = f"[sjabloon {template.get('name', '')}] " + ", ".join(params)
        else:
            text = str((body.get("text") or {}).get("body", ""))
        line = Line(time.time(), f"+{to}", text, inbound=False, state="sent")
        with self._lock:
            self.lines.append(line)
        threading.Thread(target=self._report, args=(phone_number_id, wamid, to, line), daemon=True).start()
        return wamid

    def _report(self, phone_number_id: str, wamid: str, to: str, line: Line) -> None:
        for state in ("delivered", "read"):
            time.sleep(self.status_delay)
            line.state = state
            self.post_to_webhook(shapes.status(phone_number_id, message_id=wamid, state=state, recipient=to))

    def page(self, notice: str = "") -> str:
        with self._lock:
            lines = list(reversed(self.lines[-100:]))
        rows = "".join(
            f"<li class={'in' if ln.inbound else 'out'}><small>{time.strftime('%H:%M:%S', time.localtime(ln.at))} · "
            f"{html.escape(ln.phone)} · {'telefoon → studio' if ln.inbound else 'studio → telefoon'}"
            f"{' · ' + html.escape(ln.state) if ln.state else ''}</small><br>{html.escape(ln.text)}</li>"
            for ln in lines
        )
        return f"""<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>WhatsApp-stand-in</title>
<style>body{{font:16px/1.45 system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#1f2421}}
label{{display:block;font-weight:600;margin:.6rem 0 .2rem}}input,textarea{{width:100%;font:inherit;padding:.5rem;
box-sizing:border-box;border:1px solid #aaa;border-radius:8px}}button{{margin-top:.8rem;font:inherit;padding:.6rem 1.2rem;
border:0;border-radius:8px;background:#1f7a4d;color:#fff}}ul{{list-style:none;padding:0}}li{{padding:.5rem .7rem;
margin:.4rem 0;border-radius:10px;background:#eee;overflow-wrap:anywhere}}li.in{{background:#dcf3e4}}
.notice{{background:#fdf3e7;padding:.5rem .7rem;border-radius:8px}}</style></head><body>
<h1>WhatsApp-stand-in</h1><p>Stuur een bericht "vanaf een telefoon" naar de studio. Het gaat ondertekend naar
<code>{html.escape(self.webhook)}</code>; wat de studio terugstuurt, verschijnt hieronder (en wordt na even
"bezorgd" en "gelezen").</p>{f'<p class="notice" role="status">{html.escape(notice)}</p>' if notice else ""}
<form method="post" action="/verstuur"><label for="phone">Telefoonnummer</label>
<input id="phone" name="phone" value="+31612345678" inputmode="tel" required>
<label for="name">Naam in WhatsApp</label><input id="name" name="name" value="Eva de Boer">
<label for="text">Bericht</label><textarea id="text" name="text" rows="3" required></textarea>
<button type="submit">Versturen</button></form><h2>Berichten</h2><ul id="lines">{rows}</ul></body></html>"""

    def serve(self, host: str, port: int) -> ThreadingHTTPServer:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                if urllib.parse.urlsplit(self.path).path == "/":
                    notice = query.get("melding", [""])[0]
                    self._send(200, standin.page(notice).encode(), "text/html; charset=utf-8")
                else:
                    self._send(404, b'{"error": {"message": "not found"}}', "application/json")

            def do_POST(self) -> None:
                length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
                raw = self.rfile.read(length)
                path = urllib.parse.urlsplit(self.path).path
                if path == "/verstuur":
                    form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"))
                    status = standin.from_phone(
                        phone=form.get("phone", [""])[0], name=form.get("name", [""])[0],
                        text=form.get("text", [""])[0],
                    )  # fmt: skip
                    notice = "Verstuurd." if status == 200 else f"De webhook antwoordde {status or 'niet'}."
                    self.send_response(303)
                    self.send_header("Location", "/?" + urllib.parse.urlencode({"melding": notice}))
                    self.end_headers()
                    return
                parts = path.strip("/").split("/")
                if len(parts) == 3 and parts[2] == "messages":
                    try:
                        body = json.loads(raw)
                    except json.JSONDecodeError:
                        self._send(
                            400, b'{"error": {"message": "not JSON", "code": 100}}', "application/json"
                        )
                        return
                    wamid = standin.received(parts[1], body)
                    answer = {
                        "messaging_product": "whatsapp", "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                        "messages": [{"id": wamid}],
                    }  # fmt: skip
                    self._send(200, json.dumps(answer).encode(), "application/json")
                    return
                self._send(404, b'{"error": {"message": "not found"}}', "application/json")

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer((host, port), Handler)
        self.base_url = f"http://{host}:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
