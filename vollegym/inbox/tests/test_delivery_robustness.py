"""A stored WhatsApp delivery is read to the end: a database that fails for a moment is tried again, a message
another worker kept a moment ago is not kept twice, and one part Meta shaped differently does not hold back the rest."""

from datetime import timedelta

import pytest
import time_machine
from django.db import InterfaceError, OperationalError

from vollegym.core import clock
from vollegym.core.testing import make_lead, run_tasks
from vollegym.inbox import delivery as delivery_module
from vollegym.inbox import services, shapes
from vollegym.inbox.delivery import MAX_ATTEMPTS, deliveries_process_due, delivery_store
from vollegym.inbox.models import Conversation, InboundMessage, WhatsAppDelivery
from vollegym.inbox.services import conversation_reply
from vollegym.leads.models import Activity
from vollegym.messaging.models import Message

pytestmark = pytest.mark.django_db

NUMBER = "1098765"
SENDER = "31612345678"


def store(payload) -> WhatsAppDelivery:
    delivery, is_new = delivery_store(payload=payload)
    assert is_new
    return delivery


def later(minutes: int = 90):
    return time_machine.travel(clock.now() + timedelta(minutes=minutes))


def fails_once(monkeypatch, target, name: str, error: Exception) -> list[int]:
    """`target.name` raises `error` the first time it is called, then works as before; returns the call count."""
    original, calls = getattr(target, name), []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)
    return calls


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
    ],
)
def test_a_database_error_midway_undoes_the_pass_and_the_delivery_is_read_again_later(
    cast, whatsapp, monkeypatch, error
):
    make_lead(cast.studio, name="Eva", phone="+31612345678")
    # Fails after the message was written in the pass's transaction: all of it is undone, then done once.
    fails_once(monkeypatch, services, "open_lead_of", error)
    delivery = store(shapes.text_message(NUMBER, sender=SENDER, text="Kan ik morgen komen?"))
    deliveries_process_due()
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1 and type(error).__name__ in delivery.error
    assert delivery.next_attempt_at > clock.now()
    assert not InboundMessage.objects.for_studio(cast.studio).exists()
    with later():
        deliveries_process_due()
    delivery.refresh_from_db()
    assert delivery.status == "processed" and delivery.attempts == 2
    assert InboundMessage.objects.for_studio(cast.studio).count() == 1
    assert Conversation.objects.for_studio(cast.studio).get().unread == 1
    assert Activity.objects.for_studio(cast.studio).filter(kind="whatsapp_in").count() == 1


def test_a_database_error_every_time_fails_the_delivery_after_the_last_attempt(cast, whatsapp, monkeypatch):
    def away(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(delivery_module, "_studio_for", away)
    delivery = store(shapes.text_message(NUMBER, sender=SENDER, text="Hoi"))
    for n in range(MAX_ATTEMPTS):
        with later(minutes=90 * n):
            deliveries_process_due()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == MAX_ATTEMPTS
    assert "OperationalError" in delivery.error


def test_a_message_another_worker_kept_a_moment_ago_is_settled_once_not_failed(cast, whatsapp, monkeypatch):
    store(shapes.text_message(NUMBER, sender=SENDER, text="Hoi", wa_id="wamid.RACE"))
    deliveries_process_due()
    again = shapes.text_message(NUMBER, sender=SENDER, text="Hoi", wa_id="wamid.RACE")
    again["entry"][0]["id"] = "another"  # the same message in another body
    second = store(again)
    looked: list[str] = []

    def not_yet_the_first_time(studio, wa_id):
        # When this worker first looked, the other had not committed the message yet: only the unique message id
        # stops it now, and all it did for the message is undone.
        looked.append(wa_id)
        return len(looked) > 1 and InboundMessage.objects.for_studio(studio).filter(wa_id=wa_id).exists()

    monkeypatch.setattr(services, "_kept", not_yet_the_first_time)
    deliveries_process_due()
    second.refresh_from_db()
    assert second.status == "processed" and second.attempts == 1, second.error
    assert looked == ["wamid.RACE", "wamid.RACE"]  # looked, lost on the unique id, looked again
    assert InboundMessage.objects.for_studio(cast.studio).count() == 1
    assert Conversation.objects.for_studio(cast.studio).get().unread == 1
    assert Activity.objects.for_studio(cast.studio).filter(kind="whatsapp_in").count() == 1


def _sent(cast, whatsapp) -> Message:
    """A coach's answer inside the window, sent through the stand-in (its id is wamid.TEST<n>)."""
    store(shapes.text_message(NUMBER, sender=SENDER, text="Hoi"))
    deliveries_process_due()
    conversation = Conversation.objects.for_studio(cast.studio).get()
    conversation_reply(conversation=conversation, by=cast.coach, key="a" * 32, text="Hoi Eva!")
    run_tasks()
    return Message.objects.for_studio(cast.studio).get(purpose="inbox_reply")


def _value(**parts: object) -> dict[str, object]:
    return shapes.envelope(NUMBER, parts)


def _now() -> str:
    return str(int(clock.now().timestamp()))


def test_an_unknown_status_value_is_skipped_with_its_reason_and_the_rest_is_applied(cast, whatsapp, caplog):
    message = _sent(cast, whatsapp)
    payload = _value(
        statuses=[
            {"id": message.provider_id, "status": "deleted", "timestamp": "1", "recipient_id": SENDER},
            {"id": message.provider_id, "status": 7, "recipient_id": SENDER},
            {"id": message.provider_id, "status": "read", "timestamp": "1", "recipient_id": SENDER},
        ],
        messages=[
            {"from": SENDER, "id": "wamid.NEXT", "timestamp": "1", "type": "text", "text": {"body": "Top!"}}
        ],
    )
    delivery = store(payload)
    deliveries_process_due()
    delivery.refresh_from_db()
    message.refresh_from_db()
    assert delivery.status == "processed" and message.delivery == "read"
    assert InboundMessage.objects.for_studio(cast.studio).filter(wa_id="wamid.NEXT").exists()
    assert "'deleted'" in delivery.error and "status 1" in delivery.error
    assert "'deleted'" in caplog.text  # logged, with the reason


def test_a_change_of_another_field_is_stored_and_ignored_not_a_failure(cast, whatsapp):
    template_update = {
        "field": "message_template_status_update",
        "value": {
            "event": "APPROVED", "message_template_id": 594425479261596, "message_template_name": "lead_bevestiging",
            "message_template_language": "nl", "reason": "NONE",
        },
    }  # fmt: skip
    alone = {"object": "whatsapp_business_account", "entry": [{"id": "WABA-1", "changes": [template_update]}]}
    delivery = store(alone)
    deliveries_process_due()
    delivery.refresh_from_db()
    assert delivery.status == "processed" and "message_template_status_update" in delivery.error
    assert delivery.payload == alone  # kept as it came
    with_a_message = shapes.text_message(NUMBER, sender=SENDER, text="Hoi")
    with_a_message["entry"][0]["changes"].append(template_update)
    second = store(with_a_message)
    deliveries_process_due()
    second.refresh_from_db()
    assert second.status == "processed"
    assert InboundMessage.objects.for_studio(cast.studio).count() == 1


def test_a_message_is_kept_at_once_while_a_status_in_the_same_delivery_waits_for_its_send(cast, whatsapp):
    waiting = store(
        _value(
            messages=[
                {
                    "from": SENDER,
                    "id": "wamid.NOW",
                    "timestamp": _now(),
                    "type": "text",
                    "text": {"body": "Hoi"},
                }
            ],
            statuses=[{"id": "wamid.TEST1", "status": "delivered", "timestamp": "1", "recipient_id": SENDER}],
        )
    )
    deliveries_process_due()
    waiting.refresh_from_db()
    assert waiting.status == "pending" and "wamid.TEST1" in waiting.error
    # The message did not wait for the status: it is in the inbox now.
    assert Conversation.objects.for_studio(cast.studio).get().unread == 1
    conversation = Conversation.objects.for_studio(cast.studio).get()
    conversation_reply(conversation=conversation, by=cast.coach, key="b" * 32, text="Hoi Eva!")
    run_tasks()
    with later():
        deliveries_process_due()
    waiting.refresh_from_db()
    sent = Message.objects.for_studio(cast.studio).get(purpose="inbox_reply")
    assert (
        waiting.status == "processed" and sent.provider_id == "wamid.TEST1" and sent.delivery == "delivered"
    )
    assert InboundMessage.objects.for_studio(cast.studio).count() == 1  # read twice, kept once
    assert (
        Conversation.objects.for_studio(cast.studio).get().unread == 0
    )  # the reply read it; not counted again


def test_a_status_of_a_message_we_never_sent_is_skipped_after_the_last_attempt_not_failed(cast, whatsapp):
    delivery = store(shapes.status(NUMBER, message_id="wamid.ELSEWHERE", state="read", recipient=SENDER))
    for n in range(MAX_ATTEMPTS):
        with later(minutes=90 * n):
            deliveries_process_due()
    delivery.refresh_from_db()
    assert delivery.status == "processed" and delivery.attempts == MAX_ATTEMPTS
    assert "never recorded as sent" in delivery.error and "wamid.ELSEWHERE" in delivery.error


def test_an_unreadable_message_is_skipped_and_the_others_are_kept(cast, whatsapp):
    good = {"from": SENDER, "id": "wamid.GOOD", "timestamp": "1", "type": "text", "text": {"body": "Hoi"}}
    bad = {"from": "+31 6 nope", "id": "wamid.BAD", "type": "text", "text": {"body": "?"}}
    delivery = store(_value(messages=[bad, good, "not even an object"]))
    deliveries_process_due()
    delivery.refresh_from_db()
    assert delivery.status == "processed"
    assert list(InboundMessage.objects.for_studio(cast.studio).values_list("wa_id", flat=True)) == [
        "wamid.GOOD"
    ]
    assert "message 0" in delivery.error and "message 2" in delivery.error


def test_a_delivery_with_nothing_readable_still_fails_with_the_reasons(cast, whatsapp):
    delivery = store(_value(messages=[{"from": "x", "id": "wamid.BAD"}]))
    deliveries_process_due()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "message 0" in delivery.error
