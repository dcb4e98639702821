import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from vollegym.core import clock
from vollegym.core.testing import make_lead, run_tasks
from vollegym.inbox import shapes
from vollegym.inbox.delivery import deliveries_process_due, signature_for
from vollegym.inbox.models import Conversation, InboundMessage, WhatsAppDelivery
from vollegym.inbox.services import InboxError, conversation_reply, is_stop
from vollegym.leads.models import Activity, Lead
from vollegym.messaging.models import Message
from vollegym.people.models import ConsentEntry, Person
from vollegym.people.selectors import consent_state, whatsapp_window_open

pytestmark = pytest.mark.django_db

SECRET = "demo-app-secret"
NUMBER = "1098765"  # the whatsapp fixture's phone number id


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.WHATSAPP_APP_SECRET = SECRET
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me"


def post(body: bytes, *, secret: str = SECRET, signature: str | None = None):
    header = signature if signature is not None else signature_for(body, secret)
    return Client().post(
        "/hooks/whatsapp/",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": header},
    )


def deliver(payload: dict[str, object]) -> None:
    assert post(shapes.body_of(payload)).status_code == 200
    deliveries_process_due()


def key(n: int = 1) -> str:
    return f"{n:032x}"


def test_the_handshake_echoes_the_challenge_only_for_our_token():
    ok = Client().get(
        "/hooks/whatsapp/",
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = Client().get(
        "/hooks/whatsapp/", {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403
    assert (
        Client().get("/hooks/whatsapp/", {"hub.verify_token": "verify-me", "hub.challenge": "1"}).status_code
        == 403
    )


def test_a_forged_or_missing_signature_is_refused_and_nothing_is_stored(cast, whatsapp):
    body = shapes.body_of(shapes.text_message(NUMBER, sender="31612345678", text="Hoi"))
    forged = post(body, secret="someone-elses-secret")
    assert forged.status_code == 401 and "does not match" in forged.json()["reason"]
    assert post(body, signature="").status_code == 401
    assert post(body, signature="sha256=zz").status_code == 401
    assert post(body + b" ", signature=signature_for(body, SECRET)).status_code == 401
    assert not WhatsAppDelivery.objects.exists()


def test_an_unknown_number_becomes_a_whatsapp_lead_with_the_message_on_its_timeline(cast, whatsapp):
    deliver(
        shapes.text_message(
            NUMBER, sender="31612345678", name="Eva de Boer", text="Hoi! Wat kost een proefles?"
        )
    )
    lead = Lead.objects.for_studio(cast.studio).get()
    assert (
        lead.source == "whatsapp"
        and lead.person.name == "Eva de Boer"
        and lead.person.phone == "+31612345678"
    )
    assert lead.due_at is not None  # the clock runs
    assert (
        Activity.objects.for_studio(cast.studio)
        .filter(lead=lead, kind="whatsapp_in")
        .get()
        .body.startswith("Hoi!")
    )
    conversation = Conversation.objects.for_studio(cast.studio).get()
    assert conversation.unread == 1 and conversation.last_text == "Hoi! Wat kost een proefles?"
    assert whatsapp_window_open(lead.person, clock.now())
    assert consent_state(lead.person, cast.studio.pk)["whatsapp"] is True
    assert not Lead.objects.for_studio(cast.other_studio).exists()


def test_a_known_number_lands_on_the_same_person(cast, whatsapp):
    lead = make_lead(cast.studio, name="Sem", phone="+31611111111")
    deliver(shapes.text_message(NUMBER, sender="31611111111", text="Ik kom morgen"))
    assert Person.objects.for_studio(cast.studio).count() == 1
    assert InboundMessage.objects.for_studio(cast.studio).get().person_id == lead.person_id


def test_a_replayed_message_is_kept_once(cast, whatsapp):
    payload = shapes.text_message(NUMBER, sender="31612345678", text="Hoi", wa_id="wamid.SAME")
    deliver(payload)
    deliver(payload)  # the very same body: stored once
    again = shapes.text_message(NUMBER, sender="31612345678", text="Hoi", wa_id="wamid.SAME")
    again["entry"][0]["id"] = "other"  # another body, the same message id
    deliver(again)
    assert InboundMessage.objects.for_studio(cast.studio).count() == 1
    assert Conversation.objects.for_studio(cast.studio).get().unread == 1
    assert WhatsAppDelivery.objects.count() == 2
    assert set(WhatsAppDelivery.objects.values_list("status", flat=True)) == {"processed"}


def _sent_reply(cast, whatsapp) -> Message:
    deliver(shapes.text_message(NUMBER, sender="31612345678", text="Hoi"))
    conversation = Conversation.objects.for_studio(cast.studio).get()
    conversation_reply(conversation=conversation, by=cast.coach, key=key(), text="Hoi Eva, welkom!")
    run_tasks()
    message = Message.objects.for_studio(cast.studio).get(purpose="inbox_reply")
    assert message.status == "sent" and message.provider_id
    return message


def test_a_reply_inside_the_window_goes_out_once_and_stops_the_clock(cast, whatsapp):
    message = _sent_reply(cast, whatsapp)
    assert (
        whatsapp.received[-1]["type"] == "text"
        and whatsapp.received[-1]["text"]["body"] == "Hoi Eva, welkom!"
    )
    conversation = Conversation.objects.for_studio(cast.studio).get()
    again = conversation_reply(conversation=conversation, by=cast.coach, key=key(), text="Hoi Eva, welkom!")
    run_tasks()
    assert again.pk == message.pk and len([r for r in whatsapp.received if r["type"] == "text"]) == 1
    assert Lead.objects.for_studio(cast.studio).get().first_contact_at is not None


def test_statuses_in_any_order_only_move_forward(cast, whatsapp):
    message = _sent_reply(cast, whatsapp)
    for state in ("read", "delivered", "sent"):
        deliver(shapes.status(NUMBER, message_id=message.provider_id, state=state, recipient="31612345678"))
    message.refresh_from_db()
    assert message.delivery == "read" and message.read_at and message.delivered_at
    deliver(shapes.status(NUMBER, message_id=message.provider_id, state="failed", recipient="31612345678",
                          errors=[{"code": 131026, "title": "Message undeliverable"}]))  # fmt: skip
    message.refresh_from_db()
    assert message.delivery == "read" and message.status == "sent"


def test_a_failed_status_keeps_its_reason(cast, whatsapp):
    message = _sent_reply(cast, whatsapp)
    deliver(shapes.status(NUMBER, message_id=message.provider_id, state="failed", recipient="31612345678",
                          errors=[{"code": 131026, "title": "Message undeliverable"}]))  # fmt: skip
    message.refresh_from_db()
    assert message.status == "failed" and "131026" in message.last_error and message.delivery == "failed"


def test_a_status_before_our_send_is_recorded_waits_and_is_applied_later(cast, whatsapp):
    deliver(shapes.status(NUMBER, message_id="wamid.TEST1", state="delivered", recipient="31612345678"))
    waiting = WhatsAppDelivery.objects.get()
    assert waiting.status == "pending" and waiting.attempts == 1
    message = _sent_reply(cast, whatsapp)
    assert message.provider_id == "wamid.TEST1"
    with time_machine.travel(clock.now() + timedelta(minutes=5)):
        deliveries_process_due()
    message.refresh_from_db()
    assert message.delivery == "delivered"


@pytest.mark.parametrize(
    "text", ["STOP", "stop", "Stop.", "afmelden", "Uitschrijven!", "geen berichten meer", "  Stop  "]
)
def test_stop_withdraws_whatsapp_at_once_cancels_the_queue_and_confirms_once(cast, whatsapp, text):
    lead = make_lead(cast.studio, name="Eva", phone="+31612345678")
    deliver(shapes.text_message(NUMBER, sender="31612345678", text="Hoi"))
    queued = Message.objects.for_studio(cast.studio).create(
        studio=cast.studio, channel="whatsapp", to="+31612345678", person=lead.person, body="Tot morgen",
        purpose="booking_reminder", key="later", template="gesprek_herinnering",
        next_attempt_at=clock.now() + timedelta(hours=5),
    )  # fmt: skip
    deliver(shapes.text_message(NUMBER, sender="31612345678", text=text))
    assert consent_state(lead.person, cast.studio.pk)["whatsapp"] is False
    withdrawal = ConsentEntry.objects.for_studio(cast.studio).filter(person=lead.person, given=False).get()
    # Our words, the same whatever they typed: the ledger outlives an erasure and keeps nothing of their message.
    assert withdrawal.wording == (
        "Stuurde een stopwoord (zoals STOP) in WhatsApp aan Kracht Utrecht: geen WhatsApp-berichten meer."
    )
    queued.refresh_from_db()
    assert queued.status == "cancelled"
    run_tasks()
    confirmations = [r for r in whatsapp.received if r["type"] == "text"]
    assert len(confirmations) == 1 and "geen WhatsApp-berichten meer" in confirmations[0]["text"]["body"]
    assert "Stuur START" in confirmations[0]["text"]["body"]
    conversation = Conversation.objects.for_studio(cast.studio).get()
    with pytest.raises(InboxError, match="geen WhatsApp-berichten"):
        conversation_reply(conversation=conversation, by=cast.coach, key=key(2), text="Jammer!")


@pytest.mark.parametrize(
    "text", ["stop met roken?", "Ik wil stoppen met mijn abonnement", "afmelden voor de les van morgen"]
)
def test_a_sentence_with_stop_in_it_is_not_a_stop(text):
    assert not is_stop(text)


def test_a_reply_outside_the_window_is_refused_by_the_service_and_a_template_is_offered(cast, whatsapp):
    deliver(shapes.text_message(NUMBER, sender="31612345678", text="Hoi"))
    conversation = Conversation.objects.for_studio(cast.studio).get()
    with time_machine.travel(clock.now() + timedelta(hours=25)):
        with pytest.raises(InboxError, match="meer dan 24 uur oud"):
            conversation_reply(conversation=conversation, by=cast.coach, key=key(), text="Nog interesse?")
        assert not Message.objects.for_studio(cast.studio).filter(purpose="inbox_reply").exists()
        with pytest.raises(InboxError, match="goedgekeurde sjablonen"):
            conversation_reply(conversation=conversation, by=cast.coach, key=key(), template="made_up")
        conversation_reply(conversation=conversation, by=cast.coach, key=key(), template="lead_bevestiging")
        run_tasks()
    sent = whatsapp.received[-1]
    assert sent["type"] == "template" and sent["template"]["name"] == "lead_bevestiging"


def test_a_delivery_for_an_unknown_number_or_an_inactive_studio_is_failed_with_the_reason(cast, whatsapp):
    deliver(shapes.text_message("999", sender="31612345678", text="Hoi"))
    failed = WhatsAppDelivery.objects.get()
    assert failed.status == "failed" and "no studio has WhatsApp number id 999" in failed.error
    assert not Person.all_studios.exists()


HOSTILE = [
    b"null",
    b"[]",
    b'{"object": "whatsapp_business_account"}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {}}]}]}',
    b'{"object": "page", "entry": [{}]}',
    json.dumps(shapes.text_message(NUMBER, sender="31612345678", text="Hoi\x00daar")).encode(),
    json.dumps(shapes.text_message(NUMBER, sender="3161234\x005678", text="Hoi")).encode(),
    json.dumps(shapes.text_message(NUMBER, sender="31612345678", text="Hoi", at=1e30)).encode(),
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"metadata": {"phone_number_id": "1098765"}, "messages": [{"id": "x", "from": "31612345678", "timestamp": "99999999999999999999999", "type": "text", "text": {"body": 12}}]}}]}]}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"metadata": {"phone_number_id": "1098765"}, "statuses": [{"id": "x", "status": "read", "timestamp": "1e999"}]}}]}]}',
    b'{"a": ' * 50 + b"1" + b"}" * 50,
    b'{"n": ' + b"9" * 5000 + b"}",
    b"\xff\xfe not json",
]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_deliveries_are_refused_or_stored_and_failed_never_a_500(cast, whatsapp, body):
    answer = post(body)
    assert answer.status_code in (200, 400), answer.content
    deliveries_process_due()
    for delivery in WhatsAppDelivery.objects.all():
        assert delivery.status in ("processed", "failed", "pending")
        if delivery.status == "failed":
            assert delivery.error


def test_erasing_the_person_empties_their_whatsapp_messages_and_old_raw_deliveries_go(cast, whatsapp):
    from vollegym.inbox import sweeps
    from vollegym.people.rights import person_erase

    deliver(shapes.text_message(NUMBER, sender="31612345678", text="Mijn knie doet pijn"))
    person = Person.objects.for_studio(cast.studio).get()
    person_erase(person=person, by=cast.owner)
    assert InboundMessage.objects.for_studio(cast.studio).get().text == ""
    assert Conversation.objects.for_studio(cast.studio).get().last_text == ""
    sweeps.run()
    assert WhatsAppDelivery.objects.count() == 1
    with time_machine.travel(clock.now() + timedelta(days=31)):
        sweeps.run()
    assert not WhatsAppDelivery.objects.exists()
