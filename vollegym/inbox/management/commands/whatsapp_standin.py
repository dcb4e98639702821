"""`vollegym whatsapp-standin`: WhatsApp's Cloud API on this machine, with a page to send a message "from a phone"."""

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vollegym.inbox.demo import DEMO_APP_SECRET, DEMO_PHONE_NUMBER_ID
from vollegym.inbox.standin import WhatsAppStandin


class Command(BaseCommand):
    help = (
        "Runs a stand-in for WhatsApp's Cloud API until Ctrl-C: point WHATSAPP_GRAPH_URL at <its address>/v25.0. "
        "Its page sends a message from a phone to --webhook, signed with --secret; what the studio sends shows "
        "there and is reported delivered, then read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8766)
        parser.add_argument("--webhook", default="http://127.0.0.1:8000/hooks/whatsapp/")
        parser.add_argument("--secret", default=DEMO_APP_SECRET, help="the app secret the webhook checks")
        parser.add_argument("--phone-number-id", default=DEMO_PHONE_NUMBER_ID)

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        webhook: str,
        secret: str,
        phone_number_id: str,
        **options: Any,
    ) -> None:
        standin = WhatsAppStandin(webhook=webhook, secret=secret, phone_number_id=phone_number_id)
        server = standin.serve(host, port)
        self.stdout.write(
            f"WhatsApp stand-in on {standin.base_url}/ (WHATSAPP_GRAPH_URL={standin.base_url}/v25.0), "
            f"delivering to {webhook}"
        )
        self.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
