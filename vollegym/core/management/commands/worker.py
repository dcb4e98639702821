"""`vollegym worker`: the Tasks queue, the apps' own queues and the sweeps, in one process that outlives the database.

A database that goes away (restarted, failed over, unreachable) is waited out in every thread, with backoff and one
line in the log when it goes and one when it is back; only what is not the database ends the process.
"""

import contextlib
import logging
import random
import threading
import time
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from vollegym.core.appmodules import app_modules
from vollegym.core.checks import mail_links_require

log = logging.getLogger("vollegym.worker")

# What a database that went away (stopped, restarted, failed over, network gone) raises; anything else is a bug
# and ends the process, for the process supervisor to restart.
DATABASE_LOST = (OperationalError, InterfaceError)
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0  # the longest a worker stays idle after the database is back
STEADY_SECONDS = 60.0  # back for this long: the next outage starts the backoff from the beginning again


def run_sweeps() -> None:
    """Every app's `sweeps.run()`: the safety nets for timers a crash lost. Safe to run in many workers."""
    for module in app_modules("sweeps"):
        try:
            module.run()
        except DATABASE_LOST:
            raise
        except Exception:
            log.exception("sweep %s failed", module.__name__)


def poll_queues(modules: Sequence[ModuleType] | None = None) -> int:
    """Every app's `queues.poll()` (or these ones'): tables that are work queues of their own; how much was done."""
    done = 0
    for module in app_modules("queues") if modules is None else modules:
        try:
            done += module.poll()
        except DATABASE_LOST:
            raise
        except Exception:
            log.exception("queue %s failed", module.__name__)
    return done


class Reconnect:
    """Rides out a database outage for one thread: drops the broken connection, waits with backoff, says so."""

    def __init__(self, who: str, stop: threading.Event) -> None:
        self.who, self.stop = who, stop
        self.delay = RETRY_FIRST_SECONDS
        self.back_at = float("-inf")

    def wait(self, error: BaseException) -> bool:
        """Returns once the database answers again (True), or when the worker is stopping (False)."""
        started = time.monotonic()
        if started - self.back_at > STEADY_SECONDS:
            self.delay = RETRY_FIRST_SECONDS
        log.warning("%s: database unavailable (%s); retrying until it is back", self.who, _first_line(error))
        report_at = started + 60
        while True:
            _drop_connection()
            # The jitter keeps many workers from knocking on a database that is just starting, all at once.
            if self.stop.wait(self.delay * random.uniform(0.8, 1.2)):
                return False
            self.delay = min(self.delay * 2, RETRY_MAX_SECONDS)
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except DATABASE_LOST as exc:
                if time.monotonic() >= report_at:
                    report_at += 60
                    log.warning(
                        "%s: database still unavailable after %.0f s (%s)",
                        self.who, time.monotonic() - started, _first_line(exc),
                    )  # fmt: skip
                continue
            self.back_at = time.monotonic()
            log.warning("%s: database is back after %.1f s; resuming", self.who, self.back_at - started)
            return True


def _drop_connection() -> None:
    """Closes this thread's connection, broken or not, so the next query opens a fresh one."""
    with contextlib.suppress(*DATABASE_LOST):
        connection.close()


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class TaskWorker(Worker):
    """db_worker's loop; remembers the task in hand, so one that an outage cut off can be put back in line."""

    in_hand: Any = None

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        self.in_hand = db_task_result.pk
        super().run_task(db_task_result)
        self.in_hand = None

    def put_back(self) -> None:
        """The task the outage interrupted runs again (ours are safe to: each claims its work conditionally)."""
        if self.in_hand is None:
            return
        if DBTaskResult.objects.filter(pk=self.in_hand, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        ):
            log.warning("tasks: task %s was cut off by the outage and is queued again", self.in_hand)
        self.in_hand = None


# New work announces itself on PostgreSQL: a trigger on the queue tables NOTIFYs this channel when an insert commits
# (messaging migration 0006), and a listening worker wakes at once instead of at its next poll.
WORK_CHANNEL = "vollegym_work"
# With LISTEN the poll is only the safety net, so it can be slow; without it (SQLite) it is how work is found.
LISTENING_POLL_SECONDS = 2.0
POLL_SECONDS = 0.25


def _poll_forever(
    interval: float, stop: threading.Event, wake: threading.Event, modules: Sequence[ModuleType] | None = None
) -> None:
    reconnect = Reconnect("queues", stop)
    while not stop.is_set():
        wake.clear()  # before polling: a NOTIFY that arrives while we poll makes the next wait return at once
        try:
            close_old_connections()
            done = poll_queues(modules)
        except DATABASE_LOST as exc:
            reconnect.wait(exc)
            continue
        if not done:
            wake.wait(interval)
    connection.close()


def _listen_forever(wake: threading.Event | Sequence[threading.Event], stop: threading.Event) -> None:
    """On PostgreSQL: LISTENs on its own connection and wakes the queue pollers the moment new work commits."""
    import psycopg

    wakes = [wake] if isinstance(wake, threading.Event) else list(wake)

    reconnect = Reconnect("listener", stop)
    while not stop.is_set():
        try:
            params = connection.get_connection_params()
            with psycopg.connect(**params, autocommit=True) as listener:
                listener.execute(f"LISTEN {WORK_CHANNEL}")
                for each in wakes:  # what came in while nobody listened is found by the polls this wakes
                    each.set()
                while not stop.is_set():
                    for _notice in listener.notifies(timeout=1.0, stop_after=1):
                        for each in wakes:
                            each.set()
        except (psycopg.Error, *DATABASE_LOST) as exc:  # whatever ends the LISTEN, the worker listens again
            reconnect.wait(exc)
    for each in wakes:
        each.set()


def _sweep_forever(interval: float, stop: threading.Event) -> None:
    reconnect = Reconnect("sweeps", stop)
    while not stop.wait(interval):
        try:
            close_old_connections()
            run_sweeps()
            connection.close()
        except DATABASE_LOST as exc:
            reconnect.wait(exc)


class Command(BaseCommand):
    help = (
        "Runs the background worker: the Tasks queue in the database (any number of these may run). "
        "It waits out a database outage and resumes by itself."
    )

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
            default=None,
            help=f"seconds between polls of the empty inbound and outbox queues (default {POLL_SECONDS}; on PostgreSQL "
            f"{LISTENING_POLL_SECONDS}, since new work wakes the worker through LISTEN/NOTIFY)",
        )

    def handle(
        self,
        *args: Any,
        queue_name: str,
        interval: float,
        sweep_interval: float,
        queue_interval: float | None,
        **options: Any,
    ) -> None:
        # The outbox's mails carry SITE_URL links: no worker sends relative ones.
        mail_links_require(self, options)
        stop = threading.Event()
        listening = connection.vendor == "postgresql"
        if queue_interval is None:
            queue_interval = LISTENING_POLL_SECONDS if listening else POLL_SECONDS
        sweeper = threading.Thread(
            target=_sweep_forever, args=(sweep_interval, stop), name="sweeper", daemon=True
        )
        sweeper.start()
        # A thread per queue, so that a burst of deliveries and the mails they cause do not wait for each other.
        wakes = []
        for module in app_modules("queues"):
            wake = threading.Event()
            wakes.append(wake)
            threading.Thread(
                target=_poll_forever, args=(queue_interval, stop, wake, [module]),
                name=f"queue {module.__name__}", daemon=True,
            ).start()  # fmt: skip
        if listening:
            threading.Thread(target=_listen_forever, args=(wakes, stop), name="listener", daemon=True).start()
        DbWorkerCommand().configure_logging(options["verbosity"])
        worker = TaskWorker(
            queue_names=queue_name.split(","), interval=interval, batch=False, backend_name="default",
            startup_delay=True, max_tasks=None, worker_id=get_random_string(32), excluded_queue_names=[],
        )  # fmt: skip
        # Ctrl-C or SIGTERM: the task in hand is finished, then the worker stops (also while waiting out an outage).
        worker.configure_signals()
        reconnect = Reconnect("tasks", threading.Event())
        try:
            while True:
                try:
                    worker.put_back()
                    worker.run()
                    return
                except DATABASE_LOST as exc:
                    worker.startup_delay = False
                    reconnect.wait(exc)
        finally:
            stop.set()
