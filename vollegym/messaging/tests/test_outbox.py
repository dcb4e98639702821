from datetime import datetime, timedelta

import pytest
import time_machine

from vollegym.core.testing import make_studio, run_tasks
from vollegym.messaging.services import MAX_ATTEMPTS, message_queue, outbox_sweep

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def _queue(studio, key="k1", to="eva@example.nl"):
    return message_queue(
        studio=studio, channel="email", to=to, subject="Hallo", body="Tekst", purpose="test", key=key
    )


def test_a_queued_mail_is_sent_over_smtp_once(smtp):
    studio = make_studio()
    with time_machine.travel(T0, tick=False):
        message = _queue(studio)
        run_tasks()
        run_tasks()
    assert len(smtp.messages) == 1 and smtp.messages[0]["Subject"] == "Hallo"
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 1 and message.sent_at is not None


def test_the_same_key_is_never_queued_twice(smtp):
    studio = make_studio()
    with time_machine.travel(T0, tick=False):
        first, second = _queue(studio), _queue(studio)
        run_tasks()
    assert first.pk == second.pk and len(smtp.messages) == 1


def test_smtp_down_for_a_while_delays_the_mail_which_then_arrives_exactly_once(smtp):
    studio = make_studio()
    smtp.refuse = True
    with time_machine.travel(T0, tick=False):
        message = _queue(studio)
        run_tasks()
    message.refresh_from_db()
    assert message.status == "queued" and message.attempts == 1 and "451" in message.last_error
    assert message.next_attempt_at == T0 + timedelta(seconds=15)
    with time_machine.travel(T0 + timedelta(seconds=16), tick=False):
        run_tasks()
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at == T0 + timedelta(seconds=16 + 30)
    smtp.refuse = False
    with time_machine.travel(T0 + timedelta(seconds=10), tick=False):
        run_tasks()  # not due yet: nothing happens
    assert smtp.messages == []
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        run_tasks()
        outbox_sweep()
        run_tasks()
    assert len(smtp.messages) == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 3


def test_a_server_that_never_comes_back_ends_in_failed(smtp):
    studio = make_studio()
    smtp.refuse = True
    moment = T0
    with time_machine.travel(moment, tick=False):
        message = _queue(studio)
    for _ in range(MAX_ATTEMPTS + 2):
        moment += timedelta(hours=2)
        with time_machine.travel(moment, tick=False):
            outbox_sweep()
            run_tasks()
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == MAX_ATTEMPTS
    assert "gave up" in message.last_error


def test_in_app_messages_are_delivered_on_the_spot():
    studio = make_studio()
    message = message_queue(
        studio=studio, channel="app", to="x@example.nl", body="Nieuwe lead", purpose="t", key="a"
    )
    assert message.status == "sent"


def test_a_studio_switched_off_after_queueing_sends_nothing_more(smtp):
    studio, other = make_studio(), make_studio()
    with time_machine.travel(T0, tick=False):
        message, kept = _queue(studio), _queue(other, key="k2")
        studio.is_active = False
        studio.save(update_fields=["is_active"])
        run_tasks()
        outbox_sweep()
        run_tasks()
    message.refresh_from_db()
    assert message.status == "cancelled" and "switched off" in message.last_error
    assert [m["To"] for m in smtp.messages] == [kept.to]
