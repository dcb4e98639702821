"""The numbers benchmark of `make bench`: the owner's and the agency's pages over 50 studios with 3 years of history.

`vollegym generate` fills a database of its own (PostgreSQL, dropped and recreated) with studios, then the
production server (gunicorn through `vollegym serve`) answers the pages a signed-in owner (and the agency) reads:
the overview, the funnel (its default twelve months and three years), members and money (cohorts), ad spend, the
growth simulator, Today, the speed-to-lead report and the portfolio. One client asks them one after another on a keep-alive connection, in a shuffled order per round, for
a sample of studios, so each latency is one page's own time (no queueing behind other requests). The SQL
statements each page runs are counted separately, in a process with Django's test client.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import leadbench
import psycopg
from benchkit import (
    HOST,
    PROJECT_DIR,
    BenchError,
    Section,
    Server,
    free_port,
    group_cpu_seconds,
    machine_busy_seconds,
    production_env,
    run_python,
    serve,
)

GOAL_MS = 200.0  # p95 of every page at 50 studios x 3 years, on a 2-core machine: what issue 12 asks
PG_URL = "postgres://postgres@127.0.0.1:5432/vollegym_bench_numbers"
PREFIX = "gen"
GENERATE_TIMEOUT = 3 * 3600


@dataclass(frozen=True)
class NumbersOptions:
    pg_url: str
    studios: int
    years: int
    seed: int
    sample: int  # studios whose pages are asked
    rounds: int
    workers: int
    threads: int
    reuse: bool  # measure the database as it is (after migrate), without generating it again


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    path: str  # {slug}, {van}, {tot}
    agency: bool = False


PAGES = [
    Page("overview", "Overview `/app/<studio>/`", "/app/{slug}/"),
    Page(
        "funnel", "Funnel, default (12 months) `/app/<studio>/cijfers/funnel/`", "/app/{slug}/cijfers/funnel/"
    ),
    Page(
        "funnel-3y",
        "Funnel, 3 years `…/cijfers/funnel/?van=…&tot=…`",
        "/app/{slug}/cijfers/funnel/?van={van}&tot={tot}",
    ),
    Page("members", "Members and money (cohorts) `…/cijfers/leden/`", "/app/{slug}/cijfers/leden/"),
    Page("adspend", "Ad spend `…/cijfers/advertenties/`", "/app/{slug}/cijfers/advertenties/"),
    Page("growth", "Growth simulator `…/cijfers/groei/`", "/app/{slug}/cijfers/groei/"),
    Page("today", "Today `/app/<studio>/vandaag/`", "/app/{slug}/vandaag/"),
    Page("speed", "Speed-to-lead `/app/<studio>/cijfers/snelheid/`", "/app/{slug}/cijfers/snelheid/"),
    Page("portfolio", "Agency portfolio `/app/bureau/`", "/app/bureau/", agency=True),
]


# --- the data ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    seconds: float
    rows: int
    lines: list[str]


def generate(env: dict[str, str], o: NumbersOptions, password: str, log: Path) -> Generated:
    """`vollegym generate` into the fresh database, its lines shown as they come."""
    argv = [
        sys.executable,
        "-m",
        "vollegym",
        "generate",
        "--studios",
        str(o.studios),
        "--years",
        str(o.years),
    ]
    argv += ["--seed", str(o.seed), "--prefix", PREFIX, "--password", password, "--agency"]
    started, lines = time.monotonic(), []
    with (
        log.open("w") as out,
        subprocess.Popen(
            argv,
            env={**env, "PYTHONUNBUFFERED": "1"},
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as process,
    ):
        assert process.stdout is not None
        for line in process.stdout:
            out.write(line)
            lines.append(line.rstrip())
            print(f"  {line.rstrip()}", flush=True)
            if time.monotonic() - started > GENERATE_TIMEOUT:
                process.kill()
                raise BenchError(f"vollegym generate took over {GENERATE_TIMEOUT} s")
        process.wait()
    if process.returncode != 0:
        raise BenchError("vollegym generate failed:\n" + "\n".join(lines[-30:]))
    made = next((ln for ln in lines if ln.startswith("Made ")), "")
    match = re.search(r"([\d,]+) rows", made)
    return Generated(time.monotonic() - started, int(match.group(1).replace(",", "")) if match else 0, lines)


def set_password(env: dict[str, str], password: str) -> None:
    """Reusing a database: the generated logins get this run's password (one hash for all, as generate does)."""
    code = (
        "import sys, django\ndjango.setup()\nfrom django.contrib.auth.hashers import make_password\n"
        "from vollegym.studios.models import User\n"
        f"User.objects.filter(email__endswith='.example.nl', email__contains='@{PREFIX}').update("
        "password=make_password(sys.argv[1]))\n"
    )
    run_python(env, "-c", code, password, what="setting the logins' password")


def table_rows(pg_url: str) -> dict[str, int]:
    tables = {
        "people": "people_person", "leads": "leads_lead", "intakes": "intake_intakeresponse",
        "conversations": "intake_booking", "members": "programs_member", "enrolments": "programs_enrolment",
        "class sessions": "schedule_classsession", "mats": "schedule_sessionbooking",
        "domain events": "people_domainevent", "lead activities": "leads_activity",
    }  # fmt: skip
    count = "SELECT count(*) FROM {}"  # our own table names, not input
    return {name: int(leadbench.scalar(pg_url, count.format(table))) for name, table in tables.items()}


def sample_studios(pg_url: str, count: int) -> list[str]:
    """Evenly spread over the generated studios, and the one with the most leads."""
    slugs = [
        row[0]
        for row in leadbench.query(
            pg_url, "SELECT slug FROM studios_studio WHERE slug LIKE %s ORDER BY slug", (f"{PREFIX}-%",)
        )
    ]
    if not slugs:
        raise BenchError("no generated studios in the database")
    picked = {slugs[round(i * (len(slugs) - 1) / max(count - 1, 1))] for i in range(min(count, len(slugs)))}
    biggest = leadbench.scalar(
        pg_url,
        "SELECT s.slug FROM studios_studio s JOIN leads_lead l ON l.studio_id = s.id WHERE s.slug LIKE %s "
        "GROUP BY s.slug ORDER BY count(*) DESC LIMIT 1",
        (f"{PREFIX}-%",),
    )
    picked.add(biggest)
    return sorted(picked)


# --- signing in and asking ---------------------------------------------------------------------------------------------


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


class Browser:
    """One signed-in user on a keep-alive connection, signed in through the login form as a person would."""

    def __init__(self, port: int, email: str, password: str) -> None:
        self.port, self.email = port, email
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)
        self.cookies: dict[str, str] = {}
        form = self.get("/app/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        if token is None:
            raise BenchError("the login page has no CSRF token")
        body = urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "username": email, "password": password}
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": self._cookie_header(),
            "Referer": f"http://{HOST}:{port}/app/login/",
        }  # fmt: skip
        self.conn.request("POST", "/app/login/", body, headers)
        response = self.conn.getresponse()
        response.read()
        self.cookies.update(_cookies(response))
        if response.status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"signing in as {email} answered {response.status}")

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def get(self, path: str) -> bytes:
        try:
            self.conn.request("GET", path, headers={"Cookie": self._cookie_header()})
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # gunicorn closed the idle keep-alive connection (after 2 s): a new one, as a browser opens one.
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
            self.conn.request("GET", path, headers={"Cookie": self._cookie_header()})
            response = self.conn.getresponse()
        body = response.read()
        self.cookies.update(_cookies(response))
        if response.status != 200:
            raise BenchError(f"GET {path} as {self.email} answered {response.status}")
        return body

    def close(self) -> None:
        self.conn.close()


@dataclass
class Timing:
    page: Page
    ms: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    server_cpu: float = 0.0  # seconds, over all its requests (gunicorn's processes)
    postgres_cpu: float = 0.0  # seconds (PostgreSQL's processes for the database)

    def per_request(self, seconds: float) -> float:
        """Milliseconds of CPU per request: steadier than latency on a machine others use too."""
        return seconds / len(self.ms) * 1000 if self.ms else float("nan")

    def percentile(self, share: float) -> float:
        return leadbench.percentile(self.ms, share)


def paths(slug: str, today: datetime.date) -> dict[str, str]:
    van = today - datetime.timedelta(days=3 * 365)
    values = {"slug": slug, "van": f"{van:%d-%m-%Y}", "tot": f"{today:%d-%m-%Y}"}
    return {page.key: page.path.format(**values) for page in PAGES}


def _postgres_seconds(database: str) -> dict[int, int]:
    return leadbench.postgres_ticks(database)


def _ticks_spent(before: dict[int, int], after: dict[int, int]) -> float:
    return sum(t - before.get(pid, 0) for pid, t in after.items()) / leadbench.CLOCK_TICKS


def measure(
    server: Server, database: str, slugs: list[str], password: str, rounds: int
) -> tuple[dict[str, Timing], float | None]:
    """A warm-up request on every page, then rounds over every page of every sampled studio in a shuffled order.

    Each request's CPU (the server's processes, PostgreSQL's) is read from /proc around it, outside its time.
    Returns the timings and the share of the machine's CPU used by other processes meanwhile."""
    port = server.port
    today = datetime.date.today()
    owners = {slug: Browser(port, f"eigenaar@{slug}.example.nl", password) for slug in slugs}
    agency = Browser(port, f"bureau@{PREFIX}.example.nl", password)
    timings = {page.key: Timing(page) for page in PAGES}
    asks = [(page, slug) for slug in slugs for page in PAGES]
    try:
        for page, slug in asks:  # warm: every worker process's first request, caches, PostgreSQL's buffers
            (agency if page.agency else owners[slug]).get(paths(slug, today)[page.key])
        rng = random.Random(7)
        busy_before, started, own = machine_busy_seconds(), time.monotonic(), time.process_time()
        for number in range(1, rounds + 1):
            rng.shuffle(asks)
            for page, slug in asks:
                browser = agency if page.agency else owners[slug]
                timing = timings[page.key]
                cpu, pg = group_cpu_seconds(server.process.pid), _postgres_seconds(database)
                begun = time.perf_counter()
                body = browser.get(paths(slug, today)[page.key])
                timing.ms.append((time.perf_counter() - begun) * 1000)
                cpu_after, pg_after = group_cpu_seconds(server.process.pid), _postgres_seconds(database)
                timing.sizes.append(len(body))
                if cpu is not None and cpu_after is not None:
                    timing.server_cpu += cpu_after - cpu
                timing.postgres_cpu += _ticks_spent(pg, pg_after)
            line = "  ".join(f"{k} {t.percentile(0.95):.0f}" for k, t in timings.items())
            print(f"  round {number}/{rounds}: p95 so far (ms): {line}", flush=True)
        busy_after, elapsed, own = (
            machine_busy_seconds(),
            time.monotonic() - started,
            time.process_time() - own,
        )
    finally:
        for browser in [*owners.values(), agency]:
            browser.close()
    others = None
    if busy_before is not None and busy_after is not None:
        ours = own + sum(t.server_cpu + t.postgres_cpu for t in timings.values())
        others = max(0.0, (busy_after - busy_before - ours) / (elapsed * (os.cpu_count() or 1)))
    return timings, others


_STATEMENTS = """
import json, sys, datetime
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from vollegym.studios.models import User
asks = json.loads(sys.argv[1])
found = {}
clients = {}
for key, email, path in asks:
    if email not in clients:
        clients[email] = Client()
        clients[email].force_login(User.objects.get(email=email))
    client = clients[email]
    client.get(path, HTTP_HOST="127.0.0.1")  # the session and the caches, as in the measurement
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST="127.0.0.1")
    if response.status_code != 200:
        sys.exit(f"GET {path} answered {response.status_code}")
    found.setdefault(key, []).append(len(queries))
print(json.dumps(found))
"""


def count_statements(env: dict[str, str], slugs: list[str]) -> dict[str, list[int]]:
    """SQL statements per page and studio, with Django's test client (the session's own reads included)."""
    today = datetime.date.today()
    asks = [
        (page.key, f"bureau@{PREFIX}.example.nl" if page.agency else f"eigenaar@{slug}.example.nl",
         paths(slug, today)[page.key])
        for slug in slugs
        for page in PAGES
        if not page.agency or slug == slugs[0]
    ]  # fmt: skip
    out = run_python(env, "-c", _STATEMENTS, json.dumps(asks), what="counting SQL statements")
    found: dict[str, list[int]] = json.loads(out.decode().strip().splitlines()[-1])
    return found


@contextlib.contextmanager
def timed(what: str) -> Iterator[None]:
    started = time.monotonic()
    print(f"{what} …", flush=True)
    yield
    print(f"{what}: {time.monotonic() - started:.1f} s", flush=True)


# --- the benchmark ----------------------------------------------------------------------------------------------------


def bench_numbers(workdir: Path, o: NumbersOptions) -> Section:
    var_dir = workdir / "numbers"
    var_dir.mkdir()
    env = production_env(var_dir, DATABASE_URL=o.pg_url)
    password = secrets.token_urlsafe(16)
    generated: Generated | None = None
    if not o.reuse:
        leadbench.recreate_database(o.pg_url)
    with timed("migrate"):
        run_python(env, "-m", "vollegym", "migrate", "--no-input", "-v0", what="migrate")
        run_python(env, "-m", "vollegym", "createcachetable", what="createcachetable")
    if o.reuse:
        set_password(env, password)
    else:
        with timed(f"vollegym generate --studios {o.studios} --years {o.years}"):
            generated = generate(env, o, password, var_dir / "generate.log")
    # The planner's statistics, as autovacuum would gather them after a load.
    with timed("ANALYZE"), psycopg.connect(o.pg_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("ANALYZE")
    rows = table_rows(o.pg_url)
    size = leadbench.scalar(o.pg_url, "SELECT pg_size_pretty(pg_database_size(current_database()))")
    slugs = sample_studios(o.pg_url, o.sample)
    print(f"measuring {len(PAGES)} pages of {len(slugs)} studios: {', '.join(slugs)}", flush=True)
    port = free_port()
    with serve(env, port, o.workers, o.threads, var_dir / "server.log") as server:
        timings, others = measure(server, leadbench.db_name(o.pg_url), slugs, password, o.rounds)
    with timed("counting SQL statements"):
        for key, counts in count_statements(env, slugs).items():
            timings[key].statements = counts
    left = leadbench.close_leftover_connections(o.pg_url)
    found = section(o, timings, others, generated, rows, size, slugs, left)
    print("\n".join(line for line in found.markdown.splitlines() if line.startswith("|")), flush=True)
    return found


def _span(values: list[int]) -> str:
    if not values:
        return "—"
    low, high = min(values), max(values)
    return f"{low}" if low == high else f"{low}–{high}"


def section(
    o: NumbersOptions, timings: dict[str, Timing], others: float | None, generated: Generated | None,
    rows: dict[str, int], size: str, slugs: list[str], left: int,
) -> Section:  # fmt: skip
    table = [
        "| Page | requests | p50 ms | p95 ms | max ms | CPU ms/request server + PostgreSQL | SQL statements "
        f"| KB | p95 < {GOAL_MS:.0f} ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    warnings = []
    for t in timings.values():
        p95 = t.percentile(0.95)
        ok = p95 < GOAL_MS
        table.append(
            f"| {t.page.title} | {len(t.ms)} | {t.percentile(0.5):.0f} | {p95:.0f} | {max(t.ms):.0f} "
            f"| {t.per_request(t.server_cpu):.0f} + {t.per_request(t.postgres_cpu):.0f} | {_span(t.statements)} "
            f"| {statistics.median(t.sizes) / 1024:.0f} | {'yes' if ok else '**no**'} |"
        )
        if not ok:
            warnings.append(
                f"numbers: {t.page.key} p95 {p95:.0f} ms is not under the goal of {GOAL_MS:.0f} ms"
            )
    worst = max(timings.values(), key=lambda t: t.percentile(0.95))
    made = (
        f"`vollegym generate --studios {o.studios} --years {o.years} --seed {o.seed}` made "
        f"{generated.rows:,} rows in {generated.seconds:.0f} s ({generated.rows / generated.seconds:,.0f} rows/s, "
        "bulk inserts in one transaction per studio; no message sent)."
        if generated is not None
        else "The database of an earlier run was measured again (`--numbers-reuse`): migrated, not generated."
    )
    counts = ", ".join(f"{n:,} {name}" for name, n in rows.items())
    lines = [
        f"## The numbers pages at {o.studios} studios × {o.years} years (PostgreSQL)",
        "",
        "Latency of the pages an owner and the agency read, on the production server with "
        f"{o.studios} generated studios of {o.years} years of history each: the overview, the funnel (its default "
        "twelve months, and three years), members and money (cohorts), ad spend, the growth simulator, Today, the "
        "speed-to-lead report and the agency's portfolio of all "
        f"studios. Signed in through the login form; one client asks every page of {len(slugs)} studios "
        f"({', '.join(slugs)}) one after another on a keep-alive connection, {o.rounds} rounds in a shuffled "
        "order after one warm-up request each, so each time is one page's own (no queueing). Goal: p95 under "
        f"{GOAL_MS:.0f} ms for every page on this 2-core machine (issue 12).",
        "",
        *table,
        "",
        f"- **Slowest p95**: {worst.page.title}, **{worst.percentile(0.95):.0f} ms**, "
        + leadbench.verdict(worst.percentile(0.95) < GOAL_MS, f"< {GOAL_MS:.0f} ms")
        + ".",
        "- CPU per request: the server's processes (gunicorn) and PostgreSQL's for this database, read from /proc "
        "before and after each request (10 ms ticks, averaged over the requests): what a page costs, hardly moved "
        "by other work on the machine, unlike the latencies.",
        "- SQL statements: per page and studio (lowest–highest over the sampled studios), counted with Django's "
        "test client in a process of its own, the session's and the user's own reads included.",
        f"- Data: {counts}; database {size}. {made}",
        "",
        "Setup:",
        "",
        leadbench.run_line(),
        leadbench.machine_line(others),
        leadbench.software_line(o.pg_url),
        f"- Server: `vollegym serve --workers {o.workers} --threads {o.threads}` (gunicorn gthread), DEBUG off, "
        "persistent database connections; after loading, `ANALYZE` (this PostgreSQL runs without autovacuum, "
        "which would gather the planner's statistics itself).",
        "- Caveats: the client, the server and PostgreSQL share the 2 cores; other engineers' work on the machine "
        "moves the numbers (see the share above). The dates of the history follow the day of the run.",
        "",
        "Reproduce: `.venv/bin/python bench/run.py --only numbers` (needs PostgreSQL; `--numbers-studios`, "
        "`--numbers-years`, `--numbers-sample`, `--numbers-rounds`, `--numbers-pg-url`, `--numbers-reuse` to "
        "measure the last database again; `--help`). The data alone: `vollegym generate --studios 50 --years 3`.",
    ]
    if others is not None and others > 0.1:
        warnings.append(
            f"numbers: other processes used {others:.0%} of the machine's CPU: latencies are noisy"
        )
    if left:
        warnings.append(f"numbers: {left} connections to {leadbench.db_name(o.pg_url)} were still open")
    return Section("\n".join(lines), warnings)
