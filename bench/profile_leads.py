"""Where a lead's CPU goes, for when `make bench`'s ingest or speed-to-lead numbers need explaining.

    .venv/bin/python bench/profile_leads.py [--pg-url URL] [--requests N] [--top N]

Recreates the benchmark database (PostgreSQL, as bench/leadbench.py does: the same studio), then in one
process with the production settings: the SQL statements of one webhook request and of the processing of
one event; the CPU of each part of the webhook, each timed alone, the parts taking turns; and
cProfile's functions by own CPU time for whole requests and whole processings. Not part of `make bench`:
the parts are named after the app's functions, which change with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import leadbench
from benchkit import PROJECT_DIR, BenchError


def cpu_ms(parts: dict[str, Callable[[int], object]], n: int, start: int) -> dict[str, float]:
    """CPU milliseconds per call of each part: the median of 5 batches, the parts taking turns per batch so
    that the machine's drift hits them alike."""
    batches: dict[str, list[float]] = {label: [] for label in parts}
    per_batch = max(1, n // 5)
    for batch in range(5):
        for k, (label, fn) in enumerate(parts.items()):
            first = start + (batch * len(parts) + k) * per_batch
            began = time.process_time()
            for i in range(per_batch):
                fn(first + i)
            batches[label].append((time.process_time() - began) / per_batch * 1000)
    return {label: sorted(values)[2] for label, values in batches.items()}


def inner(requests: int, top: int) -> None:
    """Runs in the profiled process (Django set up from the environment)."""
    import cProfile
    import pstats

    import django

    django.setup()
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from vollegym.leads import hooks
    from vollegym.leads.inbound import generic_parse, inbound_process, inbound_store, sign_generic
    from vollegym.leads.models import InboundEvent
    from vollegym.leads.services import lead_settings_for
    from vollegym.studios.models import Studio

    studio = Studio.objects.get(slug=leadbench.STUDIO_SLUG)
    secret = lead_settings_for(studio).webhook_secret
    client, path = Client(), f"/hooks/leads/{studio.slug}/"

    def body(n: int) -> bytes:
        return json.dumps(leadbench.lead_payload(n, f"profile-{n}")).encode()

    def post(n: int) -> None:
        data = body(n)
        response = client.generic(
            "POST",
            path,
            data,
            content_type="application/json",
            HTTP_X_VOLLEGYM_SIGNATURE=sign_generic(data, secret),
            HTTP_HOST="127.0.0.1",
        )
        if response.status_code != 202:
            raise SystemExit(f"the webhook answered {response.status_code}: {response.content[:300]!r}")

    factory = RequestFactory()

    def view(n: int) -> None:
        data = body(n)
        request = factory.generic(
            "POST",
            path,
            data,
            content_type="application/json",
            HTTP_X_VOLLEGYM_SIGNATURE=sign_generic(data, secret),
            HTTP_HOST="127.0.0.1",
        )
        if hooks.generic(request, studio.slug).status_code != 202:
            raise SystemExit("the view did not accept the delivery")

    def show(title: str, queries: list[dict[str, Any]]) -> None:
        print(f"\n{title}: {len(queries)} statements")
        for q in queries:
            print(f"    {q['sql'][:150]}")

    for n in range(50):
        post(n)  # warm: imports, connection, statement caches
    with CaptureQueriesContext(connection) as captured:
        post(99_999)
    show("One webhook request", captured.captured_queries)
    pending = InboundEvent.all_studios.filter(status=InboundEvent.Status.PENDING).order_by("pk")
    inbound_process(event_id=pending.values_list("pk", flat=True)[0])  # warm
    with CaptureQueriesContext(connection) as captured:
        inbound_process(event_id=pending.values_list("pk", flat=True)[0])
    show(
        "Processing one event (the worker's task, without the queue's own statements)",
        captured.captured_queries,
    )

    counter = iter(range(1_000_000, 10_000_000))
    parts: dict[str, Callable[[int], object]] = {
        "whole request (test client, middleware, view)": post,
        "the view alone (hooks.generic, no middleware)": view,
        "  studio lookup": lambda n: Studio.objects.filter(slug=studio.slug, is_active=True).first(),
        "  lead_settings_for (the webhook secret)": lambda n: lead_settings_for(studio),
        "  generic_parse (pydantic, e-mail, phone)": lambda n: generic_parse(json.loads(body(n))),
        "  inbound_store (BEGIN, event, task, COMMIT)": lambda n: inbound_store(
            studio=studio,
            provider=InboundEvent.Provider.GENERIC,
            dedupe_key=f"{studio.pk}:part-{next(counter)}",
            payload=json.loads(body(n)),
        ),
        "  SELECT 1 through Django (a round trip)": lambda n: connection.cursor().execute("SELECT 1"),
        "GET /healthz (test client: the floor of a request)": lambda n: client.get(
            "/healthz", HTTP_HOST="127.0.0.1"
        ),
    }
    print(
        f"\nCPU ms per call, median of 5 batches of {max(1, requests // 5)}, the parts in turn (profiler off):"
    )
    start = 200_000
    for label, ms in cpu_ms(parts, requests, start).items():
        print(f"    {label:55} {ms:6.2f}")
    start += requests * 2 * len(parts)

    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for n in range(start, start + requests):
        post(n)
    profile.disable()
    print(
        f"\ncProfile of {requests} webhook requests, by cumulative CPU time (the profiler slows everything down):"
    )
    pstats.Stats(profile).sort_stats("cumulative").print_stats(top)

    from vollegym.leads.inbound import inbound_process_due, inbound_process_next

    def drain(batch: int, events: int) -> tuple[float, float]:
        """CPU and wall ms per event of processing `events` stored deliveries, `batch` at a time."""
        began_cpu, began_wall, done = time.process_time(), time.perf_counter(), 0
        while done < events:
            step = inbound_process_due(limit=batch) if batch > 1 else int(inbound_process_next())
            if not step:
                raise SystemExit("ran out of stored deliveries")
            done += step
        return (
            (time.process_time() - began_cpu) / done * 1000,
            (time.perf_counter() - began_wall) / done * 1000,
        )

    per_round = 100
    start += requests  # past the profiled requests above
    for n in range(start, start + per_round * 8):
        post(n)
    start += per_round * 8
    rounds: dict[int, list[tuple[float, float]]] = {1: [], 50: []}
    for r in range(4):
        for batch in (1, 50) if r % 2 == 0 else (50, 1):
            rounds[batch].append(drain(batch, per_round))
    print(f"\nProcessing stored deliveries, {per_round} per round, 4 rounds each, taking turns (median):")
    for batch, values in rounds.items():
        cpu = sorted(v[0] for v in values)[len(values) // 2]
        wall = sorted(v[1] for v in values)[len(values) // 2]
        print(
            f"    {'one at a time' if batch == 1 else f'batches of {batch}':20} CPU {cpu:6.2f} ms/event  wall {wall:6.2f} ms/event  ({1000 / wall:5.0f} events/s)"
        )
    for n in range(start, start + requests):
        post(n)
    start += requests

    profile = cProfile.Profile(time.process_time)
    began, done = time.process_time(), 0
    profile.enable()
    while done < requests:
        step = inbound_process_due(limit=50)  # as a worker does
        if not step:
            break
        done += step
    profile.disable()
    print(
        f"\ncProfile of processing {done} events in batches of 50 "
        f"({(time.process_time() - began) / max(done, 1) * 1000:.1f} ms CPU each with the profiler), by own time:"
    )
    pstats.Stats(profile).sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/vollegym_bench")
    parser.add_argument(
        "--requests", type=int, default=300, help="requests per measurement (default: %(default)s)"
    )
    parser.add_argument("--top", type=int, default=30, help="functions per profile (default: %(default)s)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.requests, args.top)
        return 0
    try:
        with tempfile.TemporaryDirectory(prefix="vollegym-profile-") as workdir:
            env = leadbench.lead_env(Path(workdir), args.pg_url)
            print(
                f"preparing: database {leadbench.db_name(args.pg_url)} (dropped and created), migrate, a studio"
            )
            leadbench.recreate_database(args.pg_url)
            try:
                leadbench.prepare(env)
                command = [
                    sys.executable,
                    __file__,
                    "--inner",
                    "--requests",
                    str(args.requests),
                    "--top",
                    str(args.top),
                ]
                result = subprocess.run(
                    command, env={**env, "LOG_LEVEL": "WARNING"}, cwd=PROJECT_DIR, check=False
                )
            finally:
                leadbench.close_leftover_connections(args.pg_url)
    except BenchError as exc:
        print(f"profile failed: {exc}", file=sys.stderr)
        return 1
    return result.returncode


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
