from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Runs the background worker: the Tasks queue in the database (any number of these may run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="*")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls of an empty queue"
        )

    def handle(self, *args: Any, queue_name: str, interval: float, **options: Any) -> None:
        call_command(
            "db_worker",
            queue_name=queue_name,
            interval=interval,
            reload=False,
            verbosity=options["verbosity"],
        )
