import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from vollegym.core.appmodules import app_modules

log = logging.getLogger("vollegym.worker")


def run_sweeps() -> None:
    """Every app's `sweeps.run()`: the safety nets for timers a crash lost. Safe to run in many workers."""
    for module in app_modules("sweeps"):
        try:
            module.run()
        except Exception:
            log.exception("sweep %s failed", module.__name__)


def poll_queues() -> int:
    """Every app's `queues.poll()`: tables that are work queues of their own; returns how much was done."""
    done = 0
    for module in app_modules("queues"):
        try:
            done += module.poll()
        except Exception:
            log.exception("queue %s failed", module.__name__)
    return done


def _poll_forever(interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        close_old_connections()
        if not poll_queues():
            stop.wait(interval)
    connection.close()


def _sweep_forever(interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        close_old_connections()
        run_sweeps()
        connection.close()


class Command(BaseCommand):
    help = "Runs the background worker: the Tasks queue in the database (any number of these may run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="*")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls of an empty queue"
        )
        parser.add_argument(
            "--sweep-interval", type=float, default=60.0, help="seconds between safety sweeps"
        )
        parser.add_argument(
            "--queue-interval",
            type=float,
            default=0.25,
            help="seconds between polls of an empty inbound queue",
        )

    def handle(
        self,
        *args: Any,
        queue_name: str,
        interval: float,
        sweep_interval: float,
        queue_interval: float,
        **options: Any,
    ) -> None:
        stop = threading.Event()
        sweeper = threading.Thread(
            target=_sweep_forever, args=(sweep_interval, stop), name="sweeper", daemon=True
        )
        sweeper.start()
        poller = threading.Thread(
            target=_poll_forever, args=(queue_interval, stop), name="queues", daemon=True
        )
        poller.start()
        try:
            call_command(
                "db_worker",
                queue_name=queue_name,
                interval=interval,
                reload=False,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()
