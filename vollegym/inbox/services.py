"""Writes of the WhatsApp inbox: a message received, a reply sent through the outbox, who answers, what is read."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.inbox.models import Conversation, InboundMessage
from vollegym.inbox.selectors import approved_templates, open_lead_of, whatsapp_window_open
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue, person_unsubscribe
from vollegym.people.events import WhatsAppReceived, event_record
from vollegym.people.models import How, Person, Purpose
from vollegym.people.selectors import consent_state
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


def is_stop(text: str) -> bool:
    """Whether a message asks for no more WhatsApp: "STOP", "stop", "Stop.", "afmelden", "geen berichten meer"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z ]+", " ", plain).split()
    return " ".join(words) in STOP_WORDS


@transaction.atomic
def inbound_receive(
    *, studio: Studio, wa_id: str, phone: str, name: str, kind: str, text: str, sent_at: datetime
) -> InboundMessage | None:
    """Keeps one WhatsApp message once per id: the person (a new lead when unknown), their window, the inbox."""
    if InboundMessage.objects.for_studio(studio).filter(wa_id=wa_id).exists():
        return None  # Meta sent it again
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
    stop = kind in ("text", "button") and is_stop(text)
    state = consent_state(person, studio.pk)
    if not stop and state[Purpose.WHATSAPP] is None:
        # Writing to the studio on WhatsApp is a yes to answers on WhatsApp; never over an earlier no.
        consent_record(
            person=person, purpose=Purpose.WHATSAPP, given=True, how=How.REPLY, source="whatsapp",
            wording=_("Stuurde zelf een WhatsApp-bericht aan %(studio)s: “%(text)s”")
            % {"studio": studio.name, "text": text[:200]},
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
        whatsapp_stop(person=person, wording=text, inbound=message)
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


def whatsapp_stop(*, person: Person, wording: str, inbound: InboundMessage) -> Message:
    """Withdraws WhatsApp at once with the words received, cancels what was queued, and confirms it once."""
    person_unsubscribe(person=person, purpose=Purpose.WHATSAPP, wording=f"WhatsApp: {wording[:500]}")
    return message_queue(
        studio=person.studio, key=f"whatsapp:stop:{inbound.pk}", channel=Message.Channel.WHATSAPP,
        person=person, purpose="whatsapp_stop", ref=f"conversation:{inbound.conversation_id}",
        body=_("Je krijgt geen WhatsApp-berichten meer van %(studio)s. Toch weer iets vragen? Stuur gerust een bericht.")
        % {"studio": person.studio.name},
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
            _("Dit bericht kan niet worden verstuurd: %(reason)s") % {"reason": message.last_error}
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


def conversation_close(*, conversation: Conversation, is_open: bool) -> None:
    """Closes (or opens again) a conversation; a new message from the person opens it again anyway."""
    Conversation.objects.for_studio(conversation.studio_id).filter(pk=conversation.pk).update(is_open=is_open)
    conversation.is_open = is_open


def conversation_for(*, person: Person) -> Conversation:
    """The person's conversation, started (closed, empty) when a coach opens it before they ever wrote."""
    found, _created = Conversation.objects.for_studio(person.studio_id).get_or_create(
        studio_id=person.studio_id, person=person, defaults={"is_open": False}
    )
    return found
