"""`vollegym mollie-standin --port N`: the Mollie stand-in on this machine, for the demo and for trying things out."""

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vollegym.payments.standin import MollieStandin


class Command(BaseCommand):
    help = (
        "Runs a stand-in for Mollie's API (payments, customers, mandates, refunds, a test checkout page) until "
        "Ctrl-C; point MOLLIE_API_URL at it. Any key like test_ plus 20 or more letters and digits is accepted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        standin = MollieStandin()
        server = standin.serve(host, port)
        self.stdout.write(f"Mollie stand-in on {standin.base_url} (MOLLIE_API_URL={standin.base_url})")
        self.stdout.flush()
        try:
            threading.Event().wait()  # the server runs in its own thread; Ctrl-C ends this wait
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
