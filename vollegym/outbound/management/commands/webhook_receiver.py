"""`vollegym webhook-receiver --port 8765`: the demo's stand-in for a studio's other system, hearing our webhooks."""

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vollegym.outbound.demo import DEMO_SECRET
from vollegym.outbound.receiver import Receiver


class Command(BaseCommand):
    help = (
        "Receives outbound webhooks on POST /hook, checks their signatures with --secret (the demo "
        "subscription's by default) and lists what arrived on its own page, until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--secret", default=DEMO_SECRET)

    def handle(self, *args: Any, host: str, port: int, secret: str, **options: Any) -> None:
        server = Receiver(secret).serve(host, port)
        self.stdout.write(
            f"Webhook receiver on http://{host}:{port}/ (deliveries to http://{host}:{port}/hook)"
        )
        self.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
