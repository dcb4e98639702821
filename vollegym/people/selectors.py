"""Reads about people: the current state of each consent, derived from the ledger."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from vollegym.core.appmodules import app_modules
from vollegym.people.models import AuditEntry, ConsentEntry, Person, PrivacyRequest, PrivacySettings, Purpose
from vollegym.studios.models import Studio


def consent_ledger(person: Person) -> QuerySet[ConsentEntry]:
    return ConsentEntry.objects.for_studio(person.studio_id).filter(person=person).order_by("-at", "-id")


def consent_state(person: Person | int, studio_id: int) -> dict[str, bool | None]:
    """Per purpose: True (given), False (withdrawn or refused) or None (never asked): the latest entry decides."""
    person_id = person if isinstance(person, int) else person.pk
    state: dict[str, bool | None] = dict.fromkeys(Purpose.values)
    rows = (
        ConsentEntry.objects.for_studio(studio_id)
        .filter(person_id=person_id)
        .order_by("at", "id")
        .values_list("purpose", "given")
    )
    for purpose, given in rows:
        state[purpose] = given
    return state


# WhatsApp takes free-form messages only within 24 hours of the person's last message to us.
WHATSAPP_WINDOW = timedelta(hours=24)


def whatsapp_window_closes_at(person: Person) -> datetime | None:
    """When free text to the person stops being possible: 24 hours after their last WhatsApp message (None: never
    wrote)."""
    return person.last_inbound_at + WHATSAPP_WINDOW if person.last_inbound_at is not None else None


def whatsapp_window_open(person: Person, now: datetime) -> bool:
    """Whether free text may go to the person now: within 24 hours of their own last WhatsApp message."""
    closes_at = whatsapp_window_closes_at(person)
    return closes_at is not None and now < closes_at


def message_refusal(
    *,
    person: Person,
    channel: str,
    marketing: bool,
    template: str,
    now: datetime,
    state: dict[str, bool | None] | None = None,
    asked_for: bool = False,
    own_customer: bool = False,
) -> str:
    """Why a message to this person may not go out now, or "" when it may: the one place consent is checked.

    E-mail and WhatsApp need the person not to have refused contact; marketing needs its own yes (Telecommunicatiewet
    11.7), except to one's own (former) customer about a similar service (`own_customer`) who has not said no to it,
    with a way out in the message itself; WhatsApp needs a yes to WhatsApp, and outside the 24-hour window an
    approved template.
    """
    if person.erased_at is not None:
        return "the person was erased"
    if state is None:
        state = consent_state(person, person.studio_id)
    if state[Purpose.CONTACT] is False and not asked_for:
        return "the person withdrew consent to be contacted"
    if marketing and channel == "email" and state[Purpose.MARKETING] is not True:
        if not own_customer:
            return "no consent for news and offers by e-mail"
        if state[Purpose.MARKETING] is False:
            return "said no to news and offers by e-mail"
    if channel == "whatsapp":
        in_window = whatsapp_window_open(person, now)
        # What the person just asked for on WhatsApp itself (the confirmation of their "STOP") is an answer, not
        # a message they must have agreed to; only inside the window they opened.
        if state[Purpose.WHATSAPP] is not True and not (asked_for and in_window):
            return "no consent for WhatsApp"
        if not template and not in_window:
            return "outside WhatsApp's 24-hour window a message must be an approved template"
    return ""


def person_sections(person: Person) -> dict[str, list[dict[str, Any]]]:
    """What every app keeps about the person, section by section (the export, read on a page)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for module in app_modules("privacy"):
        found.update(module.export(person))
    # The story first (what they asked, the intake, the conversation, the membership), the records after.
    first = ["leads", "intakes", "conversations", "memberships", "enrolments", "sessions", "messages"]
    return {name: found[name] for name in [*first, *(n for n in found if n not in first)] if name in found}


def consent_rows(person: Person) -> list[tuple[str, bool | None]]:
    state = consent_state(person, person.studio_id)
    return [(str(Purpose(p).label), state[p]) for p in Purpose.values if p != Purpose.OTHER]


def requests_of(person: Person) -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.for_studio(person.studio_id).filter(person=person)


def open_requests(studio: Studio) -> QuerySet[PrivacyRequest]:
    return (
        PrivacyRequest.objects.for_studio(studio)
        .filter(status=PrivacyRequest.Status.OPEN)
        .select_related("person")
        .order_by("due_on")
    )


def audit_log(studio: Studio) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.for_studio(studio).select_related("user", "person")


# What a person can switch off on their own page (the link under every mail).
WITHDRAWABLE = (Purpose.CONTACT, Purpose.MARKETING, Purpose.WHATSAPP, Purpose.HEALTH, Purpose.MEASUREMENTS)


def consent_choices(person: Person) -> list[tuple[str, str, bool | None]]:
    """(purpose, label, on/off/never) for the person's own page: what they gave, and news by e-mail always.

    Someone who asked the studio something hears about it unless they said no: contact never asked counts as on.
    """
    state = consent_state(person, person.studio_id)
    if state[Purpose.CONTACT] is None:
        state[Purpose.CONTACT] = True
    return [
        (p, str(Purpose(p).label), state[p])
        for p in WITHDRAWABLE
        if state[p] is not None or p == Purpose.MARKETING
    ]


def retention_of(studio: Studio | None) -> PrivacySettings:
    """How long the studio keeps what it no longer needs; the defaults where it never set them (nothing is written)."""
    found = PrivacySettings.objects.for_studio(studio).first() if studio is not None else None
    return found or PrivacySettings()
