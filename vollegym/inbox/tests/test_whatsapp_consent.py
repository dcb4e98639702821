"""WhatsApp consent from the person's own words: a first message is a yes, STOP a no, START (after a STOP) a yes
again; the ledger keeps what happened in our words, never their message, and an erasure empties their raw
deliveries too."""

from datetime import timedelta

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.testing import make_lead, run_tasks
from vollegym.inbox import shapes
from vollegym.inbox.delivery import deliveries_process_due, delivery_store
from vollegym.inbox.models import Conversation, InboundMessage, WhatsAppDelivery
from vollegym.inbox.services import conversation_reply, is_start
from vollegym.messaging.models import Message, WhatsAppSettings
from vollegym.people.models import ConsentEntry, Person
from vollegym.people.rights import person_erase
from vollegym.people.selectors import consent_state

pytestmark = pytest.mark.django_db

NUMBER = "1098765"
SENDER = "31612345678"


def write(text: str, *, number: str = NUMBER, sender: str = SENDER, name: str = "Eva de Boer") -> None:
    delivery_store(payload=shapes.text_message(number, sender=sender, text=text, name=name))
    deliveries_process_due()


def texts_sent(whatsapp) -> list[str]:
    return [r["text"]["body"] for r in whatsapp.received if r["type"] == "text"]


def whatsapp_ledger(person: Person) -> list[tuple[bool, str]]:
    return list(
        ConsentEntry.objects.for_studio(person.studio_id)
        .filter(person=person, purpose="whatsapp")
        .order_by("at", "id")
        .values_list("given", "wording")
    )


@pytest.mark.parametrize(
    "word", ["START", "start", "Start!", "aanmelden", "Weer aanmelden", "meld me weer aan"]
)
def test_start_after_stop_gives_whatsapp_again_in_our_words_and_confirms_once(cast, whatsapp, word):
    write("Hoi, is er morgen plek?")
    write("STOP")
    person = Person.objects.for_studio(cast.studio).get()
    assert consent_state(person, cast.studio.pk)["whatsapp"] is False
    write(word)
    assert consent_state(person, cast.studio.pk)["whatsapp"] is True
    assert whatsapp_ledger(person) == [
        (True, "Stuurde zelf een WhatsApp-bericht aan Kracht Utrecht."),
        (
            False,
            "Stuurde een stopwoord (zoals STOP) in WhatsApp aan Kracht Utrecht: geen WhatsApp-berichten meer.",
        ),
        (
            True,
            "Stuurde na een stop een aanmeldwoord (zoals START) in WhatsApp aan Kracht Utrecht: weer "
            "WhatsApp-berichten.",
        ),
    ]
    run_tasks()
    sent = texts_sent(whatsapp)
    assert len(sent) == 2 and "Stuur START" in sent[0] and sent[1].startswith("Welkom terug")
    # and the coach may answer again
    conversation = Conversation.objects.for_studio(cast.studio).get()
    conversation_reply(
        conversation=conversation, by=cast.coach, key="c" * 32, text="Fijn dat je er weer bent!"
    )
    run_tasks()
    assert texts_sent(whatsapp)[-1] == "Fijn dat je er weer bent!"


def test_after_stop_an_ordinary_message_does_not_bring_whatsapp_back(cast, whatsapp):
    write("Hoi")
    write("stop")
    write("Hoe laat is de les morgen?")
    person = Person.objects.for_studio(cast.studio).get()
    assert consent_state(person, cast.studio.pk)["whatsapp"] is False
    assert [given for given, _ in whatsapp_ledger(person)] == [True, False]


def test_start_without_an_earlier_stop_is_an_ordinary_first_message(cast, whatsapp):
    write("Start")
    person = Person.objects.for_studio(cast.studio).get()
    assert whatsapp_ledger(person) == [(True, "Stuurde zelf een WhatsApp-bericht aan Kracht Utrecht.")]
    run_tasks()
    assert not [body for body in texts_sent(whatsapp) if body.startswith("Welkom terug")]


@pytest.mark.parametrize(
    "text", ["start met roken stoppen", "Wanneer start de nieuwe groep?", "aanmelden voor dinsdag"]
)
def test_a_sentence_with_start_in_it_is_not_a_start(text):
    assert not is_start(text)


def test_a_first_message_is_a_yes_without_quoting_it(cast, whatsapp):
    write("Mijn knie doet pijn sinds de marathon")
    person = Person.objects.for_studio(cast.studio).get()
    ((given, wording),) = whatsapp_ledger(person)
    assert (
        given and "knie" not in wording and wording == "Stuurde zelf een WhatsApp-bericht aan Kracht Utrecht."
    )


def test_erasure_empties_the_raw_deliveries_with_their_number_and_keeps_the_ledger_without_their_words(
    cast, whatsapp
):
    lead = make_lead(cast.studio, name="Eva de Boer", phone="+31612345678")
    write("Mijn knie doet pijn")
    write("STOP")
    delivery_store(payload=shapes.status(NUMBER, message_id="wamid.TEST1", state="read", recipient=SENDER))
    # Someone else writing the studio, and the same number writing another studio: not theirs to erase here.
    write("Hallo", sender="31687654321", name="Sem")
    WhatsAppSettings.objects.create(studio=cast.other_studio, phone_number_id="2200", token="other-token")
    write("Ik ben klant bij jullie", number="2200")
    person_erase(person=lead.person, by=cast.owner)

    ours = [d for d in WhatsAppDelivery.objects.all() if d.payload == {"erased": True}]
    assert len(ours) == 3  # two messages and the status
    assert all(d.status != "pending" for d in ours)  # the waiting status is not read any more
    kept = [str(d.payload) for d in WhatsAppDelivery.objects.exclude(pk__in=[d.pk for d in ours])]
    assert len(kept) == 2 and not any("knie" in p for p in kept)
    someone_else = next(p for p in kept if "31687654321" in p)
    other_studio = next(p for p in kept if "'2200'" in p)
    assert "Hallo" in someone_else and "Sem" in someone_else  # someone else writing this studio
    assert "Ik ben klant bij jullie" in other_studio  # the same number, another studio
    assert InboundMessage.objects.for_studio(cast.other_studio).get().text == "Ik ben klant bij jullie"
    assert set(
        InboundMessage.objects.for_studio(cast.studio)
        .filter(person=lead.person)
        .values_list("text", flat=True)
    ) == {""}
    ledger = ConsentEntry.objects.for_studio(cast.studio).filter(person=lead.person)
    assert ledger.count() >= 2 and not any("knie" in e.wording or e.wording == "STOP" for e in ledger)
    # and the erased number writing again is someone new, not the erased record coming back
    with time_machine.travel(clock.now() + timedelta(minutes=1)):
        write("Ik ben het weer")
    assert (
        Person.objects.for_studio(cast.studio)
        .filter(phone="+31612345678")
        .exclude(pk=lead.person_id)
        .exists()
    )
    assert not Message.objects.for_studio(cast.studio).filter(person=lead.person, status="queued").exists()
