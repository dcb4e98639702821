import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from vollegym.core.appmodules import app_modules


def load_demo_data() -> None:
    """Runs `load()` of every app's `demo` module, in INSTALLED_APPS order."""
    for module in app_modules("demo"):
        module.load()


class Command(BaseCommand):
    help = "Migrates, loads the demo data, and runs the web server and the background worker until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--no-serve", action="store_true", help="only migrate and load the demo data")

    def handle(self, *args: Any, host: str, port: str, no_serve: bool, **options: Any) -> None:
        from vollegym.studios.demo import DEMO_PASSWORD, logins

        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        load_demo_data()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if no_serve:
            return
        python = [sys.executable, "-m", "vollegym"]
        web = subprocess.Popen([*python, "serve", "--host", host, "--port", port])
        worker = SupervisedWorker([*python, "worker"], self.stderr.write)
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Volle Gym demo: http://{shown_host}:{port}/"))
        self.stdout.write(f"Back office:    http://{shown_host}:{port}/app/")
        for email, who in logins():
            self.stdout.write(f"  login {email} / {DEMO_PASSWORD}  ({who})")
        self.stdout.write("Web server and worker are running; Ctrl-C stops both.")
        self.stdout.flush()

        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and web.poll() is None:
                worker.keep_running()
                time.sleep(0.2)
        finally:
            processes = [web, worker.process]
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for process in processes:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
        if web.returncode not in (0, -signal.SIGTERM, -signal.SIGINT) and not stopping:
            raise SystemExit(f"the demo's web server stopped unexpectedly (exit {web.returncode})")


class SupervisedWorker:
    """The demo's background worker, started again whenever it stops, so no one has to notice it did."""

    FIRST_DELAY, MAX_DELAY, STEADY = 1.0, 30.0, 60.0

    def __init__(self, command: list[str], say: Callable[[str], None]) -> None:
        self.command, self.say = command, say
        self.delay = self.FIRST_DELAY
        self.restart_at: float | None = None
        self._start()

    def _start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.started = time.monotonic()
        self.restart_at = None

    def keep_running(self) -> None:
        """Called often: notices a stopped worker and starts a new one after a pause that grows if it keeps dying."""
        now = time.monotonic()
        if self.restart_at is not None:
            if now >= self.restart_at:
                self._start()
            return
        code = self.process.poll()
        if code is None:
            return
        if now - self.started > self.STEADY:
            self.delay = self.FIRST_DELAY
        self.say(f"The worker stopped (exit {code}); starting it again in {self.delay:.0f} s.")
        self.restart_at = now + self.delay
        self.delay = min(self.delay * 2, self.MAX_DELAY)
