from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vollegym.leads.services import lead_settings_for, webhook_secret_rotate
from vollegym.studios.cli import studio_argument


class Command(BaseCommand):
    help = "Prints the secret a studio's generic webhook verifies signatures with; --rotate sets a new one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("studio", help="the studio's slug")
        parser.add_argument(
            "--rotate", action="store_true", help="replace the secret; senders with the old one are refused"
        )

    def handle(self, *args: Any, studio: str, rotate: bool, **options: Any) -> None:
        found = studio_argument(studio)
        secret = webhook_secret_rotate(studio=found) if rotate else lead_settings_for(found).webhook_secret
        self.stdout.write(secret)
