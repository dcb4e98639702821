"""The lead benchmarks of `make bench`, on PostgreSQL: "ingest" and "speed-to-lead".

ingest: leads per second through the generic signed webhook (`/hooks/leads/<studio>/`) of the production
server, from concurrent keep-alive clients in several processes, against a raw psycopg ceiling that writes
the same rows (the event and the task the webhook enqueues, one transaction per lead) from as many
connections; then how fast one running worker turns the stored events into leads.

speed-to-lead: the time from the webhook's 2xx to the coach's e-mail accepted by an SMTP server in this
process, with the worker running, per poll interval of the worker.

Each benchmark drops and recreates its database (PostgreSQL, `--pg-url`), and leaves it behind for a look
afterwards, without connections. Client processes sign with `sign_generic` of vollegym.leads.inbound, so
they set Django up (without touching the database); every process this module starts is stopped again
however the benchmark ends.
"""

from __future__ import annotations

import contextlib
import datetime
import email
import email.policy
import http.client
import importlib.metadata
import json
import multiprocessing
import multiprocessing.context
import multiprocessing.queues
import multiprocessing.synchronize
import os
import platform
import queue
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from benchkit import (
    HOST,
    PROJECT_DIR,
    BenchError,
    Section,
    Server,
    cpu_model,
    free_port,
    git_revision,
    group_cpu_seconds,
    machine_busy_seconds,
    production_env,
    run_python,
    serve,
    stop,
)
from psycopg import sql
from psycopg.types.json import Jsonb

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
INGEST_GOAL = 300.0  # leads per second through the webhook
SPEED_GOAL = 0.5  # seconds, p95 from the webhook's 2xx to the coach's e-mail
DRAIN_GOAL = 100.0  # stored deliveries turned into leads per second by one worker process
BUSY = 0.1  # above this share of the machine's CPU used by other processes, a run is noisy
STUDIO_SLUG = "studio-bench"
TASKS_TABLE = "django_tasks_database_dbtaskresult"
DATE_MAX = "9999-01-01 00:00:00+00"  # django_tasks_db's run_after of a task without one
IDLE_SECONDS = 3.0  # the idle worker's CPU is measured over this long
BARRIER_SECONDS = 300.0
MAX_CONNECTIONS = 128  # per benchmark; part of the numbering of the leads  # the longest a process waits for the others at a step's start or end


@dataclass(frozen=True)
class LeadOptions:
    pg_url: str
    workers: int  # gunicorn workers
    threads: int  # threads per gunicorn worker
    clients: int  # client processes of the ingest benchmark
    connections: int  # keep-alive connections of the ingest benchmark, over all client processes
    warmup: float  # seconds of warm-up per target
    rounds: int
    seconds: float  # per round and target
    drain_seconds: float
    leads: int  # measured leads of speed-to-lead, per worker interval
    pace: float  # leads per second of speed-to-lead
    intervals: tuple[float, ...]  # the worker's --interval values of speed-to-lead
    drain_workers: tuple[int, ...] = (1, 2)  # worker processes of the ingest benchmark's drain, one run each


# --- PostgreSQL ----------------------------------------------------------------------------------------------


def db_name(pg_url: str) -> str:
    name = str(psycopg.conninfo.conninfo_to_dict(pg_url).get("dbname") or "")
    if not name or name == "postgres":
        raise BenchError(f"--pg-url must name a database of its own for the benchmark, not {name!r}")
    return name


def admin_url(pg_url: str) -> str:
    """The same server, database `postgres`: where the benchmark's database is dropped and created."""
    return psycopg.conninfo.make_conninfo(pg_url, dbname="postgres")


def recreate_database(pg_url: str) -> None:
    name = db_name(pg_url)
    try:
        with psycopg.connect(admin_url(pg_url), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise BenchError(
            f"cannot recreate database {name} via {admin_url(pg_url)}: {exc}\nThe ingest and speed-to-lead "
            "benchmarks need PostgreSQL: start it, point --pg-url at it, or leave them out (--only kennisbank)."
        ) from exc


def close_leftover_connections(pg_url: str, wait: float = 10.0) -> int:
    """Waits for the connections of stopped processes to go; ends the ones still open. Returns their number."""
    name = db_name(pg_url)
    count_sql = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    with psycopg.connect(admin_url(pg_url), autocommit=True, connect_timeout=10) as conn:
        deadline = time.monotonic() + wait
        pids = [row[0] for row in conn.execute(count_sql, (name,))]
        while pids and time.monotonic() < deadline:
            time.sleep(0.2)
            pids = [row[0] for row in conn.execute(count_sql, (name,))]
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    return len(pids)


def query(pg_url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(pg_url, autocommit=True, connect_timeout=10) as conn:
        return list(conn.execute(statement, params))


def scalar(pg_url: str, statement: str, params: tuple[Any, ...] = ()) -> Any:
    return query(pg_url, statement, params)[0][0]


class Monitor:
    """The bench process's own connection to the benchmark's database, for polling while something runs;
    its backend's CPU is left out of PostgreSQL's."""

    def __init__(self, pg_url: str) -> None:
        self.conn = psycopg.connect(pg_url, autocommit=True, connect_timeout=10)
        self.pid: int = self.conn.info.backend_pid

    def scalar(self, statement: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(statement, params).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        self.conn.close()


def postgres_version(pg_url: str) -> str:
    return str(scalar(pg_url, "SHOW server_version")).split()[0]


def postgres_settings(pg_url: str) -> str:
    names = ("shared_buffers", "synchronous_commit", "fsync", "autovacuum")
    values = [f"{n} {scalar(pg_url, f'SHOW {n}')}" for n in names]
    return ", ".join(values)


# --- the application ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Studio:
    slug: str
    pk: int
    secret: str
    staff: list[str]

    @property
    def path(self) -> str:
        return f"/hooks/leads/{self.slug}/"


_SETUP = """
import json
import django
django.setup()
from vollegym.leads.services import lead_settings_for
from vollegym.studios.services import staff_add, studio_create
studio = studio_create(name="Studio Bench", slug=%(slug)r, street="Oudegracht 1", postal_code="3511 AA",
                       city="Utrecht", email="info@studio-bench.example.nl", phone="030 123 4567")
staff = [
    ("eigenaar@studio-bench.example.nl", "owner", "Eva Eigenaar"),
    ("coach.anna@studio-bench.example.nl", "coach", "Anna Coach"),
    ("coach.bas@studio-bench.example.nl", "coach", "Bas Coach"),
]
for address, role, name in staff:
    staff_add(studio=studio, email=address, role=role, full_name=name)
print(json.dumps({"slug": studio.slug, "pk": studio.pk, "secret": lead_settings_for(studio).webhook_secret,
                  "staff": [address for address, _role, _name in staff]}))
"""


def prepare(env: dict[str, str]) -> Studio:
    """Migrates the fresh database; a studio with an owner and two coaches, and its webhook secret."""
    run_python(env, "-m", "vollegym", "migrate", "--no-input", "-v0", what="migrate")
    out = run_python(env, "-c", _SETUP % {"slug": STUDIO_SLUG}, what="creating the studio")
    data = json.loads(out.decode().strip().splitlines()[-1])
    return Studio(data["slug"], data["pk"], data["secret"], data["staff"])


def lead_env(var_dir: Path, pg_url: str, smtp_port: int | None = None) -> dict[str, str]:
    extra = {"DATABASE_URL": pg_url}
    if smtp_port is None:
        extra["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    else:
        extra.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=HOST,
            EMAIL_PORT=str(smtp_port),
            EMAIL_USE_TLS="0",
            EMAIL_USE_SSL="0",
            EMAIL_TIMEOUT="5",
        )
    return production_env(var_dir, **extra)


@contextlib.contextmanager
def running_worker(env: dict[str, str], log: Path, interval: float) -> Iterator[subprocess.Popen[bytes]]:
    """`vollegym worker --interval <interval>` in its own process group until the block ends, however."""
    argv = [sys.executable, "-m", "vollegym", "worker", "--interval", str(interval)]
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            argv, env=env, cwd=PROJECT_DIR, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop(process)


def check_alive(process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    if process.poll() is not None:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise BenchError(f"{what} exited with {process.returncode}:\n{tail}")


# --- what the clients send ------------------------------------------------------------------------------------

FIRST: tuple[str, ...] = ("Sanne", "Lotte", "Emma", "Daan", "Sem", "Lucas", "Julia", "Tess", "Milan", "Noah")
FIRST += ("Fleur", "Bram", "Anouk", "Thijs", "Iris", "Ruben", "Eva", "Jesse", "Sophie", "Niels")
LAST: tuple[str, ...] = (
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
)
LAST += ("Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer")
LAST += ("de Wit", "Dijkstra", "Smits")
UNIQUE_NAMES = len(FIRST) * len(LAST)


def person(n: int) -> tuple[str, str, str]:
    """Name, e-mail and Dutch mobile number of person n; names repeat after 400, e-mail addresses never, phone
    numbers after 90 million (n times a number prime to 90 million, so neighbours do not look alike)."""
    first, last = FIRST[n % len(FIRST)], LAST[(n // len(FIRST)) % len(LAST)]
    address = f"{first}.{last}".lower().replace(" ", "") + f".{n}@example.nl"
    digits = 10_000_000 + n * 2_654_435_761 % 90_000_000
    return f"{first} {last}", address, f"06 {digits // 10_000:04d} {digits % 10_000:04d}"


def lead_payload(n: int, external_id: str) -> dict[str, Any]:
    """The body of the generic webhook as a studio's site sends it."""
    name, address, phone = person(n)
    return {
        "external_id": external_id,
        "name": name,
        "email": address,
        "phone": phone,
        "source": "website",
        "campaign": "intake-voorjaar",
        "form": "Gratis intake",
        "utm": {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "intake-voorjaar"},
        "consent": [
            {
                "purpose": "contact",
                "text": "Ja, neem contact met me op over mijn aanvraag.",
                "given": True,
                "channel": "email",
            },
            {
                "purpose": "marketing",
                "text": "Ja, stuur me af en toe nieuws en aanbiedingen.",
                "given": n % 3 == 0,
                "channel": "email",
            },
        ],
        "answers": {
            "doel": ("Afvallen", "Sterker worden", "Fitter worden", "Minder rugklachten")[n % 4],
            "ervaring": "Ik sport nu één keer per week",
            "voorkeur": ("Personal training", "Small group training")[n % 2],
            "wanneer": ("'s ochtends", "'s middags", "'s avonds")[n % 3],
        },
    }


# --- client processes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What every client process does between two barriers: POST to the webhook for `seconds` ("http"),
    insert the same rows with psycopg ("raw"), or send `count` leads at `pace` per second ("paced")."""

    kind: str
    number: int  # unique per benchmark run: part of every external id
    seconds: float = 0.0
    count: int = 0
    pace: float = 0.0
    offset: int = 0  # person number of the first paced lead


@dataclass(frozen=True)
class ClientSpec:
    env: dict[str, str]
    port: int
    studio: Studio
    pg_url: str
    process: int
    connections: int
    first_connection: int  # over all processes
    steps: tuple[Step, ...]
    run_tag: str


@dataclass
class StepResult:
    process: int
    error: str = ""
    started: float = 0.0  # time.monotonic(), which Linux shares between processes
    ended: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)  # 0: no response (connection error)
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # a few samples
    sent: list[tuple[str, int, float]] = field(default_factory=list)  # paced: name, status, response time


class _Connection:
    """One client connection (HTTP keep-alive or psycopg) of one thread, with what it measured."""

    def __init__(self, spec: ClientSpec, step: Step, slot: int, sign: Callable[[bytes, str], str]) -> None:
        self.spec, self.step, self.slot, self.sign = spec, step, slot, sign
        self.result = StepResult(spec.process)
        self.http: http.client.HTTPConnection | None = None
        self.pg: psycopg.Connection[Any] | None = None

    def open(self) -> None:
        if self.step.kind == "raw":
            self.pg = psycopg.connect(self.spec.pg_url, autocommit=True, connect_timeout=10)
        else:
            self.http = http.client.HTTPConnection(HOST, self.spec.port, timeout=30)
            self.http.connect()

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
        if self.pg is not None:
            self.pg.close()

    def uid(self, seq: int) -> int:
        return (self.step.number * MAX_CONNECTIONS + self.slot) * 50_000 + seq

    def fail(self, message: str) -> None:
        if len(self.result.failures) < 5:
            self.result.failures.append(message)

    def post(self, n: int, external_id: str) -> tuple[int, float]:
        """One delivery; returns its status (0 when the connection failed) and the time of the answer."""
        assert self.http is not None
        body = json.dumps(lead_payload(n, external_id)).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Vollegym-Signature": self.sign(body, self.spec.studio.secret),
        }
        try:
            self.http.request("POST", self.spec.studio.path, body, headers)
            response = self.http.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.fail(f"{type(exc).__name__}: {exc}")
            self.http.close()  # reconnects on the next request
            return 0, time.monotonic()
        if not 200 <= response.status < 300:
            self.fail(f"{response.status}: {answer[:300].decode(errors='replace')}")
        return response.status, time.monotonic()

    def insert(self, n: int, external_id: str) -> int:
        """What the webhook writes for a lead: the event row, which is its place in the queue (one INSERT)."""
        assert self.pg is not None
        payload = Jsonb(lead_payload(n, external_id))
        try:
            self.pg.execute(
                "INSERT INTO leads_inboundevent (studio_id, provider, dedupe_key, payload, status, error, "
                "attempts, received_at, next_attempt_at) VALUES (%s, 'generic', %s, %s, 'pending', '', 0, now(), now())",
                (self.spec.studio.pk, f"{self.spec.studio.pk}:{external_id}", payload),
            )
        except psycopg.Error as exc:
            self.fail(f"{type(exc).__name__}: {exc}")
            return 0
        return 201

    def run_timed(self, deadline: float) -> None:
        kind, result = self.step.kind, self.result
        seq = 0
        while True:
            started = time.monotonic()
            if started >= deadline:
                break
            uid = self.uid(seq)
            external_id = f"{self.spec.run_tag}-{kind}-{uid}"
            if kind == "raw":
                status, ended = self.insert(uid, external_id), time.monotonic()
            else:
                status, ended = self.post(uid, external_id)
            result.statuses[status] += 1
            result.latencies_ms.append((ended - started) * 1000)
            result.ended = ended
            seq += 1

    def run_paced(self, start: float) -> None:
        step, result = self.step, self.result
        for k in range(step.count):
            due = start + k / step.pace
            time.sleep(max(0.0, due - time.monotonic()))
            n = step.offset + k
            sent_at = time.monotonic()
            status, answered = self.post(n, f"{self.spec.run_tag}-paced-{n}")
            result.statuses[status] += 1
            result.latencies_ms.append((answered - sent_at) * 1000)
            result.sent.append((person(n)[0], status, answered))
            result.ended = answered


def _client_main(
    spec: ClientSpec,
    start: multiprocessing.synchronize.Barrier,
    done: multiprocessing.synchronize.Barrier,
    results: multiprocessing.queues.Queue[StepResult],
) -> None:
    """A client process: the steps of the plan, each between a start and an end barrier with the others."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the bench process stops us
    try:
        os.environ.update(spec.env)
        import django

        django.setup()
        from vollegym.leads.inbound import sign_generic

        for step in spec.steps:
            conns = [
                _Connection(spec, step, spec.first_connection + i, sign_generic)
                for i in range(spec.connections)
            ]
            try:
                for conn in conns:
                    conn.open()
                start.wait(BARRIER_SECONDS)
                began = time.monotonic()
                if step.kind == "paced":
                    threads = [
                        threading.Thread(target=c.run_paced, args=(began,), daemon=True) for c in conns
                    ]
                else:
                    deadline = began + step.seconds
                    threads = [
                        threading.Thread(target=c.run_timed, args=(deadline,), daemon=True) for c in conns
                    ]
                for thread in threads:
                    thread.start()
                limit = time.monotonic() + step.seconds + (step.count / step.pace if step.pace else 0) + 120
                for thread in threads:
                    thread.join(max(0.0, limit - time.monotonic()))
                    if thread.is_alive():
                        raise RuntimeError(f"a client thread of step {step.number} did not finish")
                total = StepResult(spec.process, started=began)
                for conn in conns:
                    total.ended = max(total.ended, conn.result.ended)
                    total.statuses.update(conn.result.statuses)
                    total.latencies_ms += conn.result.latencies_ms
                    total.failures += conn.result.failures[: 5 - len(total.failures)]
                    total.sent += conn.result.sent
                results.put(total)
                done.wait(BARRIER_SECONDS)  # connections stay open until the bench process has sampled CPU
            finally:
                for conn in conns:
                    conn.close()
    except BaseException:  # reported to the bench process, which stops the others
        results.put(StepResult(spec.process, error=traceback.format_exc()))
        start.abort()
        done.abort()


class ClientPool:
    """Client processes (spawned, so nothing of the bench process's state leaks in) running a plan of steps."""

    def __init__(self, specs: list[ClientSpec]) -> None:
        context = multiprocessing.get_context("spawn")
        self.start = context.Barrier(len(specs) + 1)
        self.done = context.Barrier(len(specs) + 1)
        self.results: multiprocessing.queues.Queue[StepResult] = context.Queue()
        self.processes = [
            context.Process(
                target=_client_main, args=(spec, self.start, self.done, self.results), daemon=True
            )
            for spec in specs
        ]

    def __enter__(self) -> ClientPool:
        for process in self.processes:
            process.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)
        self.results.close()
        self.results.join_thread()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    def _failure(self) -> BenchError:
        with contextlib.suppress(queue.Empty):
            while True:
                result = self.results.get(timeout=2)
                if result.error:
                    return BenchError(f"client process {result.process} failed:\n{result.error}")
        codes = [p.exitcode for p in self.processes]
        return BenchError(f"the client processes stopped (exit codes {codes})")

    def run(self, step: Step, at_start: Callable[[], None] | None = None) -> list[StepResult]:
        """One step of the plan: the results of all client processes. `at_start` runs as they begin."""
        try:
            self.start.wait(BARRIER_SECONDS)
            if at_start is not None:
                at_start()
            timeout = step.seconds + (step.count / step.pace if step.pace else 0) + 180
            results = [self.results.get(timeout=timeout) for _ in self.processes]
        except (threading.BrokenBarrierError, queue.Empty):
            raise self._failure() from None
        failed = [r for r in results if r.error]
        if failed:
            raise BenchError(f"client process {failed[0].process} failed:\n{failed[0].error}")
        return results

    def finish(self) -> None:
        """Lets the client processes close the step's connections."""
        try:
            self.done.wait(BARRIER_SECONDS)
        except threading.BrokenBarrierError:
            raise self._failure() from None


# --- CPU accounting ------------------------------------------------------------------------------------------------

_PG_BACKGROUND = ("checkpointer", "background writer", "walwriter", "autovacuum")


def _proc_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])


def postgres_ticks(database: str) -> dict[int, int]:
    """CPU ticks of PostgreSQL's processes working for `database`: its backends and the shared writers."""
    ticks: dict[int, int] = {}
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if not title.startswith("postgres: "):
            continue
        if f" {database} " in title or any(name in title for name in _PG_BACKGROUND):
            pid = int(cmdline.parent.name)
            value = _proc_ticks(pid)
            if value is not None:
                ticks[pid] = value
    return ticks


@dataclass(frozen=True)
class CpuSample:
    at: float
    machine: float | None  # busy seconds over all cores
    server: float | None  # the gunicorn (or workers') process groups
    postgres: dict[int, int]
    clients: dict[int, int]

    @staticmethod
    def take(
        database: str,
        groups: list[int],
        client_pids: list[int],
        exclude: frozenset[int] | set[int] = frozenset(),
    ) -> CpuSample:
        clients = {pid: t for pid in client_pids if (t := _proc_ticks(pid)) is not None}
        server = [group_cpu_seconds(group) for group in groups]
        return CpuSample(
            at=time.monotonic(),
            machine=machine_busy_seconds(),
            server=None if None in server else sum(s or 0.0 for s in server),
            postgres={pid: t for pid, t in postgres_ticks(database).items() if pid not in exclude},
            clients=clients,
        )


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds spent between two samples, by who spent them."""

    seconds: float
    server: float
    postgres: float
    clients: float
    others: float | None  # the rest of the machine, as a share of all its cores

    @staticmethod
    def between(a: CpuSample, b: CpuSample) -> CpuUse:
        def delta(before: dict[int, int], after: dict[int, int]) -> float:
            return sum(t - before.get(pid, 0) for pid, t in after.items()) / CLOCK_TICKS

        server = (b.server or 0.0) - (a.server or 0.0)
        postgres, clients = delta(a.postgres, b.postgres), delta(a.clients, b.clients)
        seconds = b.at - a.at
        others = None
        if a.machine is not None and b.machine is not None and seconds > 0:
            rest = b.machine - a.machine - server - postgres - clients
            others = max(0.0, rest / (seconds * (os.cpu_count() or 1)))
        return CpuUse(seconds, server, postgres, clients, others)


# --- results -------------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0..1) of values; nan for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


@dataclass(frozen=True)
class Round:
    """One timed step of one target, over all client processes."""

    ok: int  # 2xx answers (webhook) or committed transactions (raw)
    errors: int
    seconds: float
    latencies_ms: list[float]
    cpu: CpuUse
    failures: list[str]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def per_lead_ms(self, spent: float) -> float:
        return spent / self.ok * 1000 if self.ok else float("nan")

    @staticmethod
    def of(results: list[StepResult], cpu: CpuUse) -> Round:
        statuses: Counter[int] = Counter()
        for r in results:
            statuses.update(r.statuses)
        ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
        began = min(r.started for r in results)
        ended = max(r.ended or r.started for r in results)
        return Round(
            ok=ok,
            errors=sum(statuses.values()) - ok,
            seconds=max(ended - began, 1e-9),
            latencies_ms=[ms for r in results for ms in r.latencies_ms],
            cpu=cpu,
            failures=[f for r in results for f in r.failures],
        )


@dataclass
class Target:
    label: str
    kind: str
    rounds: list[Round] = field(default_factory=list)

    def median(self, metric: Callable[[Round], float]) -> float:
        return statistics.median(metric(r) for r in self.rounds)

    @property
    def latencies(self) -> list[float]:
        return [ms for r in self.rounds for ms in r.latencies_ms]

    @property
    def ok(self) -> int:
        return sum(r.ok for r in self.rounds)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)

    def row(self) -> str:
        lat = self.latencies
        return (
            f"| {self.label} | {self.median(lambda r: r.rate):,.0f} | {percentile(lat, 0.5):.1f} "
            f"| {percentile(lat, 0.99):.1f} | {self.ok:,} | {self.errors} "
            f"| {self.median(lambda r: r.per_lead_ms(r.cpu.server)):.2f} "
            f"| {self.median(lambda r: r.per_lead_ms(r.cpu.postgres)):.2f} "
            f"| {self.median(lambda r: r.per_lead_ms(r.cpu.clients)):.2f} |"
        )


def others_share(uses: list[CpuUse]) -> float | None:
    shares = [u.others for u in uses]
    if not shares or any(s is None for s in shares):
        return None
    return statistics.median(s for s in shares if s is not None)


def verdict(ok: bool, goal: str) -> str:
    return f"meets the goal ({goal})" if ok else f"**misses the goal** ({goal})"


def software_line(pg_url: str) -> str:
    return (
        f"- Software: Python {platform.python_version()}, Django {importlib.metadata.version('django')}, "
        f"gunicorn {importlib.metadata.version('gunicorn')}, psycopg {importlib.metadata.version('psycopg')}, "
        f"django-tasks-db {importlib.metadata.version('django-tasks-db')}, PostgreSQL "
        f"{postgres_version(pg_url)} on {HOST} ({postgres_settings(pg_url)})."
    )


def machine_line(others: float | None) -> str:
    return f"- Machine: {os.cpu_count()} cores ({cpu_model()}), {platform.system()} {platform.release()}" + (
        "." if others is None else f"; other processes used {others:.0%} of its CPU during the measurement."
    )


def run_line() -> str:
    return f"- Run: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, commit {git_revision()}."


# --- ingest --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drain:
    processes: int  # workers
    pending: int  # events waiting when the worker started
    processed: int  # in the measured window
    failed: int
    seconds: float
    cpu: CpuUse
    rows: dict[str, float]  # rows per processed event, by table
    left: int  # events still pending when the worker was stopped

    @property
    def rate(self) -> float:
        return self.processed / self.seconds if self.seconds else float("nan")

    def per_event_ms(self, spent: float) -> float:
        return spent / self.processed * 1000 if self.processed else float("nan")

    def row(self) -> str:
        return (
            f"| {self.processes} | {self.rate:,.1f} | {self.processed:,} | {self.failed} | {self.seconds:.1f} "
            f"| {self.per_event_ms(self.cpu.server):.1f} | {self.per_event_ms(self.cpu.postgres):.1f} |"
        )


def ingest_plan(o: LeadOptions) -> tuple[list[tuple[Step, Target | None]], Target, Target]:
    """Warm-up on both, then rounds of webhook and raw, the order swapping each round."""
    webhook = Target("Webhook through gunicorn and Django", "http")
    raw = Target("Raw psycopg, the same rows", "raw")
    plan: list[tuple[Step, Target | None]] = []
    number = 0
    for target in (webhook, raw):
        plan.append((Step(target.kind, number, seconds=o.warmup), None))
        number += 1
    for r in range(o.rounds):
        for target in (webhook, raw) if r % 2 == 0 else (raw, webhook):
            plan.append((Step(target.kind, number, seconds=o.seconds), target))
            number += 1
    return plan, webhook, raw


def measure_drain(
    env: dict[str, str], o: LeadOptions, var_dir: Path, processes: int, share: list[int]
) -> Drain:
    """`processes` workers (default interval) on a share of the stored events, released once every worker has
    started (so no start-up is measured), for up to drain_seconds once they process."""
    pg_url, database = o.pg_url, db_name(o.pg_url)
    pending_sql = (
        "SELECT count(*) FROM leads_inboundevent WHERE status = 'pending' AND next_attempt_at <= now()"
    )
    processed_sql = "SELECT count(*) FROM leads_inboundevent WHERE status IN ('processed', 'failed')"
    pending, start = len(share), int(scalar(pg_url, processed_sql))
    counts_before = row_counts(pg_url)
    print(
        f"draining: {processes} worker(s) on {pending:,} stored events, up to {o.drain_seconds:g} s",
        flush=True,
    )
    logs = [var_dir / f"worker-drain-{processes}-{i}.log" for i in range(processes)]
    with contextlib.ExitStack() as stack:
        db = Monitor(pg_url)
        stack.callback(db.close)
        workers = [stack.enter_context(running_worker(env, log, 1.0)) for log in logs]

        def check() -> None:
            for worker, log in zip(workers, logs, strict=True):
                check_alive(worker, "a worker", log)

        deadline = time.monotonic() + 60
        while not all(log.exists() and "Starting worker" in log.read_text() for log in logs):
            check()
            if time.monotonic() > deadline:
                raise BenchError("a worker did not start within 60 s:\n" + logs[0].read_text()[-3000:])
            time.sleep(0.05)
        time.sleep(0.5)  # the task runner's first poll and the queue threads' first empty polls
        release(pg_url, share)
        while int(db.scalar(processed_sql)) == start:
            check()
            if time.monotonic() > deadline:
                raise BenchError("the worker processed no event within 60 s:\n" + logs[0].read_text()[-3000:])
            time.sleep(0.05)
        groups = [w.pid for w in workers]
        before, first = CpuSample.take(database, groups, [], {db.pid}), int(db.scalar(processed_sql))
        end = time.monotonic() + o.drain_seconds
        while time.monotonic() < end and int(db.scalar(pending_sql)) > 0:
            check()
            time.sleep(0.25)
        after, last = CpuSample.take(database, groups, [], {db.pid}), int(db.scalar(processed_sql))
    failed = int(scalar(pg_url, "SELECT count(*) FROM leads_inboundevent WHERE status = 'failed'"))
    left = int(scalar(pg_url, pending_sql))
    counts_after = row_counts(pg_url)
    done = int(scalar(pg_url, processed_sql)) - start
    rows = (
        {table: (counts_after[table] - counts_before[table]) / done for table in counts_after} if done else {}
    )
    cpu = CpuUse.between(before, after)
    drain = Drain(processes, pending, last - first, failed, cpu.seconds, cpu, rows, left)
    print(
        f"  {processes} worker(s): {drain.rate:,.1f} events/s over {drain.seconds:.1f} s ({drain.processed:,} "
        f"events, {drain.failed} failed, {drain.left:,} left); CPU ms/event workers {drain.per_event_ms(cpu.server):.1f} "
        f"postgres {drain.per_event_ms(cpu.postgres):.1f}",
        flush=True,
    )
    return drain


ROW_TABLES = {
    "people": "people_person",
    "leads": "leads_lead",
    "activities": "leads_activity",
    "consents": "people_consententry",
    "events": "people_domainevent",
    "messages": "messaging_message",
    "tasks": TASKS_TABLE,
}
# The budget for the statements of one processed event (the worker's task, not the queue's own claim).
STATEMENT_BUDGET = 12

STATEMENTS_SCRIPT = """
import django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from vollegym.leads.inbound import inbound_process
from vollegym.leads.models import InboundEvent
pending = list(InboundEvent.all_studios.filter(status="pending").order_by("pk").values_list("pk", flat=True)[:2])
inbound_process(event_id=pending[0])  # warm: imports, the connection, the studio's rows in the buffer cache
with CaptureQueriesContext(connection) as captured:
    inbound_process(event_id=pending[1])
sql = [q["sql"] for q in captured.captured_queries]
# BEGIN and COMMIT (psycopg shows them) are the transaction's frame, not statements of the work itself.
single = sum(1 for q in sql if q not in ("BEGIN", "COMMIT"))
# As a worker does: a batch of up to 50 due deliveries in one transaction (the claim counted this time).
from vollegym.leads.inbound import inbound_process_due
with CaptureQueriesContext(connection) as captured:
    done = inbound_process_due(limit=50)
sql = [q["sql"] for q in captured.captured_queries]
print(single, sum(1 for q in sql if q not in ("BEGIN", "COMMIT")), done)
"""


@dataclass(frozen=True)
class Statements:
    single: int  # processing one stored delivery alone
    batch: int  # a worker's batch, its claim included
    batch_events: int  # deliveries in that batch

    @property
    def per_event_in_batch(self) -> float:
        return self.batch / self.batch_events if self.batch_events else float("nan")


def statements_per_event(env: dict[str, str]) -> Statements:
    """SQL statements of processing one stored delivery into a lead, and of a worker's batch of them (without
    BEGIN and COMMIT), in a production-configured process."""
    out = run_python(env, "-c", STATEMENTS_SCRIPT, what="counting the statements of one event").split()
    return Statements(int(out[-3]), int(out[-2]), int(out[-1]))


def hold_back(pg_url: str, parts: int) -> list[list[int]]:
    """The stored events split in equal shares, one per drain, all held back (not yet due) until released:
    one worker would otherwise leave nothing for the next set."""
    with psycopg.connect(pg_url, autocommit=True, connect_timeout=10) as conn:
        ids = [
            row[0]
            for row in conn.execute("SELECT id FROM leads_inboundevent WHERE status = 'pending' ORDER BY id")
        ]
        conn.execute(
            "UPDATE leads_inboundevent SET next_attempt_at = now() + interval '1 day' WHERE status = 'pending'"
        )
    size = -(-len(ids) // parts) if ids else 0
    return [ids[i * size : (i + 1) * size] for i in range(parts)]


def release(pg_url: str, ids: list[int]) -> None:
    with psycopg.connect(pg_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("UPDATE leads_inboundevent SET next_attempt_at = now() WHERE id = ANY(%s)", (ids,))


def row_counts(pg_url: str) -> dict[str, int]:
    return {name: int(scalar(pg_url, f"SELECT count(*) FROM {table}")) for name, table in ROW_TABLES.items()}  # noqa: S608


def delete_raw_rows(pg_url: str, run_tag: str) -> int:
    """The ceiling's rows, so the worker drains only what came through the webhook."""
    pattern = f"%:{run_tag}-raw-%"
    with psycopg.connect(pg_url, autocommit=True, connect_timeout=10) as conn:
        deleted = conn.execute("DELETE FROM leads_inboundevent WHERE dedupe_key LIKE %s", (pattern,)).rowcount
        # As autovacuum would (it may be off): the worker's queue query should not wade through dead rows.
        conn.execute(f"VACUUM ANALYZE leads_inboundevent, {TASKS_TABLE}")
    return deleted


def bench_ingest(workdir: Path, o: LeadOptions) -> Section:
    var_dir = workdir / "ingest"
    var_dir.mkdir()
    env = lead_env(var_dir, o.pg_url)
    database = db_name(o.pg_url)
    print(f"preparing: database {database} (dropped and created), migrate, a studio with staff", flush=True)
    recreate_database(o.pg_url)
    try:
        studio = prepare(env)
        plan, webhook, raw = ingest_plan(o)
        run_tag = uuid.uuid4().hex[:8]
        per_process = [o.connections // o.clients + (i < o.connections % o.clients) for i in range(o.clients)]
        client_env = {**env, "LOG_LEVEL": "WARNING"}
        port = free_port()
        specs = [
            ClientSpec(
                client_env,
                port,
                studio,
                o.pg_url,
                i,
                n,
                sum(per_process[:i]),
                tuple(step for step, _t in plan),
                run_tag,
            )
            for i, n in enumerate(per_process)
        ]
        print(
            f"starting gunicorn on {HOST}:{port} ({o.workers} worker(s) x {o.threads} thread(s)) and "
            f"{o.clients} client processes with {o.connections} connections; no worker runs",
            flush=True,
        )
        with (
            serve(env, port, o.workers, o.threads, var_dir / "server.log") as server,
            ClientPool(specs) as pool,
        ):
            for step, target in plan:
                samples: list[CpuSample] = []

                def sample(samples: list[CpuSample] = samples) -> None:
                    samples.append(CpuSample.take(database, [server.process.pid], pool.pids))

                results = pool.run(step, sample)
                sample()
                pool.finish()
                result = Round.of(results, CpuUse.between(*samples))
                label = target.label if target else f"warm-up {step.kind}"
                print(
                    f"  {label:>38}: {result.rate:7,.0f} leads/s  p50 {percentile(result.latencies_ms, 0.5):6.1f} ms"
                    f"  p99 {percentile(result.latencies_ms, 0.99):6.1f} ms  errors {result.errors}"
                    f"  CPU ms/lead server {result.per_lead_ms(result.cpu.server):.2f}"
                    f" postgres {result.per_lead_ms(result.cpu.postgres):.2f}"
                    f" clients {result.per_lead_ms(result.cpu.clients):.2f}",
                    flush=True,
                )
                if result.ok == 0:
                    raise BenchError(f"{label}: nothing accepted; {result.failures[:3]}\n{server.log_tail()}")
                if target is not None:
                    target.rounds.append(result)
        deleted = delete_raw_rows(o.pg_url, run_tag)
        print(f"removed the ceiling's {deleted:,} events and their tasks", flush=True)
        statements = statements_per_event(env)
        print(
            f"SQL statements per processed event: {statements.single} alone, "
            f"{statements.per_event_in_batch:.2f} in a batch of {statements.batch_events}",
            flush=True,
        )
        shares = hold_back(o.pg_url, len(o.drain_workers))
        drains = []
        for share, n in zip(shares, o.drain_workers, strict=True):
            drains.append(measure_drain(env, o, var_dir, n, share))
    finally:
        left = close_leftover_connections(o.pg_url)
    return ingest_section(o, studio, webhook, raw, drains, left, statements)


def ingest_section(
    o: LeadOptions,
    studio: Studio,
    webhook: Target,
    raw: Target,
    drains: list[Drain],
    left: int,
    statements: Statements,
) -> Section:
    ratio = statistics.median(a.rate / b.rate for a, b in zip(webhook.rounds, raw.rounds, strict=True))
    rate = webhook.median(lambda r: r.rate)
    others = others_share([r.cpu for t in (webhook, raw) for r in t.rounds])
    rounds = "; ".join(
        f"{a.rate:,.0f} / {b.rate:,.0f}" for a, b in zip(webhook.rounds, raw.rounds, strict=True)
    )
    client_share = webhook.median(lambda r: r.cpu.clients / r.seconds)
    cores = os.cpu_count() or 1
    server_ms = webhook.median(lambda r: r.per_lead_ms(r.cpu.server))
    pg_ms = webhook.median(lambda r: r.per_lead_ms(r.cpu.postgres))
    client_ms = webhook.median(lambda r: r.per_lead_ms(r.cpu.clients))
    total_ms = server_ms + pg_ms + client_ms
    budget_ms = cores * 1000 / INGEST_GOAL
    first = drains[0]
    rows = ", ".join(f"{value:.2f} {name}" for name, value in first.rows.items())
    ingest_seconds = webhook.ok / rate if rate else float("nan")
    failures = sorted({f for t in (webhook, raw) for r in t.rounds for f in r.failures})
    lines = [
        "## Lead ingest through the signed webhook (PostgreSQL)",
        "",
        f"Leads per second through the generic signed webhook `{studio.path}` of the production server: "
        "each request a new lead (its own external id, name, e-mail, Dutch mobile number, source website, "
        "UTM tags, two consents and four answers) signed with `sign_generic`, checked, parsed, stored as an "
        "inbound event (the row is its place in the workers' queue), answered 202. No worker runs "
        "meanwhile: this is the ingest path alone. The ceiling is raw psycopg writing the same row (the "
        "event with the same payload, one INSERT per lead in autocommit) from as many connections, "
        f"alternating with the webhook in the same run. Goal: at least {INGEST_GOAL:.0f} leads/s.",
        "",
        "| Path | leads/s | p50 ms | p99 ms | accepted | errors | CPU ms/lead server | CPU ms/lead PostgreSQL "
        "| CPU ms/lead clients |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        webhook.row(),
        raw.row(),
        "",
        f"- **Throughput**: **{rate:,.0f} leads/s**, {verdict(rate >= INGEST_GOAL, f'≥ {INGEST_GOAL:.0f}')}"
        f" ({rate / INGEST_GOAL:.2f} × the goal).",
        f"- **Ratio to the ceiling** (leads/s, webhook ÷ raw psycopg): **{ratio:.2f}** (median of the rounds).",
        f"- Rounds, leads/s webhook / raw: {rounds}.",
        f"- **CPU per lead**: server {server_ms:.2f} + PostgreSQL {pg_ms:.2f} + clients {client_ms:.2f} = "
        f"**{total_ms:.2f} ms**, so the {cores} cores take at most {cores * 1000 / total_ms:,.0f} leads/s even with "
        f"nothing else running ({cores * 1000 / (server_ms + pg_ms):,.0f} with the clients on another machine); "
        f"the goal needs at most {budget_ms:.1f} ms per lead in all.",
        f"- Errors: {webhook.errors} on the webhook, {raw.errors} on the ceiling"
        + (f" (e.g. `{failures[0][:200]}`)." if failures else "."),
        "",
        "Processing afterwards: running workers (`vollegym worker`, default interval) turn the stored events "
        "into leads; the events are split in equal shares, held back, and released one share per run: first "
        "one worker process, then a fresh set of two on the next share:",
        "",
        "| Worker processes | events/s | events processed | failed | seconds | CPU ms/event workers "
        "| CPU ms/event PostgreSQL |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(d.row() for d in drains),
        "",
        f"- **One worker processes {first.rate:,.1f} events/s**, {verdict(first.rate >= DRAIN_GOAL, f'≥ {DRAIN_GOAL:.0f}')}: the {webhook.ok:,} leads the webhook took in "
        f"{ingest_seconds:,.0f} s keep it busy for {webhook.ok / first.rate if first.rate else float('nan'):,.0f} s; "
        f"{first.left:,} of the {first.pending:,} stored events were still waiting when it was stopped after "
        f"{o.drain_seconds:g} s.",
        f"- **SQL statements per processed event**: **{statements.single}** for one delivery alone, "
        f"{verdict(statements.single <= STATEMENT_BUDGET, f'≤ {STATEMENT_BUDGET}')} (its processing into a new "
        "lead with its person, consents, events and messages; the queue's own claim not counted, nor the "
        "transaction's BEGIN and COMMIT; also checked by `leads/tests/test_capture_statements.py`). "
        f"A worker takes up to 50 due deliveries at once: {statements.batch} statements for a batch of "
        f"{statements.batch_events}, claim included, so **{statements.per_event_in_batch:.2f} per event** "
        "(`leads/tests/test_capture_batch.py`).",
        f"- Rows per processed event: {rows} (the person and the lead, its activity and consents, the "
        "domain events, the coach's in-app message and e-mail and the lead's acknowledgement, and the task "
        "that watches the deadline; the outbox is a queue of its own, so no task per message). The e-mails "
        "are sent by the same workers, from the outbox's own thread; speed-to-lead below measures them.",
        "",
        "Setup:",
        "",
        run_line(),
        machine_line(others),
        software_line(o.pg_url),
        f"- Server: `vollegym serve --workers {o.workers} --threads {o.threads}` (gunicorn gthread), DEBUG off, "
        f"access log on, `DATABASE_URL` on the fresh database `{db_name(o.pg_url)}`, persistent connections "
        "(`CONN_MAX_AGE` 60 s). One studio with an owner and two coaches.",
        f"- Load: {o.clients} client processes with {o.connections} keep-alive connections in total "
        f"(`http.client`, a thread per connection) over {HOST}; {o.warmup:g} s warm-up per path, then "
        f"{o.rounds} rounds of {o.seconds:g} s per path, the order swapping each round. leads/s counts 2xx "
        "answers (committed transactions for the ceiling) over the round; the table shows medians of the "
        "rounds and latencies of all requests of the rounds.",
        f"- Workers: started after the rounds, on what the webhook stored (the ceiling's rows are deleted "
        "first, then the two tables vacuumed); measured from the first event they process for up to "
        f"{o.drain_seconds:g} s; e-mail goes to Django's in-memory backend (the e-mails are not sent within "
        "the window anyway). All leads are of one studio, so captures take turns on its lead settings row "
        "(`select_for_update`), which limits what a second worker adds.",
        "- CPU per lead from /proc: server is gunicorn's process group (the workers' for the workers), "
        "PostgreSQL its backends on this database plus its writer processes, clients the client processes.",
        f"- Caveats: clients, server and PostgreSQL share the {os.cpu_count()} cores (the clients used "
        f"{client_share:.0%} of one core), so leads/s is below what the server alone could take and varies "
        "with other load; the ratio, measured in one run on one server, and the CPU per lead are the "
        "steadier numbers. Synchronous commit is on, so every lead waits for a WAL flush (as it should: a "
        "2xx promises the delivery is stored).",
        "",
        "Reproduce: `.venv/bin/python bench/run.py --only ingest` (needs PostgreSQL; `--pg-url`, "
        "`--ingest-connections`, `--ingest-clients`, `--ingest-rounds`, `--ingest-seconds`, `--drain-seconds`, "
        "`--drain-workers`; `--help`). Where a lead's CPU goes (statements, parts, profiles): "
        "`.venv/bin/python bench/profile_leads.py`.",
    ]
    warnings = []
    if rate < INGEST_GOAL:
        warnings.append(f"ingest: {rate:,.0f} leads/s is below the goal of {INGEST_GOAL:.0f}")
    if drains and drains[0].rate < DRAIN_GOAL:
        warnings.append(
            f"ingest: one worker processes {drains[0].rate:,.1f} events/s, below {DRAIN_GOAL:.0f}"
        )
    if webhook.errors:
        warnings.append(f"ingest: {webhook.errors} webhook requests failed: {failures[:2]}")
    if left:
        warnings.append(f"ingest: {left} connections to {db_name(o.pg_url)} were still open and were ended")
    if others is not None and others > BUSY:
        warnings.append(
            f"ingest: other processes used {others:.0%} of the machine's CPU during the rounds; noisy numbers"
        )
    return Section("\n".join(lines), warnings)


# --- speed-to-lead -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    at: float  # time.monotonic() when the SMTP server accepted it
    to: tuple[str, ...]
    subject: str
    message_id: str  # X-Vollegym-Message


class Inbox:
    """An aiosmtpd handler that keeps when each mail was accepted."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        mail = Mail(
            time.monotonic(),
            tuple(envelope.rcpt_tos),
            " ".join(str(parsed.get("Subject", "")).split()),
            str(parsed.get("X-Vollegym-Message", "")),
        )
        with self.lock:
            self.mails.append(mail)
        return "250 OK"

    def coach_mails(self) -> dict[str, Mail]:
        """The first "Nieuwe lead: <name> — reageer voor …" mail per lead name."""
        found: dict[str, Mail] = {}
        with self.lock:
            mails = list(self.mails)
        for mail in mails:
            match = _COACH_SUBJECT.match(mail.subject)
            if match and match["name"] not in found:
                found[match["name"]] = mail
        return found


_COACH_SUBJECT = re.compile(r"^Nieuwe lead: (?P<name>.+) — reageer voor ")


@contextlib.contextmanager
def smtp_server(inbox: Inbox) -> Iterator[int]:
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(inbox, hostname=HOST, port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@dataclass(frozen=True)
class Speed:
    interval: float
    sent: int
    errors: int
    latencies: list[float]  # seconds, webhook 2xx to the coach's mail accepted
    missing: int
    without_header: int
    pickup: list[float]  # seconds, event stored to lead created (the worker picks the event up)
    delivery: list[float]  # seconds, lead created to the coach's e-mail sent
    idle_cpu: float  # share of one core the idle worker and its polling queries use

    def row(self) -> str:
        label = f"{self.interval:g} s" + (" (default)" if self.interval == 1.0 else "")
        lat = self.latencies
        return (
            f"| {label} | {self.sent} | {percentile(lat, 0.5):.2f} | {percentile(lat, 0.95):.2f} "
            f"| {max(lat, default=float('nan')):.2f} | {sum(v < SPEED_GOAL for v in lat)} | {self.missing} "
            f"| {percentile(self.pickup, 0.5):.2f} / {percentile(self.pickup, 0.95):.2f} "
            f"| {percentile(self.delivery, 0.5):.2f} / {percentile(self.delivery, 0.95):.2f} "
            f"| {self.idle_cpu:.1%} |"
        )


def wait_for(condition: Callable[[], bool], timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def queue_empty(db: Monitor) -> bool:
    ready = db.scalar(
        f"SELECT count(*) FROM {TASKS_TABLE} WHERE status IN ('READY', 'RUNNING') "  # noqa: S608
        "AND (run_after = %s OR run_after <= now())",
        (DATE_MAX,),
    )
    return int(ready) == 0


def stage_times(pg_url: str, names: list[str]) -> tuple[list[float], list[float]]:
    """From the app's own timestamps: event stored → lead created → coach's e-mail sent, in seconds."""
    rows = query(
        pg_url,
        "SELECT extract(epoch FROM l.created_at - e.received_at), extract(epoch FROM m.sent_at - l.created_at) "
        "FROM leads_inboundevent e JOIN leads_lead l ON l.id = e.lead_id JOIN people_person p ON p.id = l.person_id "
        "JOIN messaging_message m ON m.ref = 'lead:' || l.id AND m.purpose = 'lead_new' AND m.channel = 'email' "
        "WHERE p.name = ANY(%s) AND m.sent_at IS NOT NULL",
        (names,),
    )
    return [float(r[0]) for r in rows], [float(r[1]) for r in rows]


def speed_plan(o: LeadOptions) -> list[tuple[float, Step, Step]]:
    warmup = 5
    per_interval = warmup + o.leads
    if per_interval * len(o.intervals) > UNIQUE_NAMES:
        raise BenchError(f"at most {UNIQUE_NAMES} leads in all (names must be unique to match the mails)")
    plan = []
    for i, interval in enumerate(o.intervals):
        offset = i * per_interval
        warm = Step("paced", 2 * i, count=warmup, pace=o.pace, offset=offset)
        measured = Step("paced", 2 * i + 1, count=o.leads, pace=o.pace, offset=offset + warmup)
        plan.append((interval, warm, measured))
    return plan


def bench_speed_to_lead(workdir: Path, o: LeadOptions) -> Section:
    var_dir = workdir / "speed-to-lead"
    var_dir.mkdir()
    database = db_name(o.pg_url)
    inbox = Inbox()
    plan = speed_plan(o)
    results: list[Speed] = []
    uses: list[CpuUse] = []
    print(f"preparing: database {database} (dropped and created), migrate, a studio with staff", flush=True)
    recreate_database(o.pg_url)
    try:
        with smtp_server(inbox) as smtp_port:
            env = lead_env(var_dir, o.pg_url, smtp_port)
            studio = prepare(env)
            port = free_port()
            steps = tuple(step for _i, warm, measured in plan for step in (warm, measured))
            spec = ClientSpec(
                {**env, "LOG_LEVEL": "WARNING"}, port, studio, o.pg_url, 0, 1, 0, steps, uuid.uuid4().hex[:8]
            )
            print(f"SMTP server on {HOST}:{smtp_port}; starting gunicorn on {HOST}:{port}", flush=True)
            with (
                serve(env, port, o.workers, o.threads, var_dir / "server.log") as server,
                ClientPool([spec]) as pool,
            ):
                for interval, warm, measured in plan:
                    result, use, idle = speed_round(
                        env, var_dir, o, interval, warm, measured, inbox, server, pool
                    )
                    uses.append(use)
                    results.append(speed_result(o.pg_url, interval, result, inbox, idle))
                    r = results[-1]
                    print(
                        f"  interval {interval:g} s: p50 {percentile(r.latencies, 0.5):.2f} s, "
                        f"p95 {percentile(r.latencies, 0.95):.2f} s, max {max(r.latencies, default=0):.2f} s, "
                        f"{r.missing} missing, {r.errors} errors",
                        flush=True,
                    )
    finally:
        left = close_leftover_connections(o.pg_url)
    return speed_section(o, studio, results, uses, left)


def mails_arrived(inbox: Inbox, sent: list[tuple[str, int, float]]) -> Callable[[], bool]:
    names = {name for name, _status, _answered in sent}
    return lambda: names <= inbox.coach_mails().keys()


def speed_round(
    env: dict[str, str],
    var_dir: Path,
    o: LeadOptions,
    interval: float,
    warm: Step,
    measured: Step,
    inbox: Inbox,
    server: Server,
    pool: ClientPool,
) -> tuple[StepResult, CpuUse, float]:
    """A fresh worker with this interval: warm-up leads (waited for), then the measured ones."""
    database = db_name(o.pg_url)
    log = var_dir / f"worker-{interval:g}.log"
    print(f"worker --interval {interval:g}: {warm.count} warm-up leads", flush=True)
    with running_worker(env, log, interval) as worker:
        sent = pool.run(warm)[0].sent
        pool.finish()
        if not wait_for(mails_arrived(inbox, sent), 60):
            check_alive(worker, "the worker", log)
            got = [m.subject for m in inbox.mails[:5]]
            raise BenchError(
                f"no coach e-mails for the warm-up leads {[n for n, _s, _t in sent]} within 60 s; the SMTP server "
                f"got {len(inbox.mails)} mails {got}; the worker's log ends:\n{log.read_text()[-2000:]}"
            )
        print(f"  measuring: {measured.count} leads at {measured.pace:g}/s", flush=True)
        samples: list[CpuSample] = []

        def sample() -> None:
            samples.append(CpuSample.take(database, [server.process.pid], pool.pids))

        result = pool.run(measured, sample)[0]
        pool.finish()
        wait_for(mails_arrived(inbox, result.sent), 30)
        sample()
        db = Monitor(o.pg_url)
        try:
            if not wait_for(lambda: queue_empty(db), 60):
                print("  the queue did not empty within 60 s", flush=True)
            # What polling costs while nothing comes in: the worker's CPU and its queries' in PostgreSQL.
            time.sleep(1.0)
            idle_before = CpuSample.take(database, [worker.pid], [], {db.pid})
            time.sleep(IDLE_SECONDS)
            idle = CpuUse.between(idle_before, CpuSample.take(database, [worker.pid], [], {db.pid}))
        finally:
            db.close()
        check_alive(worker, "the worker", log)
    return result, CpuUse.between(*samples), (idle.server + idle.postgres) / idle.seconds


def speed_result(pg_url: str, interval: float, result: StepResult, inbox: Inbox, idle: float) -> Speed:
    mails = inbox.coach_mails()
    latencies, missing, without_header = [], 0, 0
    for name, status, answered in result.sent:
        if not 200 <= status < 300:
            continue
        mail = mails.get(name)
        if mail is None:
            missing += 1
            continue
        latencies.append(mail.at - answered)
        without_header += not mail.message_id
    pickup, delivery = stage_times(pg_url, [name for name, _s, _t in result.sent])
    errors = sum(1 for _n, status, _t in result.sent if not 200 <= status < 300)
    return Speed(
        interval, len(result.sent), errors, latencies, missing, without_header, pickup, delivery, idle
    )


def speed_section(
    o: LeadOptions, studio: Studio, results: list[Speed], uses: list[CpuUse], left: int
) -> Section:
    default = next((r for r in results if r.interval == 1.0), results[0])
    p95 = percentile(default.latencies, 0.95)
    best = min(results, key=lambda r: percentile(r.latencies, 0.95))
    others = others_share(uses)
    lines = [
        "## Speed-to-lead: webhook to the coach's e-mail (PostgreSQL)",
        "",
        "The time from the webhook's 2xx answer to the moment an SMTP server accepts the coach's "
        '"Nieuwe lead: <name> — reageer voor …" e-mail, with the production server and one worker '
        f"(`vollegym worker`) running: {o.leads} leads at {o.pace:g} per second, one at a time on a "
        "keep-alive connection, per poll interval of the worker. The worker turns the stored event into "
        "the lead and puts the e-mails in the outbox, then delivers them over SMTP (a new connection per e-mail) to an "
        "aiosmtpd server in the bench process; each mail is matched to its lead by the name in its subject. "
        "The coach's e-mail goes out at once whatever the studio's opening hours (they only move the "
        f"deadline in the mail). Goal: p95 under {SPEED_GOAL:g} s.",
        "",
        "| Worker `--interval` | leads | p50 s | p95 s | max s | under 2 s | no mail | event → lead s (p50 / p95) "
        "| lead → e-mail sent s (p50 / p95) | idle CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(r.row() for r in results),
        "",
        f"- **p95 with the default interval** ({default.interval:g} s): **{p95:.2f} s**, "
        f"{verdict(p95 < SPEED_GOAL, f'< {SPEED_GOAL:g} s')}; ratio goal ÷ p95: {SPEED_GOAL / p95:.2f}.",
        f"- Best: `--interval {best.interval:g}`, p95 {percentile(best.latencies, 0.95):.2f} s.",
        "- The last two columns come from the app's own timestamps (event `received_at`, lead `created_at`, "
        "message `sent_at`): the wait for the worker to pick the event up, then the rest of the processing, "
        "the e-mail's wait in the outbox and the SMTP conversation. Both waits end at once on PostgreSQL: the "
        "insert of the delivery and of the message NOTIFY the channel every worker LISTENs on, so "
        "`--interval` (the Tasks queue's poll, which the e-mails no longer pass through) hardly matters; "
        "the idle CPU is what polling still costs.",
        f"- Errors: {sum(r.errors for r in results)} webhook requests outside 2xx; "
        f"{sum(r.without_header for r in results)} coach e-mails without `X-Vollegym-Message`.",
        "",
        "Setup:",
        "",
        run_line(),
        machine_line(others),
        software_line(o.pg_url),
        f"- Server: `vollegym serve --workers {o.workers} --threads {o.threads}`, DEBUG off; worker: one "
        "`vollegym worker --interval <s>` process, started fresh per interval; both with "
        "`EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend` to the local SMTP server. One studio "
        "with an owner and two coaches (round robin), default opening hours and 60-minute reaction time.",
        f"- Per interval: 5 warm-up leads (waited for), then {o.leads} measured; times are "
        "`time.monotonic()` of the client process (after reading the 2xx) and of the SMTP server's thread "
        "(after accepting the mail), one clock on Linux.",
        f"- Idle CPU: the share of one core the worker and PostgreSQL (its backends on this database and "
        f"its writers) used over {IDLE_SECONDS:g} s with an empty queue after the measurement: the price of "
        "polling more often.",
        "- Caveats: without PostgreSQL's NOTIFY (SQLite) a worker finds new work at its next poll of the "
        "inbound and outbox queues (every 0.25 s), and the first lead of a burst waits for the others' "
        "processing too (the queues are first in, first out).",
        "",
        "Reproduce: `.venv/bin/python bench/run.py --only speed-to-lead` (needs PostgreSQL; `--pg-url`, "
        "`--leads`, `--pace`, `--intervals`; `--help`).",
    ]
    warnings = []
    if not p95 < SPEED_GOAL:
        warnings.append(
            f"speed-to-lead: p95 {p95:.2f} s with the default interval is not under {SPEED_GOAL:g} s"
        )
    missing = sum(r.missing for r in results)
    if missing:
        warnings.append(f"speed-to-lead: {missing} leads got no coach e-mail within 30 s")
    if left:
        warnings.append(
            f"speed-to-lead: {left} connections to {db_name(o.pg_url)} were still open and were ended"
        )
    return Section("\n".join(lines), warnings)
