"""Writes of the WhatsApp inbox: a message received, a reply sent through the outbox, who answers, what is read."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.inbox.models import Conversation, InboundMessage
from vollegym.inbox.selectors import approved_templates, error_label, open_lead_of
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue, person_unsubscribe
from vollegym.people.events import WhatsAppReceived, event_record
from vollegym.people.models import How, Person, Purpose
from vollegym.people.selectors import consent_state, whatsapp_window_open
from vollegym.people.services import consent_record, person_heard_from
from vollegym.studios.models import StaffMembership, Studio, User


class InboxError(ValueError):
    """A reply or change the inbox refuses; the message is Dutch, for the coach."""


# What someone types to stop WhatsApp from us, after lower case, accents and punctuation are taken off.
STOP_WORDS = frozenset({
    "stop", "stoppen", "stop alsjeblieft", "stop aub", "afmelden", "uitschrijven", "geen berichten meer",
    "geen berichten", "geen whatsapp meer", "unsubscribe", "stuur geen berichten meer", "meld me af",
    "meld mij af",
})  # fmt: skip
# What someone types after a STOP to have WhatsApp from us again (the STOP confirmation says how).
START_WORDS = frozenset({
    "start", "starten", "aanmelden", "weer aanmelden", "opnieuw aanmelden", "aanmelden aub", "meld me aan",
    "meld mij aan", "meld me weer aan", "meld mij weer aan", "weer berichten", "subscribe",
    "unstop",
})  # fmt: skip


def _plain(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z ]+", " ", plain).split())


def is_stop(text: str) -> bool:
    """Whether a message asks for no more WhatsApp: "STOP", "stop", "Stop.", "afmelden", "geen berichten meer"."""
    return _plain(text) in STOP_WORDS


def is_start(text: str) -> bool:
    """Whether a message asks for WhatsApp again after a STOP: "START", "Start!", "aanmelden", "meld me weer aan"."""
    return _plain(text) in START_WORDS


def inbound_receive(
    *, studio: Studio, wa_id: str, phone: str, name: str, kind: str, text: str, sent_at: datetime
) -> InboundMessage | None:
    """Keeps one WhatsApp message once per id: the person (a new lead when unknown), their window, the inbox.

    None when the message was kept before: Meta sent it again, or another worker kept it a moment ago from another
    delivery (the unique message id stops the second; all it did is undone with it).
    """
    if _kept(studio, wa_id):
        return None  # Meta sent it again
    try:
        with transaction.atomic():
            return _receive(
                studio=studio, wa_id=wa_id, phone=phone, name=name, kind=kind, text=text, sent_at=sent_at
            )
    except IntegrityError:
        if _kept(studio, wa_id):
            return None
        raise


def _kept(studio: Studio, wa_id: str) -> bool:
    return InboundMessage.objects.for_studio(studio).filter(wa_id=wa_id).exists()


def _receive(
    *, studio: Studio, wa_id: str, phone: str, name: str, kind: str, text: str, sent_at: datetime
) -> InboundMessage:
    person = _person_for(studio=studio, phone=phone, name=name)
    now = clock.now()
    person_heard_from(person=person, at=sent_at)
    conversation, _created = Conversation.objects.for_studio(studio).get_or_create(
        studio=studio, person=person, defaults={"last_message_at": sent_at}
    )
    message = InboundMessage.objects.create(
        studio=studio, conversation=conversation, person=person, wa_id=wa_id, kind=kind, text=text[:4096],
        sent_at=sent_at, received_at=now,
    )  # fmt: skip
    Conversation.objects.for_studio(studio).filter(pk=conversation.pk).update(
        unread=F("unread") + 1, last_message_at=max(sent_at, conversation.last_message_at),
        last_text=text[:200], is_open=True,
    )  # fmt: skip
    typed = kind in ("text", "button")
    stop = typed and is_stop(text)
    agreed = consent_state(person, studio.pk)[Purpose.WHATSAPP]
    if agreed is None and not stop:
        # Writing to the studio on WhatsApp is a yes to answers on WhatsApp; never over an earlier no. The words
        # kept say what happened, not what they wrote: the ledger outlives an erasure.
        consent_record(
            person=person, purpose=Purpose.WHATSAPP, given=True, how=How.REPLY, source="whatsapp",
            wording=_("Stuurde zelf een WhatsApp-bericht aan %(studio)s.") % {"studio": studio.name},
        )  # fmt: skip
    lead = open_lead_of(person)
    if lead is not None:
        from vollegym.leads.models import Activity
        from vollegym.leads.services import lead_timeline_add

        lead_timeline_add(lead=lead, kind=Activity.Kind.WHATSAPP_IN, body=text[:2000], at=sent_at)
    event_record(
        studio=studio, person=person, at=now,
        event=WhatsAppReceived(message_id=message.pk, kind_of_message=kind[:32], stop=stop),
    )  # fmt: skip
    if stop:
        whatsapp_stop(person=person, inbound=message)
    elif agreed is False and typed and is_start(text):
        whatsapp_start(person=person, inbound=message)
    return message


def _person_for(*, studio: Studio, phone: str, name: str) -> Person:
    """The studio's person with this number; someone unknown becomes a lead (source WhatsApp), so the clock starts."""
    from vollegym.core.phones import normalise_phone
    from vollegym.leads.models import Source
    from vollegym.leads.services import LeadInput, lead_capture
    from vollegym.people.services import person_match

    e164 = normalise_phone(phone).e164 or phone
    person = person_match(studio=studio, email="", phone=e164)
    if person is not None:
        return person
    captured = lead_capture(
        studio=studio, data=LeadInput(source=Source.WHATSAPP, name=name[:150], phone=e164)
    )
    return captured.lead.person


def whatsapp_stop(*, person: Person, inbound: InboundMessage) -> Message:
    """Withdraws WhatsApp at once, cancels what was queued, and confirms it once, saying how to undo it.

    The ledger keeps what happened in our words, never their message: it outlives an erasure.
    """
    studio = person.studio
    person_unsubscribe(
        person=person, purpose=Purpose.WHATSAPP,
        wording=_("Stuurde een stopwoord (zoals STOP) in WhatsApp aan %(studio)s: geen WhatsApp-berichten meer.")
        % {"studio": studio.name},
    )  # fmt: skip
    return message_queue(
        studio=studio, key=f"whatsapp:stop:{inbound.pk}", channel=Message.Channel.WHATSAPP,
        person=person, purpose="whatsapp_stop", ref=f"conversation:{inbound.conversation_id}",
        body=_("Je krijgt geen WhatsApp-berichten meer van %(studio)s. Toch weer berichten? Stuur START.")
        % {"studio": studio.name},
    )  # fmt: skip


def whatsapp_start(*, person: Person, inbound: InboundMessage) -> Message:
    """Gives WhatsApp consent again to someone who stopped it and now asks for it (START), and confirms it once."""
    studio = person.studio
    consent_record(
        person=person, purpose=Purpose.WHATSAPP, given=True, how=How.REPLY, source="whatsapp",
        wording=_(
            "Stuurde na een stop een aanmeldwoord (zoals START) in WhatsApp aan %(studio)s: weer WhatsApp-berichten."
        )
        % {"studio": studio.name},
    )  # fmt: skip
    return message_queue(
        studio=studio, key=f"whatsapp:start:{inbound.pk}", channel=Message.Channel.WHATSAPP,
        person=person, purpose="whatsapp_start", ref=f"conversation:{inbound.conversation_id}",
        body=_("Welkom terug: je krijgt weer WhatsApp-berichten van %(studio)s. Stoppen kan altijd met STOP.")
        % {"studio": studio.name},
    )  # fmt: skip


REPLY_KEY = re.compile(r"[0-9a-f]{32}")


@transaction.atomic
def conversation_reply(
    *, conversation: Conversation, by: User, key: str, text: str = "", template: str = ""
) -> Message:
    """A coach's answer through the outbox, sent once per key: free text inside the 24-hour window, else a template."""
    studio = conversation.studio
    person = conversation.person
    if not REPLY_KEY.fullmatch(key):
        raise InboxError(_("Dit formulier is verlopen; laad de pagina opnieuw."))
    if consent_state(person, studio.pk)[Purpose.WHATSAPP] is not True:
        raise InboxError(_("Deze persoon wil geen WhatsApp-berichten (meer) ontvangen."))
    text = text.strip()
    first_name = (person.name.split() or [""])[0]
    params: list[str] = []
    if template:
        templates = approved_templates(studio)
        if template not in templates:
            raise InboxError(_("Kies een van de goedgekeurde sjablonen."))
        params = templates[template].params(
            first_name=first_name, coach=by.get_full_name(), studio=studio.name
        )
        body = templates[template].label
    else:
        if not text:
            raise InboxError(_("Schrijf eerst een bericht."))
        if len(text) > 4096:
            raise InboxError(_("Een WhatsApp-bericht is hoogstens 4096 tekens lang."))
        if not whatsapp_window_open(person, clock.now()):
            raise InboxError(
                _(
                    "Het laatste bericht van %(name)s is meer dan 24 uur oud. WhatsApp staat dan alleen een "
                    "goedgekeurd sjabloon toe; vrije tekst kan weer zodra %(name)s zelf iets stuurt."
                )
                % {"name": first_name or _("deze persoon")}
            )
        body = text
    message = message_queue(
        studio=studio, key=f"inbox:reply:{key}", channel=Message.Channel.WHATSAPP, person=person,
        purpose="inbox_reply", ref=f"conversation:{conversation.pk}", body=body, template=template,
        template_params=params,
    )  # fmt: skip
    if message.status == Message.Status.CANCELLED:
        raise InboxError(
            _("Dit bericht kan niet worden verstuurd: %(reason)s")
            % {"reason": error_label(message.last_error)}
        )
    Conversation.objects.for_studio(studio).filter(pk=conversation.pk).update(
        last_message_at=clock.now(), last_text=body[:200], unread=0, is_open=True,
        assigned_to=conversation.assigned_to or by,
    )  # fmt: skip
    lead = open_lead_of(person)
    if lead is not None and not template:
        from vollegym.leads.models import Activity
        from vollegym.leads.services import lead_log_contact

        # A personal answer on WhatsApp is the lead's contact: it stops the clock.
        lead_log_contact(
            lead=lead, kind=Activity.Kind.WHATSAPP, by=by, outcome=Activity.Outcome.SENT, body=text
        )
    return message


def conversation_assign(*, conversation: Conversation, to: User | None) -> Conversation:
    """Who answers this conversation: one of the studio's team, or nobody."""
    studio_id = conversation.studio_id
    if to is not None and not StaffMembership.objects.for_studio(studio_id).filter(user=to).exists():
        raise InboxError(_("Kies iemand van het team van deze studio."))
    Conversation.objects.for_studio(studio_id).filter(pk=conversation.pk).update(assigned_to=to)
    conversation.assigned_to = to
    return conversation


def conversation_mark_read(*, conversation: Conversation) -> None:
    """Everything in the conversation counts as read."""
    Conversation.objects.for_studio(conversation.studio_id).filter(pk=conversation.pk).update(unread=0)
    conversation.unread = 0


def conversation_for(*, person: Person) -> Conversation:
    """The person's conversation, started (closed, empty) when a coach opens it before they ever wrote."""
    found, _created = Conversation.objects.for_studio(person.studio_id).get_or_create(
        studio_id=person.studio_id, person=person, defaults={"is_open": False}
    )
    return found
