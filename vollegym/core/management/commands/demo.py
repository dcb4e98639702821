import os
import signal
import subprocess
import sys
import time
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
        children = [
            subprocess.Popen([*python, "serve", "--host", host, "--port", port]),
            subprocess.Popen([*python, "worker"]),
        ]
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
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.2)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, -signal.SIGINT)]
        if failed and not stopping:
            raise SystemExit(f"a demo process stopped unexpectedly (exit {failed[0].returncode})")
