"""The worker rides out a PostgreSQL outage: a real cluster of its own, stopped for 20 seconds and started again.

Needs Debian's postgresql-common (`pg_createcluster`, `pg_ctlcluster`, `pg_dropcluster`) and root; skipped
without them, or failed when REQUIRE_POSTGRES=1. Runs in the PostgreSQL pass of the suite only: it never
touches the test database, so running it in the SQLite pass as well would only cost another minute.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings

from vollegym.core.mailserver import Inbox
from vollegym.core.management.commands.demo import SupervisedWorker
from vollegym.core.management.commands.worker import TaskWorker

OUTAGE_SECONDS = 20
DUE_AFTER_SECONDS = 12  # work queued for this long after set-up falls due while the database is away
PG_TOOLS = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster")


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (and REQUIRE_POSTGRES=1)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(*command: str, env: dict[str, str] | None = None, timeout: float = 60) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, (
        f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


@dataclass
class Cluster:
    version: str
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/vollegym"

    def stop(self) -> None:
        _run("pg_ctlcluster", self.version, self.name, "stop", "-m", "fast")

    def start(self) -> None:
        _run("pg_ctlcluster", self.version, self.name, "start")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of the test's own on a free port (never the machine's own on 5432), dropped after."""
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the worker-outage test runs in the PostgreSQL pass of the suite")
    missing = [tool for tool in PG_TOOLS if shutil.which(tool) is None]
    if missing:
        _skip_or_fail(f"PostgreSQL cluster tools missing ({', '.join(missing)}): apt-get install postgresql")
    if os.geteuid() != 0:
        _skip_or_fail("the worker-outage test starts and stops a PostgreSQL cluster, which needs root")
    servers = Path("/usr/lib/postgresql")
    versions = sorted((p.name for p in servers.iterdir()), key=float) if servers.is_dir() else []
    if not versions:
        _skip_or_fail("no PostgreSQL server installed under /usr/lib/postgresql: apt-get install postgresql")
    found = Cluster(version=versions[-1], name=f"vgoutage{os.getpid()}", port=_free_port())
    try:
        _run(
            "pg_createcluster", found.version, found.name, "--port", str(found.port), "--start",
            "-o", "listen_addresses=localhost", "-o", "fsync=off",
            "--", "--auth=trust", "--no-sync",
        )  # fmt: skip
        with psycopg.connect(
            host="127.0.0.1", port=found.port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            admin.execute("CREATE DATABASE vollegym")
        yield found
    finally:
        subprocess.run(
            ["pg_dropcluster", "--stop", found.version, found.name],
            capture_output=True,
            timeout=60,
            check=False,
        )


def _vollegym_env(cluster: Cluster, smtp_port: int) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "EMAIL_BACKEND", "DEBUG")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="vollegym.config.settings",
        DATABASE_URL=cluster.url,
        VOLLEGYM_TESTING="1",
        SITE_URL="http://127.0.0.1:8000",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="5",
        PYTHONUNBUFFERED="1",
    )
    return env


# Run in `vollegym shell` against the cluster: the same services the web form and the webhook call.
SET_UP = f"""
from datetime import timedelta
from vollegym.core import clock
from vollegym.core.testing import make_staff, make_studio
from vollegym.leads.inbound import inbound_store
from vollegym.leads.models import InboundEvent
from vollegym.messaging.services import message_queue
from vollegym.studios.models import StaffMembership

studio = make_studio(name="Kracht Utrecht", slug="kracht-utrecht")
make_staff(studio, role=StaffMembership.Role.OWNER, email="sanne@kracht.nl")
due = clock.now() + timedelta(seconds={DUE_AFTER_SECONDS})
message_queue(
    studio=studio, channel="email", to="voor@example.nl", subject="Voor de storing", body="Hallo",
    purpose="test", key="before",
)
message_queue(
    studio=studio, channel="email", to="tijdens@example.nl", subject="Tijdens de storing", body="Hallo",
    purpose="test", key="during", send_after=due,
)
event, _ = inbound_store(
    studio=studio, provider=InboundEvent.Provider.GENERIC, dedupe_key="outage-1",
    payload={{"external_id": "outage-1", "name": "Eva de Boer", "email": "eva@example.nl", "phone": "0612345678"}},
)
InboundEvent.all_studios.filter(pk=event.pk).update(next_attempt_at=due)
print("DUE", due.timestamp())
"""


def _wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_the_worker_rides_out_a_database_outage_and_does_the_work_that_fell_due_during_it(
    cluster: Cluster, smtp: Inbox, tmp_path: Path
) -> None:
    env = _vollegym_env(cluster, django_settings.EMAIL_PORT)
    vollegym = [sys.executable, "-m", "vollegym"]
    _run(*vollegym, "migrate", "--verbosity", "0", env=env, timeout=120)
    due = float(_run(*vollegym, "shell", "--command", SET_UP, env=env).split("DUE")[-1])

    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log_file:
        worker = subprocess.Popen([*vollegym, "worker"], env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:

        def log() -> str:
            return log_path.read_text()

        assert _wait_for(lambda: bool(smtp.to("voor@example.nl")), 20), f"no mail before the outage:\n{log()}"

        cluster.stop()
        stopped_at = time.time()
        assert stopped_at < due, "the machine was too slow: the work fell due before the outage began"
        time.sleep(OUTAGE_SECONDS / 2)
        assert worker.poll() is None, f"the worker died during the outage:\n{log()}"
        time.sleep(max(0.0, stopped_at + OUTAGE_SECONDS - time.time()))
        assert not smtp.to("tijdens@example.nl"), "sent while the database was away?"
        cluster.start()
        back_at = time.monotonic()

        # The task queue (a mail due during the outage) and the inbound queue (a webhook delivery turned
        # into a lead, whose owner is told by mail) both pick up again.
        assert _wait_for(
            lambda: (
                bool(smtp.to("tijdens@example.nl"))
                and any("Nieuwe lead" in str(m["Subject"]) for m in smtp.to("sanne@kracht.nl"))
            ),
            30,
        ), f"the work due during the outage was not done after it:\n{log()}"
        recovered_in = time.monotonic() - back_at
        assert worker.poll() is None, f"the worker exited:\n{log()}"
        assert len(smtp.to("tijdens@example.nl")) == 1
        output = log()
        assert "database unavailable" in output and "database is back" in output, output
        assert "Traceback" not in output, output
        print(f"work resumed {recovered_in:.1f} s after PostgreSQL was back")
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, f"the worker did not stop cleanly on SIGTERM:\n{log_path.read_text()}"


def test_the_demo_starts_a_stopped_worker_again(tmp_path: Path) -> None:
    said: list[str] = []
    starts = tmp_path / "starts"
    worker = SupervisedWorker([sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x')"], said.append)

    def started_twice() -> bool:
        worker.keep_running()
        return starts.exists() and len(starts.read_text()) >= 2

    try:
        assert _wait_for(started_twice, 10), said
    finally:
        worker.process.wait(timeout=10)
    assert said[0] == "The worker stopped (exit 0); starting it again in 1 s."


@pytest.mark.django_db
def test_a_task_the_outage_cut_off_is_queued_again_and_a_finished_one_is_not() -> None:
    from django_tasks_db.models import DBTaskResult

    from vollegym.messaging.tasks import deliver_message

    worker = TaskWorker(
        queue_names=["*"], interval=1, batch=False, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id="w1", excluded_queue_names=[],
    )  # fmt: skip
    cut_off, finished = (DBTaskResult.objects.get(pk=deliver_message.enqueue(n).id) for n in (1, 2))
    for row in (cut_off, finished):
        row.claim("w1")
    finished.set_successful("sent")
    for row in (cut_off, finished):
        worker.in_hand = row.pk
        worker.put_back()
        row.refresh_from_db()
    assert (cut_off.status, finished.status) == ("READY", "SUCCESSFUL")
    assert worker.in_hand is None
