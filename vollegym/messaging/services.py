"""Writes of the outbox: queue a message with its change, deliver it once, retry with backoff."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.messaging.models import Message, WhatsAppSettings
from vollegym.messaging.transports import RESEND_IS_HARMLESS, PermanentFailure, transport_for
from vollegym.people.links import preferences_token
from vollegym.people.models import Person
from vollegym.people.selectors import message_refusal
from vollegym.studios.models import Studio, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 15
# A message still "sending" after this long was interrupted mid-send (a crash, a database outage): it may or may
# not have gone out. Where a second send is harmless (an e-mail with the same Message-ID) it is sent once more;
# elsewhere "never twice" weighs more than "always", and it is kept as failed with the reason, for the owner.
STUCK_AFTER = timedelta(minutes=15)
INTERRUPTED = "interrupted while sending"


def backoff(attempts: int) -> timedelta:
    """15 s, 30 s, 1 min, 2 min, … capped at one hour."""
    return timedelta(seconds=min(BASE_DELAY_SECONDS * 2 ** max(attempts - 1, 0), 3600))


# Messages the person asked for this very moment (a sign-in link, the confirmation of their cancellation):
# withdrawing "contact" does not stop those.
ASKED_FOR = frozenset({"member_link", "cancellation", "whatsapp_stop"})
# Marketing to one's own former customers about the same kind of service (the message after someone left): allowed
# without a yes unless they said no, with the way out in the message (Telecommunicatiewet 11.7, third paragraph).
OWN_CUSTOMERS = frozenset({"win_back"})


def preferences_url(person: Person, studio: Studio, purpose: str = "") -> str:
    """The person's own page to see and withdraw each consent; signed, so it needs no sign-in."""
    path = reverse(
        "messaging_public:preferences", kwargs={"studio": studio.slug, "token": preferences_token(person)}
    )
    return f"{settings.SITE_URL}{path}" + (f"?doel={purpose}" if purpose else "")


def message_build(
    *,
    studio: Studio,
    channel: str,
    body: str,
    purpose: str,
    key: str,
    to: str = "",
    person: Person | None = None,
    marketing: bool = False,
    subject: str = "",
    url: str = "",
    ref: str = "",
    to_user: User | None = None,
    send_after: datetime | None = None,
    template: str = "",
    template_params: list[str] | None = None,
    attachments: list[dict[str, str]] | None = None,
    reply_to: str = "",
    consents: dict[str, bool | None] | None = None,
) -> Message:
    """A message ready for the outbox, not yet stored: its address, and whether consent lets it go out at all.

    A message to a person goes to their address and only with their consent (checked here for every caller:
    `consents` is the person's current state when the caller has it at hand, else it is read); one that may not go
    out is kept as "not sent" with the reason, so the timeline shows it.
    """
    refusal = ""
    if person is not None:
        to = to or (
            person.phone if channel in (Message.Channel.WHATSAPP, Message.Channel.SMS) else person.email
        )
        refusal = (
            message_refusal(
                person=person,
                channel=channel,
                marketing=marketing,
                template=template,
                now=clock.now(),
                state=consents,
                asked_for=purpose in ASKED_FOR,
                own_customer=purpose in OWN_CUSTOMERS,
            )
            if to
            else "the person has no address for this channel"
        )
        if channel == Message.Channel.EMAIL and not refusal:
            body = _with_unsubscribe(body, person, studio, marketing=marketing)
    elif not to:
        raise ValueError(f"message {key!r} has no address")
    message = Message(
        studio=studio, channel=channel, to=to, to_user=to_user, person=person, subject=subject[:200], body=body,
        url=url, purpose=purpose, ref=ref, key=key, next_attempt_at=send_after or clock.now(), template=template,
        template_params=template_params or [], attachments=attachments or [], reply_to=reply_to,
        marketing=marketing,
    )  # fmt: skip
    if refusal:
        message.status, message.last_error = Message.Status.CANCELLED, f"not sent: {refusal}"
    elif channel == Message.Channel.APP:
        message.status, message.sent_at = Message.Status.SENT, clock.now()
    return message


def messages_queue_new(messages: list[Message]) -> None:
    """Stores messages built for something that just came into being (their keys name it), in one statement.

    A key already there is skipped, never sent twice. No task per message: the outbox table is the queue, polled
    by every worker (messaging/queues.py) and, on PostgreSQL, woken by the NOTIFY the insert sends (a trigger).
    """
    Message.objects.bulk_create(messages, ignore_conflicts=True)


def message_queue(*, studio: Studio, key: str, **fields: Any) -> Message:
    """Puts one message in the outbox inside the caller's transaction; one message per key, ever."""
    existing = Message.objects.for_studio(studio).filter(key=key).first()
    if existing is not None:
        return existing
    message = message_build(studio=studio, key=key, **fields)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Another process queued the same key a moment ago.
        return Message.objects.for_studio(studio).get(key=key)
    return message


def _with_unsubscribe(body: str, person: Person, studio: Studio, *, marketing: bool) -> str:
    from vollegym.people.models import Purpose

    link = preferences_url(person, studio, Purpose.MARKETING if marketing else "")
    footer = (
        _("Geen nieuws en aanbiedingen meer ontvangen? Meld je af: %(link)s")
        if marketing
        else _("Welke berichten je van ons krijgt, kies je hier: %(link)s")
    ) % {"link": link}
    return f"{body.rstrip()}\n\n--\n{footer}\n"


def message_deliver(*, message_id: int) -> str:
    """Sends one queued message if it is due and nobody else is sending it; returns what happened."""
    now = clock.now()
    claimed = Message.all_studios.filter(
        pk=message_id, status=Message.Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Message.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return "not due or already handled"
    message = Message.all_studios.select_related("person", "studio").get(pk=message_id)
    if not message.studio.is_active:
        # A switched-off studio speaks to nobody any more: what it had queued (onboarding, reminders) stays unsent.
        _finish(message, Message.Status.CANCELLED, error="not sent: the studio is switched off")
        return "cancelled"
    if message.person is not None:
        # Consent may have been withdrawn since the message was queued: it then stays unsent.
        refusal = message_refusal(
            person=message.person, channel=message.channel, marketing=message.marketing,
            template=message.template, now=now, asked_for=message.purpose in ASKED_FOR,
            own_customer=message.purpose in OWN_CUSTOMERS,
        )  # fmt: skip
        if refusal:
            _finish(message, Message.Status.CANCELLED, error=f"not sent: {refusal}")
            return "cancelled"
    try:
        provider_id = transport_for(message.channel)(message)
    except PermanentFailure as exc:
        _finish(message, Message.Status.FAILED, error=str(exc))
        return "failed"
    except Exception as exc:  # a TemporaryFailure, or any surprise: retried with backoff, then given up
        error = str(exc) or type(exc).__name__
        if message.attempts >= MAX_ATTEMPTS:
            _finish(
                message, Message.Status.FAILED, error=f"gave up after {message.attempts} attempts: {error}"
            )
            return "failed"
        retry_at = clock.now() + backoff(message.attempts)
        Message.all_studios.filter(pk=message.pk, status=Message.Status.SENDING).update(
            status=Message.Status.QUEUED, next_attempt_at=retry_at, last_error=error
        )
        message.next_attempt_at = retry_at
        log.warning(
            "message %s: attempt %s failed, retry at %s: %s", message.pk, message.attempts, retry_at, error
        )
        return "retry"
    _finish(message, Message.Status.SENT, provider_id=provider_id)
    return "sent"


def _finish(message: Message, status: str, *, error: str = "", provider_id: str = "") -> None:
    Message.all_studios.filter(pk=message.pk, status=Message.Status.SENDING).update(
        status=status,
        last_error=error,
        provider_id=provider_id,
        sent_at=clock.now() if status == Message.Status.SENT else None,
    )


def outbox_sweep(*, now: datetime | None = None) -> int:
    """The safety net: settles interrupted sends (the ones that may go once more are queued again)."""
    return len(_interrupted_settle(now or clock.now()))


def outbox_deliver_due(*, limit: int = 50, now: datetime | None = None) -> int:
    """Sends what is due, oldest first; each message is claimed by a conditional update, so workers share the work."""
    now = now or clock.now()
    due = list(
        Message.all_studios.filter(status=Message.Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(message_deliver(message_id=pk) != "not due or already handled" for pk in due)


def _interrupted_settle(now: datetime) -> list[int]:
    """An interrupted send goes once more where that is harmless, else fails with the reason; never silently."""
    stuck = Message.all_studios.filter(status=Message.Status.SENDING, claimed_at__lt=now - STUCK_AFTER)
    resend = []
    for message in stuck.only("pk", "channel", "attempts", "last_error", "claimed_at")[:500]:
        once_more = (
            message.channel in RESEND_IS_HARMLESS
            and not message.last_error.startswith(INTERRUPTED)  # the once-more was itself interrupted
            and message.attempts < MAX_ATTEMPTS
        )
        if once_more:
            change = {
                "status": Message.Status.QUEUED, "next_attempt_at": now,
                "last_error": f"{INTERRUPTED}; sent once more, with the same Message-ID",
            }  # fmt: skip
        elif message.channel in RESEND_IS_HARMLESS:
            change = {
                "status": Message.Status.FAILED,
                "last_error": (
                    f"{INTERRUPTED} again; not sent once more: it may or may not have gone out"
                    if message.last_error.startswith(INTERRUPTED)
                    else f"{INTERRUPTED} at attempt {message.attempts}; not sent once more: it may or may not have gone out"
                ),
            }
        else:
            change = {
                "status": Message.Status.FAILED,
                "last_error": (
                    f"{INTERRUPTED}; it may or may not have gone out, and {message.channel} cannot tell a second "
                    "send from a new message, so it was not sent again"
                ),
            }
        # Only the row as this sweep saw it: another worker's sweep may have settled it a moment ago.
        settled = Message.all_studios.filter(
            pk=message.pk, status=Message.Status.SENDING, claimed_at=message.claimed_at
        ).update(**change)
        if settled:
            log.warning("message %s (%s): %s", message.pk, message.channel, change["last_error"])
            if once_more:
                resend.append(message.pk)
    return resend


def messages_cancel(*, studio: Studio, ref: str, purpose: str) -> int:
    """Calls off queued messages that no longer make sense (a reminder for a conversation that moved)."""
    return (
        Message.objects.for_studio(studio)
        .filter(ref=ref, purpose=purpose, status=Message.Status.QUEUED)
        .update(status=Message.Status.CANCELLED, last_error="called off before it was due")
    )


def whatsapp_ready(studio: Studio) -> WhatsAppSettings | None:
    """The studio's WhatsApp settings when it can send WhatsApp, else None."""
    return WhatsAppSettings.objects.for_studio(studio).filter(is_active=True).first()


class WhatsAppSettingsError(ValueError):
    """A WhatsApp connection that cannot be kept: which field, and why in Dutch, for the owner."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


# Meta's number id is digits; the demo's stand-in uses a readable one, so letters, "-" and "_" pass as well.
_NUMBER_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
_ACCESS_TOKEN = re.compile(r"[A-Za-z0-9._~+/=|-]{20,1000}")
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,120}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")


@transaction.atomic
def whatsapp_settings_save(
    *,
    studio: Studio,
    phone_number_id: str,
    token: str,
    ack_template: str,
    reminder_template: str,
    language: str,
    is_active: bool,
) -> WhatsAppSettings:
    """Keeps the studio's WhatsApp number: an id no other studio has (Meta's deliveries find the studio by it), a
    token (empty keeps the one kept; it is never shown again), template names and language as Meta writes them."""
    number_id, token = phone_number_id.strip(), token.strip()
    if not _NUMBER_ID.fullmatch(number_id):
        raise WhatsAppSettingsError("phone_number_id", _(
            "Het telefoonnummer-ID bestaat uit cijfers, zoals 106540352242922, zonder spaties of +. Je vindt het in "
            "Meta onder WhatsApp → API-instellingen; het is niet het telefoonnummer zelf."
        ))  # fmt: skip
    current = WhatsAppSettings.objects.for_studio(studio).select_for_update().first()
    if token and not _ACCESS_TOKEN.fullmatch(token):
        raise WhatsAppSettingsError("token", _(
            "Dit lijkt geen toegangstoken van Meta: dat is één lange reeks letters en cijfers (minstens 20), "
            "zonder spaties. Kopieer het opnieuw uit Meta."
        ))  # fmt: skip
    if not token and current is None:
        raise WhatsAppSettingsError("token", _("Plak het toegangstoken uit Meta."))
    for field, name in (("ack_template", ack_template), ("reminder_template", reminder_template)):
        if not _TEMPLATE_NAME.fullmatch(name.strip()):
            raise WhatsAppSettingsError(field, _(
                "Een sjabloonnaam zoals Meta hem schrijft: kleine letters, cijfers en _, zoals lead_bevestiging."
            ))  # fmt: skip
    if not _LANGUAGE.fullmatch(language.strip()):
        raise WhatsAppSettingsError("language", _("Een taalcode zoals Meta die gebruikt: nl, en of en_US."))
    # The one crossing: a number id belongs to one studio, or Meta's deliveries could reach the wrong one.
    taken = WhatsAppSettings.all_studios.filter(phone_number_id=number_id).exclude(studio=studio).exists()
    if taken:
        raise WhatsAppSettingsError(
            "phone_number_id", _("Dit telefoonnummer-ID is al aan een andere studio gekoppeld.")
        )
    fields = {
        "phone_number_id": number_id, "ack_template": ack_template.strip(),
        "reminder_template": reminder_template.strip(), "language": language.strip(), "is_active": is_active,
    }  # fmt: skip
    if current is None:
        return WhatsAppSettings.objects.create(studio=studio, token=token, **fields)
    for name, value in fields.items():
        setattr(current, name, value)
    if token:
        current.token = token
    current.save()
    return current


@transaction.atomic
def whatsapp_settings_remove(*, studio: Studio) -> bool:
    """Forgets the studio's WhatsApp number and token: nothing goes out by WhatsApp, and nothing comes in."""
    return bool(WhatsAppSettings.objects.for_studio(studio).delete()[0])


def notifications_mark_read(*, user: User, studio: Studio) -> int:
    """Marks a person's in-app notifications in a studio as read."""
    return (
        Message.objects.for_studio(studio)
        .filter(channel=Message.Channel.APP, to_user=user, read_at__isnull=True)
        .update(read_at=clock.now())
    )


@transaction.atomic
def person_unsubscribe(*, person: Person, purpose: str, wording: str) -> int:
    """Withdraws one consent from the person's own page; queued messages that needed it stop at once."""
    from vollegym.people.models import How, Purpose
    from vollegym.people.rights import consent_withdrawn_data
    from vollegym.people.services import consent_record

    consent_record(person=person, purpose=purpose, given=False, how=How.UNSUBSCRIBE, wording=wording)
    consent_withdrawn_data(person=person, purpose=purpose)
    queued = Message.objects.for_studio(person.studio_id).filter(person=person, status=Message.Status.QUEUED)
    if purpose == Purpose.WHATSAPP:
        queued = queued.filter(channel=Message.Channel.WHATSAPP)
    elif purpose == Purpose.MARKETING:
        queued = queued.filter(marketing=True)
    elif purpose != Purpose.CONTACT:
        return 0
    return queued.update(status=Message.Status.CANCELLED, last_error=f"not sent: {purpose} withdrawn")
