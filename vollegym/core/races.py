"""Test support for races: many requests at the same moment, each in its own thread with its own connection.

Used by the tests that prove the database keeps the last slot or mat for one person only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client

BARRIER_TIMEOUT = 30  # seconds; a thread stuck longer than this fails the test instead of hanging it


@dataclass(frozen=True)
class Outcome:
    racer: int
    status: int
    location: str
    text: str


def race(
    requests: list[Callable[[Client], Any]],
    *,
    clients: list[Client] | None = None,
    before: threading.Barrier | None = None,
) -> list[Outcome]:
    """Runs each request in its own thread (with the given client, or a fresh one); all start together, or meet
    at `before`, a barrier the test put somewhere inside the code under test."""
    start = before or threading.Barrier(len(requests), timeout=BARRIER_TIMEOUT)
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(n: int, request: Callable[[Client], Any]) -> None:
        try:
            client = clients[n] if clients is not None else Client()
            if before is None:
                start.wait()
            response = request(client)
            with lock:
                outcomes.append(
                    Outcome(n, response.status_code, response.get("Location", ""), response.content.decode())
                )
        except BaseException as exc:  # reported in the main thread (a 500 is raised by the test client)
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    assert not errors, errors
    return sorted(outcomes, key=lambda o: o.racer)


def at_once(works: list[Callable[[], Any]], *, timeout: float = 60) -> None:
    """Runs each piece of work (a worker's sweep, a service call) in its own thread with its own connection and
    waits for all; an error in any of them fails the test. Where they meet is the test's own barrier."""
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(work: Callable[[], Any]) -> None:
        try:
            work()
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    assert not errors, errors


def meet_before(monkeypatch: Any, target: Any, name: str, barrier: threading.Barrier) -> None:
    """Makes `target.name` wait for every racer first: nobody goes on until all of them got this far."""
    original = getattr(target, name)

    def waiting(*args: Any, **kwargs: Any) -> Any:
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, waiting)
