"""`make bench`: Volle Gym's benchmarks, each written as a section of docs/benchmarks.md.

Every benchmark in BENCHMARKS gets a fresh production-like setup (DEBUG off, gunicorn through `vollegym serve`
on a free 127.0.0.1 port) and returns a Markdown section; the doc is rewritten with the new sections and keeps
the sections of benchmarks that did not run (`--only`).

kennisbank: SQLite in a temporary folder, load from wrk (https://github.com/wg/wrk), over loopback only:
`apt-get install wrk` or `brew install wrk`. ingest and speed-to-lead (bench/leadbench.py): PostgreSQL
(`--pg-url`, a database of their own that is dropped and recreated), load from Python client processes.
numbers (bench/numbersbench.py): `vollegym generate` into a PostgreSQL database of its own (`--numbers-pg-url`),
then the latency of the owner's and the agency's pages from one signed-in client.
Exits 1 when something fails; a missed goal is a warning, not a failure.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import leadbench
import numbersbench
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
    http_get,
    machine_busy_seconds,
    production_env,
    run_python,
    serve,
)

DOC = PROJECT_DIR / "docs" / "benchmarks.md"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
GOAL = 0.7
PG_URL = "postgres://postgres@127.0.0.1:5432/vollegym_bench"
BUSY = 0.1  # above this share of the machine's CPU used by other processes, a run is noisy

WRK_MISSING = """wrk, the load generator of `make bench`, is not installed.
Install it with one of:
    sudo apt-get install -y wrk      # Debian, Ubuntu
    brew install wrk                 # macOS
and run `make bench` again."""

DOC_HEADER = """# Benchmarks

Written by `make bench` (`bench/run.py`). Each section below is one benchmark's latest run; a run replaces
the sections of the benchmarks it ran and keeps the others, so edit `bench/run.py`, `bench/leadbench.py` or
`bench/numbersbench.py`, not the text between the markers. Numbers depend on the machine; compare ratios,
which are measured within one run.
"""


# --- options and context ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    only: list[str]
    workers: int
    threads: int
    connections: int
    wrk_threads: int
    warmup: int
    rounds: int
    seconds: int
    page: str
    write: bool
    leads: leadbench.LeadOptions
    numbers: numbersbench.NumbersOptions


@dataclass
class Context:
    options: Options
    wrk: str  # the wrk executable ("" when no selected benchmark needs it)
    workdir: Path  # removed at the end of the run


@dataclass(frozen=True)
class Benchmark:
    name: str  # the marker in docs/benchmarks.md and the value of --only
    title: str
    run: Callable[[Context], Section]


# --- the application under test ----------------------------------------------------------------------------


def prepare(env: dict[str, str]) -> None:
    """The database and the static files (the page's template needs the static manifest)."""
    run_python(env, "-m", "vollegym", "migrate", "--no-input", "-v0", what="migrate")
    run_python(env, "-m", "vollegym", "collectstatic", "--no-input", "-v0", what="collectstatic")


_CLIENT_GET = """
import sys
import django
django.setup()
from django.test import Client
response = Client().get(sys.argv[1], HTTP_HOST=sys.argv[2])
if response.status_code != 200:
    sys.exit(f"GET {sys.argv[1]} answered {response.status_code}")
sys.stdout.buffer.write(response.content)
"""


def page_bytes(env: dict[str, str], path: str, host: str) -> bytes:
    """The page's body as the application renders it for `host`, through Django's test Client."""
    return run_python(env, "-c", _CLIENT_GET, path, host, what=f"rendering {path}")


# --- load ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One wrk run against one URL."""

    requests: int
    seconds: float
    socket_errors: int
    status_errors: int  # responses outside 2xx/3xx
    p50_ms: float
    p90_ms: float
    p99_ms: float
    server_cpu: float | None  # CPU seconds of the server's processes during the run; None without /proc
    wrk_cpu: float  # CPU seconds of wrk

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us(self) -> float:
        """Server CPU per request: unlike req/s and latency, hardly moved by other load on the machine."""
        return math.nan if self.server_cpu is None else self.server_cpu / self.requests * 1e6


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def find_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError(WRK_MISSING)
    return wrk


def wrk_version(wrk: str) -> str:
    # `wrk --version` prints its banner and exits 1.
    result = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"^wrk (\S+)", result.stdout + result.stderr, re.MULTILINE)
    return match.group(1) if match else "unknown"


def load(ctx: Context, server: Server, path: str, seconds: int) -> Run:
    """wrk on one URL of the server for `seconds`."""
    o = ctx.options
    url = server.url(path)
    argv = [ctx.wrk, f"-t{o.wrk_threads}", f"-c{o.connections}", f"-d{seconds}s", "--timeout", "10s"]
    argv += ["-s", str(WRK_SCRIPT), url]
    server_before, wrk_before = group_cpu_seconds(server.process.pid), children_cpu_seconds()
    result = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=False)
    server_after, wrk_after = group_cpu_seconds(server.process.pid), children_cpu_seconds()
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors, latency = data["errors"], data["latency_us"]
    if data["requests"] == 0:
        raise BenchError(f"wrk made no requests to {url}:\n{result.stdout}\n{server.log_tail()}")
    return Run(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        socket_errors=errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        status_errors=errors["status"],
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        server_cpu=None if server_before is None or server_after is None else server_after - server_before,
        wrk_cpu=wrk_after - wrk_before,
    )


@dataclass
class Target:
    """A URL under load, with its measured rounds."""

    label: str
    path: str
    runs: list[Run] = field(default_factory=list)

    def median(self, metric: Callable[[Run], float]) -> float:
        return statistics.median(metric(run) for run in self.runs)

    @property
    def requests(self) -> int:
        return sum(run.requests for run in self.runs)

    @property
    def socket_errors(self) -> int:
        return sum(run.socket_errors for run in self.runs)

    @property
    def status_errors(self) -> int:
        return sum(run.status_errors for run in self.runs)


def alternate(ctx: Context, server: Server, a: Target, b: Target) -> float | None:
    """A warm-up on both, then rounds of A,B and B,A in turn, so drift (caches, other load) hits both alike.

    Returns the share of the machine's CPU that other processes used during the rounds, if known: when it
    is more than a few percent, req/s and latencies are noisy."""
    o = ctx.options
    for target in (a, b):
        load(ctx, server, target.path, o.warmup)
    busy_before, started = machine_busy_seconds(), time.monotonic()
    for number in range(1, o.rounds + 1):
        for target in (a, b) if number % 2 else (b, a):
            run = load(ctx, server, target.path, o.seconds)
            target.runs.append(run)
            print(
                f"  round {number}/{o.rounds} {target.label:>4}: {run.rps:7,.0f} req/s"
                f"  p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:6.2f} ms  server CPU {run.cpu_us:5.0f} µs/req",
                flush=True,
            )
    busy_after, elapsed = machine_busy_seconds(), time.monotonic() - started
    for target in (a, b):
        if target.status_errors:
            raise BenchError(
                f"{target.path} answered {target.status_errors} requests outside 2xx/3xx:\n{server.log_tail()}"
            )
    runs = a.runs + b.runs
    if busy_before is None or busy_after is None or any(r.server_cpu is None for r in runs):
        return None
    ours = sum((r.server_cpu or 0.0) + r.wrk_cpu for r in runs)
    return max(0.0, (busy_after - busy_before - ours) / (elapsed * (os.cpu_count() or 1)))


# --- reporting -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Target A (ours) against target B (the floor), as ratios where 1.0 is as good as the floor.

    Each ratio is the median of the per-round ratios: a round's A and B ran seconds apart, so pairing them
    cancels most of the drift of a busy machine."""

    a: Target
    b: Target

    def _paired(self, ratio: Callable[[Run, Run], float]) -> float:
        return statistics.median(ratio(a, b) for a, b in zip(self.a.runs, self.b.runs, strict=True))

    @property
    def throughput(self) -> float:
        return self._paired(lambda a, b: a.rps / b.rps)

    @property
    def p99(self) -> float:
        return self._paired(lambda a, b: b.p99_ms / a.p99_ms)

    @property
    def cpu(self) -> float:
        return self._paired(lambda a, b: b.cpu_us / a.cpu_us)

    def warnings(self) -> list[str]:
        return [
            f"{name} {value:.2f} is below the goal of {GOAL}"
            for name, value in (("throughput ratio", self.throughput), ("p99 ratio", self.p99))
            if value < GOAL
        ]

    def summary(self) -> str:
        return (
            f"throughput ratio {self.throughput:.2f}, p99 ratio {self.p99:.2f} (goal ≥ {GOAL}); "
            f"server CPU ratio {self.cpu:.2f}"
        )

    def markdown(self, a_label: str, b_label: str) -> list[str]:
        def row(label: str, t: Target) -> str:
            return (
                f"| {label} | {t.median(lambda r: r.rps):,.0f} | {t.median(lambda r: r.p50_ms):.2f} "
                f"| {t.median(lambda r: r.p90_ms):.2f} | {t.median(lambda r: r.p99_ms):.2f} "
                f"| {t.median(lambda r: r.cpu_us):,.0f} | {t.requests:,} | {t.socket_errors} |"
            )

        def verdict(value: float) -> str:
            return f"meets the goal (≥ {GOAL})" if value >= GOAL else f"**misses the goal** (≥ {GOAL})"

        rounds = "; ".join(
            f"{a.rps:,.0f} / {b.rps:,.0f}" for a, b in zip(self.a.runs, self.b.runs, strict=True)
        )
        return [
            "| Target | req/s | p50 ms | p90 ms | p99 ms | server CPU µs/req | requests | socket errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            row(a_label, self.a),
            row(b_label, self.b),
            "",
            f"- **Throughput ratio** (req/s, ours ÷ floor): **{self.throughput:.2f}**, {verdict(self.throughput)}.",
            f"- **p99 ratio** (p99 latency, floor ÷ ours): **{self.p99:.2f}**, {verdict(self.p99)}.",
            f"- Server CPU ratio (CPU per request, floor ÷ ours): {self.cpu:.2f}. Least disturbed by other "
            "load on the machine, so the one to look at when the two above jump between runs.",
            f"- Rounds, req/s ours / floor: {rounds}.",
        ]


def setup_lines(ctx: Context, others: float | None, targets: list[Target]) -> list[str]:
    """The facts a reader needs to judge or repeat a run, as Markdown list items."""
    o = ctx.options
    worker = "gthread, keep-alive" if o.threads > 1 else "sync, a connection per request"
    runs = [run for t in targets for run in t.runs]
    wrk_share = sum(r.wrk_cpu for r in runs) / sum(r.seconds for r in runs)
    return [
        f"- Run: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, commit {git_revision()}.",
        f"- Machine: {os.cpu_count()} cores ({cpu_model()}), {platform.system()} {platform.release()}"
        + ("." if others is None else f"; other processes used {others:.0%} of its CPU during the rounds."),
        f"- Software: Python {platform.python_version()}, Django {importlib.metadata.version('django')}, "
        f"gunicorn {importlib.metadata.version('gunicorn')}, wrk {wrk_version(ctx.wrk)}.",
        f"- Server: `vollegym serve --workers {o.workers} --threads {o.threads}` ({worker}), DEBUG off, "
        "access log on, SQLite.",
        f"- Load: wrk with {o.wrk_threads} thread(s) and {o.connections} connections over {HOST}; "
        f"{o.warmup} s warm-up per target, then {o.rounds} rounds of {o.seconds} s per target, the order "
        "of the targets swapping each round; the table shows the medians of the rounds, each ratio is the "
        "median of the rounds' ratios.",
        f"- Caveat: wrk runs on the same cores as the server (it used {wrk_share:.0%} of one core), so the "
        "absolute numbers are below the server's own capacity and differ per machine and per run; the "
        "ratios, measured on one server in one run, are the numbers to compare.",
    ]


# --- benchmarks ----------------------------------------------------------------------------------------------


def bench_kennisbank(ctx: Context) -> Section:
    o = ctx.options
    var_dir = ctx.workdir / "kennisbank"
    var_dir.mkdir()
    body_file = var_dir / "page.html"

    env = production_env(var_dir)
    print("preparing: migrate, collectstatic, rendering the page", flush=True)
    prepare(env)
    # The page's canonical links carry the host, so it is rendered for the server's address; a port that
    # another process takes meanwhile is caught by the byte-for-byte check below.
    port = free_port()
    host = f"{HOST}:{port}"
    body = page_bytes(env, o.page, host)
    body_file.write_bytes(body)  # read by the bare view when the server imports it

    env = production_env(var_dir, VOLLEGYM_BENCH="1", VOLLEGYM_BENCH_FILE=str(body_file))
    print(f"starting gunicorn on {host}: {o.workers} worker(s) x {o.threads} thread(s)", flush=True)
    page, bare = Target("page", o.page), Target("bare", "/__bench__/bare/")
    with serve(env, port, o.workers, o.threads, var_dir / "server.log") as server:
        checks = [
            (page, f"is another server on port {port}?"),
            (bare, "the bare view needs VOLLEGYM_BENCH=1 and VOLLEGYM_BENCH_FILE"),
        ]
        for target, hint in checks:
            response = http_get(port, target.path)
            if response.status != 200 or response.body != body:
                raise BenchError(
                    f"{target.path} answered {response.status} with {len(response.body)} bytes, not the "
                    f"{len(body)} bytes of the page as rendered; {hint}"
                )
        print(f"both answer the same {len(body):,} bytes; measuring", flush=True)
        others = alternate(ctx, server, page, bare)
    if others is not None:
        print(f"other processes used {others:.0%} of the machine's CPU during the rounds", flush=True)

    comparison = Comparison(page, bare)
    lines = [
        "## Kennisbank page vs bare Django view",
        "",
        "Requests per second and latency of a kennisbank page served through the full application (URL "
        "routing, middleware, the page view with its rendered-HTML cache, ETag, Last-Modified and "
        f"Cache-Control), against a bare Django view that returns the same {len(body):,} bytes behind the same "
        "middleware, on the same server in the same run. The bare view is the framework's own floor; the "
        f"goal is that our stack costs little over it: ratios of at least {GOAL}.",
        "",
        *comparison.markdown(f"Kennisbank page `{page.path}`", f"Bare Django view `{bare.path}`"),
        "",
        "Setup:",
        "",
        *setup_lines(ctx, others, [page, bare]),
        "",
        "Reproduce: `make bench` (needs wrk: `sudo apt-get install -y wrk`); options: "
        "`.venv/bin/python bench/run.py --help`.",
    ]
    print(comparison.summary(), flush=True)
    warnings = comparison.warnings()
    if others is not None and others > BUSY:
        warnings.append(
            f"other processes used {others:.0%} of the machine's CPU during the rounds, so req/s and latencies "
            "are noisy; the server CPU ratio is the steadier number, or run again on an idle machine"
        )
    return Section("\n".join(lines), [f"kennisbank: {w}" for w in warnings])


def bench_ingest(ctx: Context) -> Section:
    return leadbench.bench_ingest(ctx.workdir, ctx.options.leads)


def bench_speed_to_lead(ctx: Context) -> Section:
    return leadbench.bench_speed_to_lead(ctx.workdir, ctx.options.leads)


def bench_numbers(ctx: Context) -> Section:
    return numbersbench.bench_numbers(ctx.workdir, ctx.options.numbers)


# Later benchmarks: add a function returning a Section, and a line here.
BENCHMARKS: list[Benchmark] = [
    Benchmark("kennisbank", "Kennisbank page vs bare Django view", bench_kennisbank),
    Benchmark("ingest", "Lead ingest through the signed webhook, PostgreSQL", bench_ingest),
    Benchmark(
        "speed-to-lead", "Speed-to-lead: webhook to the coach's e-mail, PostgreSQL", bench_speed_to_lead
    ),
    Benchmark("numbers", "The numbers pages at 50 studios x 3 years, PostgreSQL", bench_numbers),
]
NEEDS_WRK = {"kennisbank"}


# --- the doc -----------------------------------------------------------------------------------------------------

_SECTION = re.compile(
    r"<!-- bench:(?P<name>[\w-]+):start -->\n(?P<body>.*?)\n<!-- bench:(?P=name):end -->", re.S
)


def write_doc(new: dict[str, Section]) -> None:
    """The header, then one section per benchmark in BENCHMARKS order: this run's, or the one already there."""
    old = {m["name"]: m["body"] for m in _SECTION.finditer(DOC.read_text())} if DOC.exists() else {}
    parts = [DOC_HEADER]
    for benchmark in BENCHMARKS:
        body = new[benchmark.name].markdown if benchmark.name in new else old.get(benchmark.name)
        if body is not None:
            parts.append(
                f"<!-- bench:{benchmark.name}:start -->\n{body}\n<!-- bench:{benchmark.name}:end -->\n"
            )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n".join(parts))


# --- main --------------------------------------------------------------------------------------------------------


def parse_options(argv: list[str] | None = None) -> Options:
    names = [b.name for b in BENCHMARKS]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        default=[],
        help="run only this benchmark (repeatable; default: all)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default: %(default)s)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default: %(default)s)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="warm-up seconds per target (default: %(default)s)"
    )
    parser.add_argument("--rounds", type=int, default=10, help="rounds per target (default: %(default)s)")
    parser.add_argument("--seconds", type=int, default=1, help="seconds per round (default: %(default)s)")
    parser.add_argument(
        "--page", default="/kennisbank/intake-in-plaats-van-proefles/", help="the page (default: %(default)s)"
    )
    parser.add_argument("--no-write", dest="write", action="store_false", help=f"do not write {DOC.name}")
    lead = parser.add_argument_group("ingest and speed-to-lead (PostgreSQL)")
    lead.add_argument(
        "--pg-url",
        default=PG_URL,
        help="the benchmark's database, dropped and recreated each run (default: %(default)s)",
    )
    lead.add_argument(
        "--ingest-clients", type=int, default=4, help="client processes of ingest (default: %(default)s)"
    )
    lead.add_argument(
        "--ingest-connections",
        type=int,
        default=24,
        help="keep-alive connections of ingest, over all client processes (default: %(default)s)",
    )
    lead.add_argument(
        "--ingest-warmup", type=float, default=2, help="warm-up seconds per path (default: %(default)s)"
    )
    lead.add_argument("--ingest-rounds", type=int, default=3, help="rounds per path (default: %(default)s)")
    lead.add_argument(
        "--ingest-seconds", type=float, default=5, help="seconds per round and path (default: %(default)s)"
    )
    lead.add_argument(
        "--drain-seconds",
        type=float,
        default=20,
        help="at most this long the worker's processing is measured (default: %(default)s)",
    )
    lead.add_argument(
        "--drain-workers",
        default="1,2",
        help="worker processes of each drain measurement, comma-separated (default: %(default)s)",
    )
    lead.add_argument(
        "--leads",
        type=int,
        default=100,
        help="measured leads of speed-to-lead per interval (default: %(default)s)",
    )
    lead.add_argument(
        "--pace", type=float, default=10, help="leads per second of speed-to-lead (default: %(default)s)"
    )
    lead.add_argument(
        "--intervals",
        default="1,0.1",
        help="the worker's --interval values of speed-to-lead, comma-separated (default: %(default)s)",
    )
    numbers = parser.add_argument_group("the numbers pages (PostgreSQL)")
    numbers.add_argument(
        "--numbers-pg-url",
        default=numbersbench.PG_URL,
        help="its database, dropped and recreated each run (default: %(default)s)",
    )
    numbers.add_argument("--numbers-studios", type=int, default=50, help="studios (default: %(default)s)")
    numbers.add_argument(
        "--numbers-years", type=int, default=3, help="years of history (default: %(default)s)"
    )
    numbers.add_argument(
        "--numbers-seed", type=int, default=1, help="the generator's seed (default: %(default)s)"
    )
    numbers.add_argument(
        "--numbers-sample", type=int, default=8, help="studios whose pages are asked (default: %(default)s)"
    )
    numbers.add_argument(
        "--numbers-rounds", type=int, default=8, help="rounds over every page (default: %(default)s)"
    )
    numbers.add_argument(
        "--numbers-reuse",
        action="store_true",
        help="measure the database of the last run again (migrated, not generated): for trying a change",
    )
    args = parser.parse_args(argv)
    counts = [args.workers, args.threads, args.connections, args.wrk_threads, args.warmup, args.rounds]
    if min(*counts, args.seconds) < 1:
        parser.error("counts and durations must be at least 1")
    if args.wrk_threads > args.connections:
        parser.error("--wrk-threads may not exceed --connections")
    try:
        intervals = tuple(float(v) for v in args.intervals.split(",") if v.strip())
        drain_workers = tuple(int(v) for v in args.drain_workers.split(",") if v.strip())
    except ValueError:
        parser.error("--intervals and --drain-workers take numbers separated by commas, e.g. 1,0.1")
    if not drain_workers or min(drain_workers) < 1:
        parser.error("--drain-workers needs one or more counts of 1 or more")
    lead_counts = [args.ingest_clients, args.ingest_connections, args.ingest_rounds, args.leads]
    if (
        min(lead_counts) < 1
        or min(args.ingest_seconds, args.ingest_warmup, args.drain_seconds, args.pace) <= 0
    ):
        parser.error("counts, durations and the pace must be positive")
    if not intervals or min(intervals) < 0:
        parser.error("--intervals needs one or more intervals of 0 s or more")
    if args.ingest_clients > args.ingest_connections:
        parser.error("--ingest-clients may not exceed --ingest-connections")
    number_counts = [args.numbers_studios, args.numbers_years, args.numbers_sample, args.numbers_rounds]
    if min(number_counts) < 1:
        parser.error(
            "--numbers-studios, --numbers-years, --numbers-sample and --numbers-rounds must be at least 1"
        )
    if args.ingest_connections > leadbench.MAX_CONNECTIONS:
        parser.error(f"--ingest-connections may not exceed {leadbench.MAX_CONNECTIONS}")
    leads = leadbench.LeadOptions(
        pg_url=args.pg_url,
        workers=args.workers,
        threads=args.threads,
        clients=args.ingest_clients,
        connections=args.ingest_connections,
        warmup=args.ingest_warmup,
        rounds=args.ingest_rounds,
        seconds=args.ingest_seconds,
        drain_seconds=args.drain_seconds,
        leads=args.leads,
        pace=args.pace,
        intervals=intervals,
        drain_workers=drain_workers,
    )
    return Options(
        only=args.only,
        workers=args.workers,
        threads=args.threads,
        connections=args.connections,
        wrk_threads=args.wrk_threads,
        warmup=args.warmup,
        rounds=args.rounds,
        seconds=args.seconds,
        page=args.page,
        write=args.write,
        leads=leads,
        numbers=numbersbench.NumbersOptions(
            pg_url=args.numbers_pg_url,
            studios=args.numbers_studios,
            years=args.numbers_years,
            seed=args.numbers_seed,
            sample=args.numbers_sample,
            rounds=args.numbers_rounds,
            workers=args.workers,
            threads=args.threads,
            reuse=args.numbers_reuse,
        ),
    )


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the `finally`s that stop the server


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    signal.signal(signal.SIGTERM, _terminate)
    selected = [b for b in BENCHMARKS if not options.only or b.name in options.only]
    sections: dict[str, Section] = {}
    try:
        wrk = find_wrk() if any(b.name in NEEDS_WRK for b in selected) else ""
        with tempfile.TemporaryDirectory(prefix="vollegym-bench-") as workdir:
            ctx = Context(options, wrk, Path(workdir))
            for benchmark in selected:
                print(f"== {benchmark.title}", flush=True)
                sections[benchmark.name] = benchmark.run(ctx)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench interrupted; the servers and workers are stopped", file=sys.stderr)
        return 130
    if options.write:
        write_doc(sections)
        print(f"written: {DOC.relative_to(PROJECT_DIR)}")
    warnings = [w for s in sections.values() for w in s.warnings]
    for warning in warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
