"""The consent ledger: the current state comes from the latest entry; the outbox asks it for every message."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from vollegym.core import clock
from vollegym.core.testing import run_tasks
from vollegym.leads.services import LeadInput, lead_capture
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_deliver, message_queue, preferences_url
from vollegym.messaging.tests.whatsapp_stub import WHATSAPP_YES
from vollegym.people.links import preferences_token
from vollegym.people.models import ConsentEntry, How, Purpose
from vollegym.people.selectors import consent_state
from vollegym.people.services import PersonError, consent_record

pytestmark = pytest.mark.django_db


def person_of(studio, consents=(), **contact):
    contact.setdefault("phone", "0612345678")
    contact.setdefault("email", "eva@example.nl")
    lead = lead_capture(
        studio=studio, data=LeadInput(source="website", consents=list(consents), **contact), announce=False
    ).lead
    return lead.person


def test_the_latest_entry_decides_and_the_ledger_keeps_every_step(cast):
    person = person_of(cast.studio, [WHATSAPP_YES])
    assert consent_state(person, cast.studio.pk)[Purpose.WHATSAPP] is True
    consent_record(person=person, purpose=Purpose.WHATSAPP, given=False, how=How.STAFF, by=cast.coach)
    assert consent_state(person, cast.studio.pk)[Purpose.WHATSAPP] is False
    consent_record(
        person=person, purpose=Purpose.WHATSAPP, given=True, how=How.REPLY, wording="Ja, weer graag"
    )
    assert consent_state(person, cast.studio.pk)[Purpose.WHATSAPP] is True
    ledger = ConsentEntry.objects.for_studio(cast.studio).filter(person=person).order_by("at", "id")
    assert [(e.given, e.how) for e in ledger] == [(True, "form"), (False, "staff"), (True, "reply")]
    assert consent_state(person, cast.studio.pk)[Purpose.HEALTH] is None  # never asked


def test_a_consent_given_must_keep_its_words_and_purposes_are_known(cast):
    person = person_of(cast.studio)
    with pytest.raises(PersonError):
        consent_record(person=person, purpose=Purpose.HEALTH, given=True, how=How.FORM, wording=" ")
    with pytest.raises(PersonError):
        consent_record(person=person, purpose="everything", given=True, how=How.FORM, wording="Ja")


def test_whatsapp_without_consent_is_kept_unsent_with_the_reason(cast, whatsapp):
    person = person_of(cast.studio)
    message = message_queue(
        studio=cast.studio, channel=Message.Channel.WHATSAPP, person=person, purpose="test", key="t1",
        body="Hoi", template="gesprek_herinnering",
    )  # fmt: skip
    assert message.status == Message.Status.CANCELLED and "no consent for WhatsApp" in message.last_error
    run_tasks()
    assert whatsapp.received == []


def test_free_text_on_whatsapp_only_inside_the_24_hour_window(cast, whatsapp):
    person = person_of(cast.studio, [WHATSAPP_YES])
    outside = message_queue(
        studio=cast.studio,
        channel=Message.Channel.WHATSAPP,
        person=person,
        purpose="test",
        key="t1",
        body="Hoi",
    )
    assert outside.status == Message.Status.CANCELLED and "24-hour" in outside.last_error
    person.last_inbound_at = clock.now() - timedelta(hours=2)
    person.save(update_fields=["last_inbound_at"])
    inside = message_queue(
        studio=cast.studio,
        channel=Message.Channel.WHATSAPP,
        person=person,
        purpose="test",
        key="t2",
        body="Hoi",
    )
    assert inside.status == Message.Status.QUEUED and inside.to == "+31612345678"


def test_marketing_mail_needs_its_own_yes_and_carries_an_unsubscribe_link(cast):
    person = person_of(cast.studio)
    refused = message_queue(
        studio=cast.studio, channel=Message.Channel.EMAIL, person=person, purpose="news", key="n1", marketing=True,
        subject="Nieuw: zomerrooster", body="Hoi Eva,",
    )  # fmt: skip
    assert refused.status == Message.Status.CANCELLED and "news and offers" in refused.last_error
    consent_record(
        person=person, purpose=Purpose.MARKETING, given=True, how=How.FORM, wording="Ja, stuur me nieuws."
    )
    sent = message_queue(
        studio=cast.studio, channel=Message.Channel.EMAIL, person=person, purpose="news", key="n2", marketing=True,
        subject="Nieuw: zomerrooster", body="Hoi Eva,",
    )  # fmt: skip
    assert sent.status == Message.Status.QUEUED and sent.to == "eva@example.nl"
    assert preferences_url(person, cast.studio, Purpose.MARKETING) in sent.body
    assert "Meld je af" in sent.body


def test_withdrawing_through_the_link_stops_a_queued_whatsapp_message_at_once(cast, whatsapp, settings):
    settings.SITE_URL = "https://app.vollegym.example"
    person = person_of(cast.studio, [WHATSAPP_YES])
    later = clock.now() + timedelta(hours=20)
    reminder = message_queue(
        studio=cast.studio, channel=Message.Channel.WHATSAPP, person=person, purpose="booking_reminder",
        key="r1", body="Morgen je gesprek", template="gesprek_herinnering", send_after=later,
    )  # fmt: skip
    mail = message_queue(
        studio=cast.studio, channel=Message.Channel.EMAIL, person=person, purpose="booking_reminder",
        key="r2", subject="Morgen", body="Morgen je gesprek", send_after=later,
    )  # fmt: skip
    assert reminder.status == Message.Status.QUEUED
    link = re.search(r"https?://\S+", mail.body)
    assert link is not None
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    client = Client()
    page = client.get(f"/{path}")
    assert page.status_code == 200 and "Berichten via WhatsApp" in page.text
    response = client.post(f"/{path}", {"doel": "whatsapp"})
    assert response.status_code == 302
    reminder.refresh_from_db()
    mail.refresh_from_db()
    assert reminder.status == Message.Status.CANCELLED and "whatsapp withdrawn" in reminder.last_error
    assert mail.status == Message.Status.QUEUED  # e-mail about the conversation still goes
    entry = ConsentEntry.objects.for_studio(cast.studio).filter(person=person).latest("at", "id")
    assert (entry.purpose, entry.given, entry.how) == ("whatsapp", False, "unsubscribe")
    with time_machine.travel(later + timedelta(minutes=1), tick=False):
        run_tasks()
    assert whatsapp.received == []
    assert "staat uit" in client.get(response["Location"]).text


def test_a_consent_withdrawn_after_queueing_stops_the_message_when_it_is_due(cast, whatsapp):
    person = person_of(cast.studio, [WHATSAPP_YES])
    message = message_queue(
        studio=cast.studio, channel=Message.Channel.WHATSAPP, person=person, purpose="lead_ack", key="a1",
        body="Dank je", template="lead_bevestiging",
    )  # fmt: skip
    consent_record(person=person, purpose=Purpose.WHATSAPP, given=False, how=How.STAFF, by=cast.owner)
    assert message_deliver(message_id=message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.status == Message.Status.CANCELLED and whatsapp.received == []


def test_a_forged_or_another_studios_preferences_link_is_404(cast):
    person = person_of(cast.studio)
    theirs = person_of(cast.other_studio)
    token = preferences_token(person)
    client = Client()
    assert client.get(f"/s/kracht-utrecht/berichten/{token}/").status_code == 200
    assert client.get(f"/s/andere-studio/berichten/{token}/").status_code == 404
    assert client.get(f"/s/kracht-utrecht/berichten/{preferences_token(theirs)}/").status_code == 404
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    assert client.get(f"/s/kracht-utrecht/berichten/{forged}/").status_code == 404
    assert client.get("/s/kracht-utrecht/berichten/%00%ud800/").status_code == 404
    assert client.post(f"/s/kracht-utrecht/berichten/{token}/", {"doel": "alles"}).status_code == 400


def test_the_link_in_a_mail_still_works_after_the_person_was_merged_and_contact_withdrawn_keeps_sign_in_links(
    cast,
):
    from vollegym.people.services import person_merge

    person = person_of(cast.studio)
    token = preferences_token(person)
    other = person_of(cast.studio, email="eva.tweede@example.nl", phone="0687654321")
    token_of_other = preferences_token(other)
    person_merge(keep=person, other=other)
    client = Client()
    assert client.get(f"/s/kracht-utrecht/berichten/{token_of_other}/").status_code == 200
    client.post(f"/s/kracht-utrecht/berichten/{token}/", {"doel": "contact"})
    assert consent_state(person, cast.studio.pk)["contact"] is False
    news = message_queue(
        studio=cast.studio,
        channel=Message.Channel.EMAIL,
        person=person,
        purpose="agenda",
        key="a",
        body="Hoi",
    )
    link = message_queue(
        studio=cast.studio, channel=Message.Channel.EMAIL, person=person, purpose="member_link", key="l",
        body="Je link",
    )  # fmt: skip
    assert news.status == Message.Status.CANCELLED and link.status == Message.Status.QUEUED
