"""Demo data of the WhatsApp inbox: the demo studio's number, connected to the stand-in `vollegym demo` starts, and a
few conversations (one waiting for an answer, one answered, one outside the 24-hour window, one new number)."""

from __future__ import annotations

from datetime import datetime, timedelta

from vollegym.core import clock
from vollegym.inbox.models import Conversation
from vollegym.inbox.services import conversation_assign, inbound_receive
from vollegym.leads.models import Lead
from vollegym.messaging.models import Message, WhatsAppSettings
from vollegym.programs.models import Member
from vollegym.retention.services import lead_runs_start, lead_runs_stop
from vollegym.studios.models import StaffMembership, Studio, User

# Public, for the demo and the stand-in only: Meta never sees them.
DEMO_PHONE_NUMBER_ID = "demo-whatsapp-1"
DEMO_TOKEN = "demo-whatsapp-standin-token"  # noqa: S105
DEMO_APP_SECRET = "demo-whatsapp-app-secret"  # noqa: S105
DEMO_VERIFY_TOKEN = "demo-whatsapp-verify-token"  # noqa: S105


def load(*, years: int = 1) -> None:
    """The WhatsApp number and the conversations of the last hours (whatever the `years` of history)."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or WhatsAppSettings.objects.for_studio(studio).exists():
        return  # no demo studio, or WhatsApp is already set up
    WhatsAppSettings.objects.create(studio=studio, phone_number_id=DEMO_PHONE_NUMBER_ID, token=DEMO_TOKEN)
    now = clock.now()
    coach = (
        StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.COACH)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    known = list(
        Lead.objects.for_studio(studio)
        .open()
        .exclude(person__phone="")
        .select_related("person")
        .order_by("-created_at")[:3]
    )
    talks = [
        (timedelta(hours=2), "Hoi! Kan ik deze week nog een proefles doen? Liefst 's avonds.", False),
        (timedelta(hours=5), "Top, dan zie ik jullie donderdag om 19:00 👍", True),
        (timedelta(hours=30), "Ik twijfel nog even tussen het 12-weken programma en los sporten.", False),
    ]
    for n, (lead, (ago, text, answered)) in enumerate(zip(known, talks, strict=False)):
        inbound_receive(
            studio=studio, wa_id=f"wamid.DEMO{n}", phone=lead.person.phone, name=lead.person.name, kind="text",
            text=text, sent_at=now - ago,
        )  # fmt: skip
        conversation = Conversation.objects.for_studio(studio).get(person=lead.person)
        if answered and coach is not None:
            conversation_assign(conversation=conversation, to=coach.user)
            # Shown as sent and read (the stand-in was not up when the demo was loaded).
            Message.objects.create(
                studio=studio, channel=Message.Channel.WHATSAPP, to=lead.person.phone, person=lead.person,
                body="Hoi! Donderdag 19:00 staat genoteerd. Neem een handdoek en water mee, tot dan!",
                purpose="inbox_reply", key=f"demo:inbox:{conversation.pk}", ref=f"conversation:{conversation.pk}",
                status=Message.Status.SENT, sent_at=now - ago + timedelta(minutes=12), created_at=now - ago,
                provider_id=f"wamid.DEMOOUT{n}", delivery=Message.Delivery.READ,
                delivered_at=now - ago + timedelta(minutes=12), read_at=now - ago + timedelta(minutes=20),
            )  # fmt: skip
            Conversation.objects.for_studio(studio).filter(pk=conversation.pk).update(unread=0)
    if coach is not None:
        _member_conversation(studio, coach.user, now)
    inbound_receive(
        studio=studio, wa_id="wamid.DEMONEW", phone="+31687654321", name="Lotte Visser", kind="text",
        text="Hallo, ik zag jullie op Instagram. Wat kost een maand onbeperkt sporten?",
        sent_at=now - timedelta(minutes=12),
    )  # fmt: skip
    # The worker's next sweep (retention/sweeps.py) puts the new lead on its follow-up and stops the sequences of
    # the leads who just wrote, as it did for the demo's other leads.
    lead_runs_start(now=now)
    lead_runs_stop(now=now)


def _member_conversation(studio: Studio, coach: User, now: datetime) -> None:
    """A member who asked something on WhatsApp, got an answer (read) and thanked: on the member's page too."""
    member = (
        Member.objects.for_studio(studio)
        .exclude(person__phone="")
        .select_related("person")
        .order_by("pk")
        .first()
    )
    if member is None:
        return
    person = member.person
    inbound_receive(
        studio=studio, wa_id="wamid.DEMOMEMBER1", phone=person.phone, name=person.name, kind="text",
        text="Hoi! Kan ik donderdag een uur later komen? Ik moet langer werken.", sent_at=now - timedelta(hours=3),
    )  # fmt: skip
    conversation = Conversation.objects.for_studio(studio).get(person=person)
    conversation_assign(conversation=conversation, to=coach)
    answered = now - timedelta(hours=2, minutes=50)
    Message.objects.create(
        studio=studio, channel=Message.Channel.WHATSAPP, to=person.phone, person=person,
        body="Geen probleem: ik zet je op de les van 19:00. Tot donderdag!", purpose="inbox_reply",
        key=f"demo:inbox:{conversation.pk}", ref=f"conversation:{conversation.pk}", status=Message.Status.SENT,
        sent_at=answered, created_at=answered, provider_id="wamid.DEMOMEMBEROUT", delivery=Message.Delivery.READ,
        delivered_at=answered, read_at=answered + timedelta(minutes=4),
    )  # fmt: skip
    Conversation.objects.for_studio(studio).filter(pk=conversation.pk).update(unread=0)
    inbound_receive(
        studio=studio, wa_id="wamid.DEMOMEMBER2", phone=person.phone, name=person.name, kind="text",
        text="Top, dankjewel!", sent_at=now - timedelta(hours=2, minutes=40),
    )  # fmt: skip
