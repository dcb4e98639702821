"""A message a crash caught mid-send is never lost without a trace, and never sent twice where that shows."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db.models import F

from vollegym.core.testing import client_for, make_studio, run_tasks
from vollegym.leads.services import LeadInput, lead_capture
from vollegym.messaging.models import Message
from vollegym.messaging.services import STUCK_AFTER, message_queue, outbox_sweep
from vollegym.messaging.tests.whatsapp_stub import WHATSAPP_YES
from vollegym.messaging.transports.email import message_id

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def _queue_mail(studio, key="k1"):
    return message_queue(
        studio=studio,
        channel="email",
        to="eva@example.nl",
        subject="Je gesprek",
        body="Tot dan",
        purpose="t",
        key=key,
    )


def _crash_while_sending(message, at):
    """What a worker leaves behind when it dies between claiming a message and recording what became of it."""
    Message.all_studios.filter(pk=message.pk).update(
        status=Message.Status.SENDING, claimed_at=at, sent_at=None, attempts=F("attempts") + 1
    )


def _crash_after_sending(message, at):
    """The mail went out, then the worker died before it could write that down."""
    Message.all_studios.filter(pk=message.pk).update(
        status=Message.Status.SENDING, claimed_at=at, sent_at=None
    )


def test_an_interrupted_mail_is_sent_once_more_with_the_message_id_of_the_first_attempt(smtp):
    studio = make_studio()
    with time_machine.travel(T0, tick=False):
        message = _queue_mail(studio)
        run_tasks()
        _crash_after_sending(message, T0)
    assert len(smtp.messages) == 1
    first_id = smtp.messages[0]["Message-ID"]
    assert re.fullmatch(rf"<msg-{message.pk}-[0-9a-f]{{16}}@localhost>", first_id)

    with time_machine.travel(T0 + STUCK_AFTER - timedelta(minutes=1), tick=False):
        outbox_sweep()  # a slow send is left alone
        run_tasks()
    message.refresh_from_db()
    assert message.status == "sending" and len(smtp.messages) == 1

    with time_machine.travel(T0 + STUCK_AFTER + timedelta(minutes=1), tick=False):
        outbox_sweep()
        run_tasks()
        outbox_sweep()
        run_tasks()
    assert len(smtp.messages) == 2, "sent once more, and only once"
    assert smtp.messages[1]["Message-ID"] == first_id
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2


def test_every_mail_has_a_message_id_of_its_own():
    studio, other = make_studio(), make_studio()
    with time_machine.travel(T0, tick=False):
        first, second, same_key_elsewhere = (
            _queue_mail(studio, "a"),
            _queue_mail(studio, "b"),
            _queue_mail(other, "a"),
        )
    ids = {message_id(m) for m in (first, second, same_key_elsewhere)}
    assert len(ids) == 3
    assert message_id(Message.all_studios.get(pk=first.pk)) == message_id(first), "stable once stored"


def test_a_mail_interrupted_again_is_not_sent_a_third_time_and_the_owner_sees_it(smtp, cast):
    with time_machine.travel(T0, tick=False):
        message = _queue_mail(cast.studio)
        _crash_while_sending(message, T0)
    later = T0 + STUCK_AFTER + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        outbox_sweep()
        message.refresh_from_db()
        assert message.status == "queued" and "sent once more" in message.last_error
        _crash_while_sending(message, later)
    with time_machine.travel(later + STUCK_AFTER + timedelta(minutes=1), tick=False):
        outbox_sweep()
        run_tasks()
        message.refresh_from_db()
        page = client_for(cast.owner).get("/app/kracht-utrecht/meldingen/").text
    assert smtp.messages == []
    assert message.status == "failed" and message.attempts == 2
    assert message.last_error.startswith("interrupted while sending again")
    assert "Mislukte berichten" in page and "Je gesprek" in page
    assert "misschien is het aangekomen, misschien niet" in page


def test_an_interrupted_whatsapp_is_not_sent_again_and_the_owner_sees_it(cast, whatsapp):
    with time_machine.travel(T0, tick=False):
        lead_capture(
            studio=cast.studio,
            data=LeadInput(
                source="website", name="Eva de Boer", phone="06 12345678", consents=[WHATSAPP_YES]
            ),
        )
        run_tasks()
        message = Message.objects.for_studio(cast.studio).get(channel="whatsapp")
        _crash_after_sending(message, T0)
    assert len(whatsapp.received) == 1
    with time_machine.travel(T0 + STUCK_AFTER + timedelta(minutes=1), tick=False):
        outbox_sweep()
        run_tasks()
        outbox_sweep()
        run_tasks()
        owner_page = client_for(cast.owner).get("/app/kracht-utrecht/meldingen/").text
        coach_page = client_for(cast.coach).get("/app/kracht-utrecht/meldingen/").text
        outsider_page = client_for(cast.outsider).get("/app/andere-studio/meldingen/").text
    assert len(whatsapp.received) == 1, "never a second WhatsApp: the Cloud API cannot tell it from a new one"
    message.refresh_from_db()
    assert message.status == "failed"
    assert message.last_error.startswith("interrupted while sending")
    assert "may or may not have gone out" in message.last_error
    assert "Mislukte berichten" in owner_page and "Eva de Boer" in owner_page
    assert "misschien is het aangekomen, misschien niet" in owner_page
    assert "Mislukte berichten" not in coach_page
    assert "Eva de Boer" not in outsider_page
