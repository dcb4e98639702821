"""What the person commands share: finding one person of a studio by e-mail or phone, typed any way."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from vollegym.core.phones import normalise_phone
from vollegym.people.models import Person
from vollegym.people.services import person_match
from vollegym.studios.cli import studio_argument


def add_person_arguments(parser: CommandParser) -> None:
    parser.add_argument("studio", help="the studio's slug")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="the person's e-mail address")
    who.add_argument("--phone", help="the person's phone number (06…, +31…, any spacing)")


def person_argument(studio: str, email: str | None, phone: str | None) -> Person:
    """The one person of the studio with this e-mail or phone, or a CommandError that says what was looked for."""
    found_studio = studio_argument(studio)
    e164 = normalise_phone(phone).e164 if phone else ""
    if phone and not e164:
        raise CommandError(f"--phone: {phone!r} is not a phone number")
    address = (email or "").strip().lower()
    person = person_match(studio=found_studio, email=address, phone=e164)
    if person is None:
        raise CommandError(f"nobody with {'e-mail ' + address if address else 'phone ' + e164} in {studio}")
    return person
