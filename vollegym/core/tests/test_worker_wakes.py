"""On PostgreSQL new work wakes a waiting worker at once (LISTEN/NOTIFY), so it need not poll hard to be fast."""

import threading
import time

import psycopg
import pytest
from django.db import connection, transaction

from vollegym.core.management.commands.worker import WORK_CHANNEL, _listen_forever, _poll_forever
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's; SQLite polls"
    ),
]


def listener() -> psycopg.Connection:
    conn = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    conn.execute(f"LISTEN {WORK_CHANNEL}")
    return conn


def queue(cast, key: str) -> Message:
    return message_queue(
        studio=cast.studio, channel=Message.Channel.EMAIL, to=cast.coach.email, to_user=cast.coach,
        purpose="test", key=key, subject="Hallo", body="Hallo",
    )  # fmt: skip


def test_a_committed_message_notifies_and_a_rolled_back_one_does_not(cast):
    conn = listener()
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue(cast, "rolled-back")
            raise RuntimeError("undo")
        assert list(conn.notifies(timeout=0.5, stop_after=1)) == []
        with transaction.atomic():
            queue(cast, "kept")
        notices = list(conn.notifies(timeout=5, stop_after=1))
        assert [n.payload for n in notices] == ["messaging_message"]
    finally:
        conn.close()


def test_a_waiting_worker_sends_new_mail_long_before_its_next_poll(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    stop, wake = threading.Event(), threading.Event()
    threads = [
        threading.Thread(target=_listen_forever, args=(wake, stop), daemon=True),
        # The poll's own interval is a minute: only the NOTIFY can make the worker look sooner.
        threading.Thread(target=_poll_forever, args=(60.0, stop, wake), daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)  # the first poll has run and the worker waits
        message = queue(cast, "wake-me")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.status == Message.Status.SENT:
                break
            time.sleep(0.05)
        assert message.status == Message.Status.SENT
    finally:
        stop.set()
        wake.set()
        for thread in threads:
            thread.join(timeout=5)
