"""The WhatsApp conversation on the member's page (both ways, with what became of each message), the unread count
for the navigation, and the window the inbox and the outbox judge with one piece of code."""

from datetime import timedelta

import pytest
import time_machine

from vollegym.core.testing import client_for, make_member, run_tasks
from vollegym.inbox import shapes
from vollegym.inbox.delivery import deliveries_process_due, delivery_store
from vollegym.inbox.models import Conversation
from vollegym.inbox.selectors import error_label, unread_total
from vollegym.inbox.services import conversation_reply
from vollegym.messaging.models import Message
from vollegym.people.selectors import message_refusal, whatsapp_window_closes_at, whatsapp_window_open

pytestmark = pytest.mark.django_db

NUMBER = "1098765"


def write(text: str, sender: str = "31612345678") -> None:
    delivery_store(payload=shapes.text_message(NUMBER, sender=sender, text=text))
    deliveries_process_due()


def test_the_member_page_shows_the_conversation_both_ways_with_statuses(cast, whatsapp):
    member = make_member(cast.studio, name="Eva de Boer", phone="+31612345678")
    write("Kan ik donderdag een les later komen?")
    conversation = Conversation.objects.for_studio(cast.studio).get()
    conversation_reply(conversation=conversation, by=cast.coach, key="d" * 32, text="Natuurlijk, tot dan!")
    run_tasks()
    sent = Message.objects.for_studio(cast.studio).get(purpose="inbox_reply")
    write_status = shapes.status(NUMBER, message_id=sent.provider_id, state="read", recipient="31612345678")
    delivery_store(payload=write_status)
    deliveries_process_due()
    page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/leden/{member.pk}/")
    assert page.status_code == 200
    panel = page.text.split('id="whatsapp"')[1].split("</section>")[0]
    assert "een les later komen?" in panel and "Natuurlijk, tot dan!" in panel
    assert "chat__line--in" in panel and "chat__line--out" in panel
    assert 'chat__status--read">Gelezen<' in panel
    assert f"/app/{cast.studio.slug}/berichten/persoon/{member.person_id}/" in panel


def test_the_member_page_says_dutch_why_a_message_did_not_arrive_and_nothing_of_another_person(
    cast, whatsapp
):
    member = make_member(cast.studio, name="Eva de Boer", phone="+31612345678")
    make_member(cast.studio, name="Sem", phone="+31687654321")
    write("Hoi")
    write("Ik ben Sem", sender="31687654321")
    conversation = Conversation.objects.for_studio(cast.studio).get(person=member.person)
    conversation_reply(conversation=conversation, by=cast.coach, key="e" * 32, text="Hoi Eva")
    run_tasks()
    sent = Message.objects.for_studio(cast.studio).get(purpose="inbox_reply")
    delivery_store(payload=shapes.status(
        NUMBER, message_id=sent.provider_id, state="failed", recipient="31612345678",
        errors=[{"code": 131026, "title": "Message undeliverable"}],
    ))  # fmt: skip
    deliveries_process_due()
    panel = (
        client_for(cast.owner)
        .get(f"/app/{cast.studio.slug}/leden/{member.pk}/")
        .text.split('id="whatsapp"')[1]
    )
    panel = panel.split("</section>")[0]
    assert "WhatsApp kon het niet bezorgen (131026: Message undeliverable)" in panel
    assert "reported it undelivered" not in panel and "Ik ben Sem" not in panel


def test_a_member_without_whatsapp_gets_a_short_line_not_an_empty_list(cast, whatsapp):
    member = make_member(cast.studio, name="Tom", email="tom@example.nl")
    page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/leden/{member.pk}/")
    assert "Nog geen WhatsApp-berichten met deze persoon." in page.text
    assert (
        client_for(cast.outsider).get(f"/app/{cast.other_studio.slug}/leden/{member.pk}/").status_code == 404
    )


def test_the_navigation_gets_the_unread_count_of_the_studio_only(cast, whatsapp):
    write("Hoi")
    write("Ben je er?")
    write("Hallo", sender="31687654321")
    assert unread_total(cast.studio) == 3 and unread_total(cast.other_studio) == 0
    page = client_for(cast.coach).get(f"/app/{cast.studio.slug}/berichten/")
    assert page.context["whatsapp_unread"] == 3
    other = client_for(cast.outsider).get(f"/app/{cast.other_studio.slug}/berichten/")
    assert other.context["whatsapp_unread"] == 0
    opened = Conversation.objects.for_studio(cast.studio).get(person__phone="+31612345678")
    client_for(cast.coach).get(f"/app/{cast.studio.slug}/berichten/{opened.pk}/")
    assert client_for(cast.coach).get(f"/app/{cast.studio.slug}/").context["whatsapp_unread"] == 1


def test_the_window_closes_for_the_inbox_and_the_outbox_at_the_same_moment(cast, whatsapp):
    write("Hoi")
    person = Conversation.objects.for_studio(cast.studio).get().person
    closes = whatsapp_window_closes_at(person)
    assert person.last_inbound_at is not None and closes == person.last_inbound_at + timedelta(hours=24)
    for at, open_ in ((closes - timedelta(microseconds=1), True), (closes, False)):
        with time_machine.travel(at, tick=False):
            refusal = message_refusal(person=person, channel="whatsapp", marketing=False, template="", now=at)
            assert whatsapp_window_open(person, at) is open_
            assert (refusal == "") is open_


@pytest.mark.parametrize(
    ("kept", "shown"),
    [
        ("WhatsApp reported it undelivered: 131026: Message undeliverable", "WhatsApp kon het niet bezorgen"),
        ("not sent: whatsapp withdrawn", "de persoon wil geen WhatsApp-berichten meer"),
        ("not sent: no consent for WhatsApp", "geen toestemming voor WhatsApp"),
        ("gave up after 8 attempts: timed out", "na 8 pogingen opgegeven (timed out)"),
        ("called off before it was due", "afgeblazen voordat het weg moest"),
        ("something new", "something new"),
    ],
)
def test_why_a_message_did_not_arrive_is_said_in_dutch(kept, shown):
    assert error_label(kept).startswith(shown)
