"""A member cancels at the very moment a worker's sweep sets their membership's next term: whichever goes first, no
term goes on after the last day. Real threads, each with its own connection, meeting at a barrier inside the code:
the cancellation has worked out its last day, the sweep has chosen the membership to continue."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection

from vollegym.core.races import BARRIER_TIMEOUT, meet_before
from vollegym.programs import endings
from vollegym.programs.models import Cancellation, Enrolment
from vollegym.programs.tests.endings_kit import at, enrol, membership, runs

pytestmark = pytest.mark.django_db(transaction=True)

START = date(2026, 3, 2)


def test_a_cancellation_and_the_sweep_at_once_leave_nothing_going_on_after_the_last_day(cast, monkeypatch):
    run = enrol(cast.studio, membership(cast.studio), START)
    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    original = getattr(endings, "ending_if_cancelled")  # noqa: B009 - imported there, patched there

    def worked_out(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        barrier.wait()
        return found

    monkeypatch.setattr(endings, "ending_if_cancelled", worked_out)
    meet_before(monkeypatch, endings, "enrolment_renew", barrier)
    errors: list[BaseException] = []

    def in_thread(work: Any) -> None:
        try:
            with time_machine.travel(at(START + timedelta(days=3)), tick=False):
                work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=in_thread, args=(lambda: endings.memberships_continue(),)),
        threading.Thread(
            target=in_thread,
            args=(lambda: endings.enrolment_cancel(enrolment=run, by=None, by_member=True),),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    cancellation = Cancellation.objects.for_studio(cast.studio).get()
    going = [r for r in runs(run) if r.status == Enrolment.Status.ACTIVE]
    assert max(r.ends_on for r in going) == cancellation.effective_on == run.ends_on
