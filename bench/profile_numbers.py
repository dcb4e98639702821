"""Where a numbers page's time goes, for when `make bench`'s numbers section needs explaining.

    .venv/bin/python bench/profile_numbers.py [--pg-url URL] [--studio SLUG] [--page KEY ...] [--repeat N] [--top N]

Reads the database of the last numbers run as it is (`vollegym generate` into it first, or `bench/run.py --only
numbers` once), and in one process with the production settings asks each page as its owner (the portfolio as the
agency) through Django's test client: the CPU of a request (the median of `--repeat`), its SQL statements with the
slowest of them and their time, and cProfile's functions by cumulative and own time. Not part of `make bench`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numbersbench
from benchkit import PROJECT_DIR, production_env, run_python


def inner(studio: str, pages: list[str], repeat: int, top: int) -> None:
    """Runs in the profiled process (Django set up from the environment)."""
    import cProfile
    import datetime
    import io
    import pstats
    import statistics
    import time

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from vollegym.studios.models import User

    paths = numbersbench.paths(studio, datetime.date.today())
    owner, agency = Client(), Client()
    owner.force_login(User.objects.get(email=f"eigenaar@{studio}.example.nl"))
    agency.force_login(User.objects.get(email=f"bureau@{numbersbench.PREFIX}.example.nl"))
    for page in numbersbench.PAGES:
        if pages and page.key not in pages:
            continue
        client = agency if page.agency else owner
        path = paths[page.key]

        def ask(client: Client = client, path: str = path) -> None:
            response = client.get(path, HTTP_HOST="127.0.0.1")
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}")

        ask()
        ask()
        cpu, wall = [], []
        for _ in range(repeat):
            began, began_wall = time.process_time(), time.perf_counter()
            ask()
            cpu.append((time.process_time() - began) * 1000)
            wall.append((time.perf_counter() - began_wall) * 1000)
        with CaptureQueriesContext(connection) as queries:
            ask()
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(f"\n=== {page.key} {path}")
        print(
            f"client process CPU {statistics.median(cpu):.0f} ms, wall {statistics.median(wall):.0f} ms "
            f"(median of {repeat}); {len(queries)} statements, {sql_ms:.0f} ms in SQL (wall)"
        )
        for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:8]:
            print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:300]}")
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(3):
            ask()
        profile.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
            lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
            start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
            print(f"  -- by {order} (3 requests)")
            print("\n".join("  " + ln[:200] for ln in lines[start : start + top + 1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg-url", default=numbersbench.PG_URL)
    parser.add_argument("--studio", default=f"{numbersbench.PREFIX}-22")
    parser.add_argument("--page", action="append", default=[], help="a page key (repeatable; default: all)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        env = production_env(Path(var_dir), DATABASE_URL=args.pg_url)
        run_python(env, "-m", "vollegym", "collectstatic", "--no-input", "-v0", what="collectstatic")
        code = (
            "import sys, json; sys.path.insert(0, sys.argv[1]); import profile_numbers; "
            "profile_numbers.inner(*json.loads(sys.argv[2]))"
        )
        payload = json.dumps([args.studio, args.page, args.repeat, args.top])
        subprocess.run(
            [sys.executable, "-c", code, str(Path(__file__).resolve().parent), payload],
            env=env,
            cwd=PROJECT_DIR,
            check=True,
        )


if __name__ == "__main__":
    main()
