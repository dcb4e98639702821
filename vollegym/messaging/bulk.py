"""One message typed by staff, to a selection of people at once (from the leads or the members list).

Each message goes through the outbox like any other: `message_build` checks every person's consent, and a message
that may not go out is kept as "not sent" with its reason. The sender hears how many went into the outbox and how
many were refused, and why.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vollegym.core.names import first_name
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_build, messages_queue_new, whatsapp_ready
from vollegym.people.models import Person
from vollegym.studios.models import Studio, User

# The channels staff can write a selection on (an in-app notice is for staff, not for leads or members).
CHANNELS = (Message.Channel.EMAIL, Message.Channel.WHATSAPP)
FIRST_NAME = "{voornaam}"

# The reasons `message_refusal` gives (in English, as kept on the message), in the words staff read.
_REASONS: dict[str, Promise] = {
    "the person was erased": gettext_lazy("gegevens gewist"),
    "the person withdrew consent to be contacted": gettext_lazy("wil geen contact meer"),
    "no consent for news and offers by e-mail": gettext_lazy("geen toestemming voor nieuws en aanbiedingen"),
    "no consent for WhatsApp": gettext_lazy("geen toestemming voor WhatsApp"),
    "outside WhatsApp's 24-hour window a message must be an approved template": gettext_lazy(
        "langer dan 24 uur geen bericht van deze persoon (WhatsApp staat dan alleen een sjabloon toe)"
    ),
    "the person has no address for this channel": gettext_lazy("geen adres of nummer voor dit kanaal"),
}


def refusal_label(reason: str) -> str:
    """A refusal as staff read it; one the list does not know yet is shown as it was kept."""
    reason = reason.removeprefix("not sent: ")
    label = _REASONS.get(reason)
    return str(label) if label is not None else reason


@dataclass(frozen=True)
class Recipient:
    person: Person
    ref: str  # what the message is about: "lead:12", "member:7"


@dataclass
class Sent:
    """What became of a message to a selection."""

    queued: list[tuple[Recipient, Message]] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)  # reason, in words → how many

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())


def messages_to_people(
    *,
    studio: Studio,
    recipients: list[Recipient],
    channel: str,
    body: str,
    subject: str = "",
    marketing: bool = False,
    by: User | None = None,
) -> Sent:
    """Puts one message per person in the outbox, each only where that person's consent allows it.

    Call it inside the caller's transaction. `{voornaam}` in the text becomes each person's first name.
    """
    if channel not in CHANNELS:
        raise ValueError(f"staff write a selection by e-mail or WhatsApp, not {channel!r}")
    sent = Sent()
    if channel == Message.Channel.WHATSAPP and whatsapp_ready(studio) is None:
        sent.refused[_("WhatsApp is voor deze studio niet gekoppeld")] = len(recipients)
        return sent
    if channel == Message.Channel.EMAIL and not subject.strip():
        subject = _("Bericht van %(studio)s") % {"studio": studio.name}
    batch = uuid.uuid4().hex[:16]
    outbox: list[Message] = []
    for recipient in recipients:
        first = first_name(recipient.person.name, _("daar"))
        message = message_build(
            studio=studio, channel=channel, person=recipient.person, purpose="staff_message", marketing=marketing,
            key=f"bulk:{batch}:{recipient.ref}", ref=recipient.ref, reply_to=by.email if by else studio.email,
            subject=subject.replace(FIRST_NAME, first), body=body.replace(FIRST_NAME, first),
        )  # fmt: skip
        outbox.append(message)
        if message.status == Message.Status.CANCELLED:
            sent.refused[refusal_label(message.last_error)] += 1
        else:
            sent.queued.append((recipient, message))
    messages_queue_new(outbox)
    return sent
