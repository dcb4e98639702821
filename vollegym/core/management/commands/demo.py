import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test import override_settings
from django.urls import reverse

from vollegym.__main__ import demo_site_url
from vollegym.core.appmodules import app_modules
from vollegym.core.generator.siblings import demo_siblings_load

FILE_MAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
DEMO_STUDIO = "demo"  # the slug of the demo studio (vollegym/studios/demo.py)
STARTUP_SECONDS = 60.0
DEMO_YEARS = 3  # the history `vollegym demo` tells; the tests load the default year, which is quicker


DEMO_API_RATE = 100_000  # requests a minute per token in the demo


def load_demo_data(*, years: int = 1) -> None:
    """Runs `load(years=years)` of every app's `demo` module, in INSTALLED_APPS order: the demo studio with `years`
    of history up to today (each module makes its part of that span; the ones that keep only today's rows take it
    and leave it)."""
    for module in app_modules("demo"):
        module.load(years=years)


def child_environment(*, host: str, port: str, environ: Mapping[str, str], mail_dir: str) -> dict[str, str]:
    """The web server's and the worker's environment: links in mails on the demo's own address, mails in files.

    A SITE_URL or EMAIL_BACKEND set by whoever runs the demo (a tunnel, a local SMTP catcher) is kept.
    """
    env = dict(environ)
    env["SITE_URL"] = env.get("SITE_URL") or demo_site_url(host, port)
    env.setdefault("EMAIL_BACKEND", FILE_MAIL_BACKEND)
    env.setdefault("EMAIL_FILE_PATH", mail_dir)
    # The demo's API is there to be tried, also by a tool such as schemathesis that asks thousands of questions:
    # a production limit of 120 a minute would answer most of them with 429.
    env.setdefault("API_RATE_PER_MINUTE", str(DEMO_API_RATE))
    return env


def banner(*, env: Mapping[str, str], logins: list[tuple[str, str]], password: str) -> list[str]:
    """What the demo prints once it answers: where to start, where the mails are, and the logins as the last lines."""
    from vollegym.api.demo import DEMO_TOKEN as DEMO_API_TOKEN

    site = env["SITE_URL"].rstrip("/")
    if env.get("EMAIL_BACKEND") == FILE_MAIL_BACKEND:
        mails = f"Mails:           one file per mail in {env['EMAIL_FILE_PATH']}/ (not in this console)"
    else:
        mails = f"Mails:           sent with {env.get('EMAIL_BACKEND')}"
    return [
        f"Volle Gym demo:  {site}/",
        f"Studio intake:   {site}{reverse('intake:start', kwargs={'studio': DEMO_STUDIO})}",
        f"Agency intake:   {site}{reverse('intake:agency_start')}",
        f"Back office:     {site}{reverse('backoffice:home')}",
        f"Member sign-in:  {site}{reverse('schedule:member_login', kwargs={'studio': DEMO_STUDIO})}",
        mails,
        *(
            [f"Mollie:          a stand-in at {env['MOLLIE_API_URL']} (test checkout: you pick the outcome)"]
            if env.get("MOLLIE_API_URL")
            else []
        ),
        f"API:             {site}/api/v1/docs/ (the demo studio's read-only token: {DEMO_API_TOKEN})",
        *(
            [f"Webhooks:        what the demo studio's webhook sent, at {env['WEBHOOK_RECEIVER_URL']}"]
            if env.get("WEBHOOK_RECEIVER_URL")
            else []
        ),
        *(
            [
                f"WhatsApp:        a stand-in at {env['WHATSAPP_GRAPH_URL'].removesuffix('/v25.0')}/ "
                "(send a message from a phone; the studio's answers show there)"
            ]
            if env.get("WHATSAPP_GRAPH_URL")
            else []
        ),
        "Web server and worker are running; Ctrl-C stops both.",
        f"Logins (password {password}):",
        *(f"  {email}  ({who})" for email, who in logins),
    ]


def free_port() -> int:
    """A TCP port nothing listens on right now (for the demo's Mollie stand-in)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def health_url(host: str, port: str) -> str:
    """The web server's health page, on an address that reaches it (a wildcard binding is reached on localhost)."""
    address = host.strip("[]")
    address = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(address, address)  # noqa: S104
    return f"http://{f'[{address}]' if ':' in address else address}:{port}/healthz"


def answers(url: str) -> bool:
    """True when a web server answers `url` at all (its workers are booted), whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own server, plain HTTP
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class Command(BaseCommand):
    help = "Migrates, loads the demo data, and runs the web server and the background worker until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--no-serve", action="store_true", help="only migrate and load the demo data")
        parser.add_argument(
            "--years", type=int, choices=range(1, 4), default=DEMO_YEARS,
            help=f"years of history for a fresh demo studio and its siblings (default {DEMO_YEARS})",
        )  # fmt: skip

    def handle(self, *args: Any, host: str, port: str, no_serve: bool, years: int, **options: Any) -> None:
        from vollegym.studios.demo import DEMO_PASSWORD, logins

        env = child_environment(host=host, port=port, environ=os.environ, mail_dir=settings.EMAIL_FILE_PATH)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        # The demo data books conversations, whose notices are written here, with their links, not in the worker.
        with override_settings(SITE_URL=env["SITE_URL"]):
            load_demo_data(years=years)
        siblings = demo_siblings_load(password=DEMO_PASSWORD, years=years)
        if siblings:
            self.stdout.write(f"Sibling studios for the agency's portfolio: {', '.join(siblings)}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if no_serve:
            return
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        python = [sys.executable, "-m", "vollegym"]
        # Payments go to a Mollie stand-in on this machine (its checkout lets you pick the outcome), never to Mollie.
        standin = None
        if not env.get("MOLLIE_API_URL"):
            standin_port = free_port()
            standin = subprocess.Popen([*python, "mollie-standin", "--port", str(standin_port)], env=env,
                                       stdout=subprocess.DEVNULL)  # fmt: skip
            env["MOLLIE_API_URL"] = f"http://127.0.0.1:{standin_port}"
        # The demo studio's webhook goes to a receiver on this machine, whose page shows what arrived.
        from vollegym.outbound.demo import RECEIVER_PORT

        env.setdefault("OUTBOUND_WEBHOOKS_ALLOW_PRIVATE", "1")
        env["WEBHOOK_RECEIVER_URL"] = f"http://127.0.0.1:{RECEIVER_PORT}/"
        receiver = subprocess.Popen([*python, "webhook-receiver", "--port", str(RECEIVER_PORT)], env=env,
                                    stdout=subprocess.DEVNULL)  # fmt: skip
        # WhatsApp goes to a stand-in of Meta's Cloud API (its page sends a message "from a phone"), never to Meta.
        whatsapp = None
        if not env.get("WHATSAPP_GRAPH_URL"):
            from vollegym.inbox.demo import DEMO_APP_SECRET, DEMO_VERIFY_TOKEN

            whatsapp_port = free_port()
            env.setdefault("WHATSAPP_APP_SECRET", DEMO_APP_SECRET)
            env.setdefault("WHATSAPP_VERIFY_TOKEN", DEMO_VERIFY_TOKEN)
            webhook = health_url(host, port).removesuffix("/healthz") + "/hooks/whatsapp/"
            whatsapp = subprocess.Popen(
                [*python, "whatsapp-standin", "--port", str(whatsapp_port), "--webhook", webhook,
                 "--secret", env["WHATSAPP_APP_SECRET"]],
                env=env, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            env["WHATSAPP_GRAPH_URL"] = f"http://127.0.0.1:{whatsapp_port}/v25.0"
        web = subprocess.Popen([*python, "serve", "--host", host, "--port", port], env=env)
        worker = SupervisedWorker([*python, "worker"], self.stderr.write, env=env)
        url, started, shown = health_url(host, port), time.monotonic(), False
        try:
            while not stopping and web.poll() is None:
                worker.keep_running()
                # The banner comes once the server answers, below the start-up lines of both processes.
                if not shown and (answers(url) or time.monotonic() - started > STARTUP_SECONDS):
                    time.sleep(0.5)  # the server logs that request in its own process: let it land above
                    self._banner(banner(env=env, logins=logins(), password=DEMO_PASSWORD))
                    shown = True
                time.sleep(0.2)
        finally:
            processes = [web, worker.process, receiver, *(p for p in (standin, whatsapp) if p is not None)]
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

    def _banner(self, lines: list[str]) -> None:
        first, *rest = lines
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(first))
        for line in rest:
            self.stdout.write(line)
        self.stdout.flush()


class SupervisedWorker:
    """The demo's background worker, started again whenever it stops, so no one has to notice it did."""

    FIRST_DELAY, MAX_DELAY, STEADY = 1.0, 30.0, 60.0

    def __init__(
        self, command: list[str], say: Callable[[str], None], env: Mapping[str, str] | None = None
    ) -> None:
        self.command, self.say, self.env = command, say, env
        self.delay = self.FIRST_DELAY
        self.restart_at: float | None = None
        self._start()

    def _start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env)
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
