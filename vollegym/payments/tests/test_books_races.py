"""Races in the books, with real threads each on its own connection: payments turning paid at the same moment get
invoice numbers 1..n without a gap or a double, two owners refunding the last euros at once refund them once, and an
invoice and a refund of one payment written at once wait for each other instead of deadlocking.

On PostgreSQL the racers meet at a barrier just before they take the studio's counter (or the payment's row), so
all of them ask at the same moment; SQLite starts every write transaction IMMEDIATE, so there they simply go at once.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from vollegym.core.races import BARRIER_TIMEOUT, meet_before
from vollegym.payments import invoicing, refunds
from vollegym.payments.invoicing import invoice_issue
from vollegym.payments.models import Invoice, MolliePayment, Refund
from vollegym.payments.refunds import refund_create
from vollegym.payments.services import PaymentsError
from vollegym.payments.tests.books_kit import enrolled, paid, started
from vollegym.payments.tests.kit import connect, make_program

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 6


def _at_once(work: list[Callable[[], Any]]) -> list[Any]:
    """Runs each callable in its own thread with its own connection; what each returned, or the exception it raised."""
    results: list[Any] = [None] * len(work)

    def run(n: int) -> None:
        try:
            results[n] = work[n]()
        except BaseException as exc:
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    return results


def _meet(monkeypatch: Any, target: Any, name: str, racers: int) -> None:
    if connection.vendor != "sqlite":
        meet_before(monkeypatch, target, name, threading.Barrier(racers, timeout=BARRIER_TIMEOUT))


def test_payments_paid_at_once_get_contiguous_invoice_numbers(cast, mollie, monkeypatch):
    connect(cast)
    program = make_program(cast, cents=13900)
    payments = [started(enrolled(cast, program)) for _ in range(RACERS)]
    # Paid at Mollie; our side only learns it now, all at once (the webhooks' worker would do this per payment).
    MolliePayment.objects.for_studio(cast.studio).update(status="paid")
    for payment in payments:
        payment.refresh_from_db()
    _meet(monkeypatch, invoicing, "_counter_lock", RACERS)

    results = _at_once([partial(invoice_issue, payment=p) for p in payments])

    assert all(isinstance(r, Invoice) for r in results), results
    numbers = sorted(Invoice.objects.for_studio(cast.studio).values_list("number", flat=True))
    assert numbers == list(range(1, RACERS + 1))
    assert Invoice.objects.for_studio(cast.studio).values("payment").distinct().count() == RACERS


def test_the_same_payment_invoiced_by_many_at_once_gets_one_invoice_and_no_gap(cast, mollie, monkeypatch):
    connect(cast)
    payment = started(enrolled(cast, make_program(cast)))
    MolliePayment.objects.for_studio(cast.studio).update(status="paid")
    payment.refresh_from_db()
    _meet(monkeypatch, invoicing, "_payment_lock", RACERS)

    results = _at_once([lambda: invoice_issue(payment=payment)] * RACERS)

    assert len({r.pk for r in results}) == 1, results
    assert list(Invoice.objects.for_studio(cast.studio).values_list("number", flat=True)) == [1]
    monkeypatch.undo()
    later = paid(mollie, enrolled(cast, make_program(cast)))  # the next one takes 2: nothing was used up
    assert Invoice.objects.for_studio(cast.studio).get(payment=later).number == 2


def test_two_owners_refunding_the_rest_at_once_refund_it_once(cast, mollie, monkeypatch):
    connect(cast)
    payment = paid(mollie, enrolled(cast, make_program(cast, cents=30000)))
    _meet(monkeypatch, refunds, "_refund_request", 2)

    results = _at_once([lambda: refund_create(payment=payment, cents=30000, by=cast.owner)] * 2)

    made = [r for r in results if isinstance(r, Refund)]
    refused = [r for r in results if isinstance(r, PaymentsError)]
    assert len(made) == 1 and len(refused) == 1, results
    # Only one of them reached Mollie: ours refused the other, not Mollie.
    posts = [c for c in mollie.calls if c == ("POST", f"/v2/payments/{payment.mollie_id}/refunds")]
    assert len(posts) == 1
    assert Refund.objects.for_studio(cast.studio).get().amount_cents == 30000
    numbers = sorted(Invoice.objects.for_studio(cast.studio).values_list("number", flat=True))
    assert numbers == [1, 2]  # the invoice and one credit note


def test_an_invoice_and_a_refund_of_one_payment_at_once_wait_for_each_other_and_never_deadlock(
    cast, mollie, monkeypatch
):
    """The sweep issues a payment's invoice while the owner refunds it. Both lock the payment's row first and the
    studio's counter second; were the sweep to take the counter first, each would hold what the other waits for."""
    connect(cast)
    payment = started(enrolled(cast, make_program(cast, cents=30000)))
    mollie.set_status(payment.mollie_id, "paid", notify=False)  # paid at Mollie; our side has not heard yet
    MolliePayment.objects.for_studio(cast.studio).update(status="paid")
    payment.refresh_from_db()
    if connection.vendor != "sqlite":
        original = invoicing._counter_lock
        barrier = threading.Barrier(2)

        def counter_lock_together(studio_id: int) -> Any:
            # Both writers ask for the counter at the same moment if they can; one that waits on the payment's row
            # the other holds never comes, and then the other goes on alone.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=3)
            if threading.current_thread().name == "refund":
                time.sleep(0.5)  # the sweep takes the counter first: the order that would deadlock
            return original(studio_id)

        monkeypatch.setattr(invoicing, "_counter_lock", counter_lock_together)

    results: dict[str, Any] = {}

    def run(name: str, work: Callable[[], Any]) -> None:
        try:
            results[name] = work()
        except BaseException as exc:
            results[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("sweep", lambda: invoice_issue(payment=payment)), name="sweep"),
        threading.Thread(
            target=run,
            args=("refund", lambda: refund_create(payment=payment, cents=5000, by=cast.owner)),
            name="refund",
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert isinstance(results["sweep"], Invoice), results
    assert isinstance(results["refund"], Refund) and results["refund"].status == "pending", results
    rows = list(Invoice.objects.for_studio(cast.studio).order_by("number").values_list("number", "kind"))
    assert rows == [(1, "invoice"), (2, "credit_note")]
