import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from vollegym.core.checks import mail_links_require


class Command(BaseCommand):
    help = "Runs the production web server (gunicorn) on HOST:PORT; collects static files first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "2"))
        parser.add_argument("--threads", default=os.environ.get("WEB_THREADS", "4"))

    def handle(self, *args: Any, host: str, port: str, workers: str, threads: str, **options: Any) -> None:
        mail_links_require(self, options)  # requests write the links of the mails they queue
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable, "-m", "gunicorn", "vollegym.config.wsgi",
            "--bind", f"{host}:{port}", "--workers", workers, "--threads", threads,
            "--access-logfile", "-", "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]  # fmt: skip
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606
