"""Calendar files (RFC 5545) for the kennismakingsgesprek: the invite a prospect and coach get, and a coach's feed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from email.utils import parseaddr

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from vollegym.core import clock
from vollegym.core.phones import display_phone
from vollegym.intake.models import Booking

PRODID = "-//Volle Gym//Kennismakingsgesprek//NL"


def _calendar(method: str | None, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _event(booking: Booking, *, for_coach: bool, cancelled: bool = False) -> Event:
    studio = booking.studio
    lead = booking.lead
    event = Event()
    # One UID per booking: a reschedule or a cancellation replaces the event the calendar already has.
    event.add("uid", f"booking-{booking.pk}@{studio.slug}.vollegym")
    event.add("dtstamp", clock.now())
    event.add("sequence", booking.sequence)
    # In UTC: every calendar app reads it right, with no time zone definition to ship along.
    event.add("dtstart", booking.starts_at.astimezone(UTC))
    event.add("dtend", booking.ends_at.astimezone(UTC))
    if for_coach:
        event.add("summary", f"Kennismaking: {lead}")
        phone = display_phone(lead.phone) or lead.phone_as_given or "-"
        details = [f"Telefoon: {phone}", f"E-mail: {lead.email or '-'}"]
        event.add("description", "\n".join(details))
    else:
        event.add("summary", f"Kennismakingsgesprek bij {studio.name}")
        event.add("description", f"{booking.kind.name} met {booking.coach.get_short_name()}.")
    location = booking.kind.where
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # The coach organises: an answer from a calendar app reaches a person, not the sender address.
    _, sender = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{booking.coach.email or sender or 'noreply@localhost'}")
    organizer.params["cn"] = vText(f"{booking.coach.get_short_name()} ({studio.name})")
    event.add("organizer", organizer)
    if lead.email and not for_coach:
        attendee = vCalAddress(f"mailto:{lead.email}")
        attendee.params["cn"] = vText(str(lead))
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    return event


def invite(booking: Booking, *, for_coach: bool = False, cancelled: bool = False) -> str:
    """The invite attached to a confirmation (REQUEST) or cancellation (CANCEL) mail."""
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    calendar.add_component(_event(booking, for_coach=for_coach, cancelled=cancelled))
    return str(calendar.to_ical().decode())


def feed(bookings: Iterable[Booking], *, name: str) -> str:
    """A coach's subscribed calendar: every planned conversation, newest state of each."""
    calendar = _calendar(None, name)
    for booking in bookings:
        calendar.add_component(_event(booking, for_coach=True))
    return str(calendar.to_ical().decode())
