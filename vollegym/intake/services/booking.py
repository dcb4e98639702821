"""Writes of the kennismakingsgesprek: book, move, cancel, and what came of it; each with its messages."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.intake import calendar, selectors
from vollegym.intake.models import (
    Availability,
    AvailabilityException,
    Booking,
    BookingClaim,
    CoachCalendar,
    ConsultationType,
    IntakeResponse,
)
from vollegym.intake.models.consultations import UNIT_MINUTES, calendar_token_hash, new_calendar_token
from vollegym.intake.slots import claimed_span, units
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.leads.services import lead_log_contact, lead_move, lead_timeline_add, lead_url
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue, messages_cancel, whatsapp_ready
from vollegym.people.events import (
    ConversationBooked,
    ConversationCancelled,
    ConversationRecorded,
    event_record,
)
from vollegym.people.models import Purpose
from vollegym.people.selectors import consent_state
from vollegym.studios.models import StaffMembership, Studio, User

REMINDERS = (timedelta(hours=24), timedelta(hours=2))
SIGNER_SALT = "vollegym.intake.booking"
# A lead in one of these stages is moved to "intake booked" when a conversation is planned.
BOOKABLE_FROM = frozenset({Stage.NEW, Stage.CONTACTED, Stage.INTAKE_BOOKED, Stage.NO_SHOW, Stage.LOST})


class BookingError(ValueError):
    """A booking that cannot be made or changed; the reason is for the person who tried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SlotTaken(BookingError):
    """The moment is no longer free: somebody else was a moment faster, or it fell outside the rules."""

    def __init__(self) -> None:
        super().__init__("Dit moment is net door iemand anders geboekt. Kies een ander moment.")


def booking_path(booking: Booking) -> str:
    """The signed path where the prospect sees, moves or cancels their conversation."""
    token = signing.Signer(salt=SIGNER_SALT).sign(str(booking.pk))
    return reverse("intake:booking", kwargs={"studio": booking.studio.slug, "signed": token})


def booking_link(booking: Booking) -> str:
    return f"{settings.SITE_URL}{booking_path(booking)}"


def booking_from_link(studio: Studio, signed: str) -> Booking | None:
    """The booking a signed link points at, in this studio; None for a forged or foreign link."""
    try:
        pk = int(signing.Signer(salt=SIGNER_SALT).unsign(signed))
    except (signing.BadSignature, ValueError):
        return None
    return (
        Booking.objects.for_studio(studio)
        .filter(pk=pk)
        .select_related("kind", "coach", "lead", "studio")
        .first()
    )


def _claim(booking: Booking, coach_id: int, starts_at: datetime) -> bool:
    """Takes the coach's time for the booking; False when any unit of it is already taken (by the database)."""
    rules = selectors.rules_of(booking.kind)
    claims = [
        BookingClaim(studio_id=booking.studio_id, booking=booking, coach_id=coach_id, unit=unit)
        for unit in units(*claimed_span(starts_at, rules))
    ]
    try:
        with transaction.atomic():
            BookingClaim.objects.bulk_create(claims)
    except IntegrityError:
        return False
    return True


def _coaches_in_order(lead: Lead, coach_ids: tuple[int, ...]) -> list[int]:
    """The lead's own coach first when free, then the others."""
    if lead.assigned_to_id in coach_ids:
        return [lead.assigned_to_id, *(c for c in coach_ids if c != lead.assigned_to_id)]
    return list(coach_ids)


def _free_coaches(
    kind: ConsultationType, starts_at: datetime, ignore: Booking | None = None
) -> tuple[int, ...]:
    day = clock.local(starts_at, kind.studio.zone).date()
    for slot in selectors.open_slots(kind, days=[day], ignore=ignore):
        if slot.starts_at == starts_at:
            return slot.coach_ids
    return ()


@transaction.atomic
def booking_make(
    *,
    lead: Lead,
    kind: ConsultationType,
    starts_at: datetime,
    response: IntakeResponse | None = None,
    by: User | None = None,
) -> Booking:
    """Books a free moment with a free coach; the database refuses a second booking of the same time."""
    if kind.studio_id != lead.studio_id or not kind.is_active:
        raise BookingError(_("Dit soort gesprek is niet te boeken."))
    if response is not None and (response.lead_id != lead.pk or response.completed_at is None):
        # The price comes last: a prospect books the conversation from the plan, after every question.
        raise BookingError(_("Maak eerst de intake af; daarna kies je een moment voor het gesprek."))
    existing = (
        Booking.objects.for_studio(lead.studio_id).planned().select_for_update().filter(lead=lead).first()
    )
    if existing is not None and existing.ends_at < clock.now():
        # Its time passed and nobody recorded what happened; the lead books again, so it did not take place.
        Booking.objects.for_studio(lead.studio_id).filter(pk=existing.pk).update(
            status=Booking.Status.CANCELLED, cancelled_at=clock.now()
        )
        BookingClaim.objects.for_studio(lead.studio_id).filter(booking=existing).delete()
        lead_timeline_add(
            lead=lead, kind=Activity.Kind.BOOKING, by=by, data={"booking": existing.pk},
            body=f"Gesprek van {_when(existing)} niet vastgelegd; er is een nieuw gesprek geboekt",
        )  # fmt: skip
        existing = None
    if existing is not None:
        if existing.starts_at == starts_at and existing.kind_id == kind.pk:
            return existing  # the same form sent twice
        raise BookingError(
            _("Je hebt al een gesprek gepland; verzet dat gesprek via de link in je bevestiging.")
        )
    coach_ids = _free_coaches(kind, starts_at)
    if not coach_ids:
        raise SlotTaken
    rules = selectors.rules_of(kind)
    booking = Booking(
        studio_id=lead.studio_id, lead=lead, person_id=lead.person_id, response=response, kind=kind,
        starts_at=starts_at, ends_at=starts_at + rules.duration,
    )  # fmt: skip
    for coach_id in _coaches_in_order(lead, coach_ids):
        booking.coach_id = coach_id
        try:
            with transaction.atomic():
                booking.save()
                if _claim(booking, coach_id, starts_at):
                    break
                raise _Retry
        except _Retry:
            booking.pk = None
        except IntegrityError:
            # The same lead booked a moment ago (a double click on another slot): that booking stands.
            raise BookingError(
                _("Je hebt al een gesprek gepland; verzet dat gesprek via de link in je bevestiging.")
            ) from None
    else:
        raise SlotTaken
    if lead.stage in BOOKABLE_FROM and lead.stage != Stage.INTAKE_BOOKED:
        lead_move(lead=lead, stage=Stage.INTAKE_BOOKED, by=by)
    event_record(
        studio=lead.studio_id, person=lead.person_id, by=by,
        event=ConversationBooked(lead_id=lead.pk, booking_id=booking.pk, starts_at=booking.starts_at),
    )  # fmt: skip
    lead_timeline_add(
        lead=lead, kind=Activity.Kind.BOOKING, by=by, data={"booking": booking.pk},
        body=f"Kennismakingsgesprek gepland: {_when(booking)} met {booking.coach.get_short_name()} "
        f"({kind.name})",
    )  # fmt: skip
    _announce(booking, change="booked")
    return booking


class _Retry(Exception):
    """This coach's time was taken a moment ago: undo the booking row and try the next coach."""


@transaction.atomic
def booking_reschedule(
    *, booking: Booking, starts_at: datetime, kind: ConsultationType | None = None, by: User | None = None
) -> Booking:
    """Moves a planned conversation to another free moment; the old time is only given up if the new one holds."""
    booking = Booking.objects.for_studio(booking.studio_id).select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.BOOKED:
        raise BookingError(_("Dit gesprek staat niet meer gepland."))
    kind = kind or booking.kind
    # A kind switched off meanwhile still serves the conversations already booked with it.
    if kind.studio_id != booking.studio_id or (not kind.is_active and kind.pk != booking.kind_id):
        raise BookingError(_("Dit soort gesprek is niet te boeken."))
    if starts_at == booking.starts_at and kind.pk == booking.kind_id:
        return booking  # moved to where it already was: nothing changes, nobody gets a mail
    before = _when(booking)
    coach_ids = _free_coaches(kind, starts_at, ignore=booking)
    if not coach_ids:
        raise SlotTaken
    BookingClaim.objects.for_studio(booking.studio_id).filter(booking=booking).delete()
    booking.kind = kind
    order = [booking.coach_id, *(c for c in coach_ids if c != booking.coach_id)]
    for coach_id in (c for c in order if c in coach_ids):
        if _claim(booking, coach_id, starts_at):
            booking.coach_id = coach_id
            break
    else:
        raise SlotTaken  # the transaction rolls back: the old claims are back, the old time still holds
    booking.starts_at, booking.ends_at = starts_at, starts_at + selectors.rules_of(kind).duration
    booking.sequence += 1
    booking.save()
    event_record(
        studio=booking.studio_id, person=booking.person_id, by=by,
        event=ConversationBooked(
            lead_id=booking.lead_id, booking_id=booking.pk, starts_at=booking.starts_at, moved=True
        ),
    )  # fmt: skip
    messages_cancel(studio=booking.studio, ref=_ref(booking), purpose="booking_reminder")
    lead_timeline_add(
        lead=booking.lead, kind=Activity.Kind.BOOKING, by=by, data={"booking": booking.pk},
        body=f"Kennismakingsgesprek verzet van {before} naar {_when(booking)}",
    )  # fmt: skip
    _announce(booking, change="moved")
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User | None = None, reason: str = "") -> Booking:
    """Cancels a planned conversation: the time is free again, reminders are called off, both sides hear of it."""
    booking = Booking.objects.for_studio(booking.studio_id).select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.BOOKED:
        raise BookingError(_("Dit gesprek staat niet meer gepland."))
    booking.status, booking.cancelled_at = Booking.Status.CANCELLED, clock.now()
    booking.sequence += 1
    booking.save(update_fields=["status", "cancelled_at", "sequence"])
    event_record(
        studio=booking.studio_id, person=booking.person_id, by=by,
        event=ConversationCancelled(lead_id=booking.lead_id, booking_id=booking.pk),
    )  # fmt: skip
    BookingClaim.objects.for_studio(booking.studio_id).filter(booking=booking).delete()
    messages_cancel(studio=booking.studio, ref=_ref(booking), purpose="booking_reminder")
    lead = booking.lead
    who = by.get_short_name() if by else "de prospect zelf"
    lead_timeline_add(
        lead=lead, kind=Activity.Kind.BOOKING, by=by, data={"booking": booking.pk},
        body=f"Kennismakingsgesprek van {_when(booking)} geannuleerd door {who}" + (f": {reason}" if reason else ""),
    )  # fmt: skip
    if lead.stage == Stage.INTAKE_BOOKED:
        lead_move(lead=lead, stage=Stage.CONTACTED if lead.first_contact_at else Stage.NEW, by=by)
    _announce(booking, change="cancelled")
    return booking


@transaction.atomic
def booking_attendance(*, booking: Booking, showed: bool, by: User | None) -> Booking:
    """Records whether the prospect came; the lead's stage follows (intake held, or no-show)."""
    booking = Booking.objects.for_studio(booking.studio_id).select_for_update().get(pk=booking.pk)
    if booking.status == Booking.Status.CANCELLED:
        raise BookingError(_("Dit gesprek is geannuleerd."))
    if booking.starts_at > clock.now():
        raise BookingError(_("Dit gesprek moet nog beginnen."))
    booking.status = Booking.Status.SHOWED if showed else Booking.Status.NO_SHOW
    booking.recorded_at, booking.recorded_by = clock.now(), by
    if not showed:
        booking.outcome, booking.lost_reason = "", ""
    booking.save(update_fields=["status", "recorded_at", "recorded_by", "outcome", "lost_reason"])
    event_record(
        studio=booking.studio_id, person=booking.person_id, by=by,
        event=ConversationRecorded(lead_id=booking.lead_id, booking_id=booking.pk, status=booking.status),
    )  # fmt: skip
    lead = booking.lead
    if showed and lead.first_contact_at is None:
        # The conversation itself was the first personal contact: it stops the lead's clock.
        lead_log_contact(
            lead=lead,
            kind=Activity.Kind.IN_PERSON,
            outcome=Activity.Outcome.REACHED,
            by=by,
            at=booking.starts_at,
        )
    if lead.stage not in (Stage.WON, Stage.LOST):
        lead_move(lead=lead, stage=Stage.INTAKE_HELD if showed else Stage.NO_SHOW, by=by)
    return booking


@transaction.atomic
def booking_outcome(*, booking: Booking, outcome: str, lost_reason: str = "", by: User | None) -> Booking:
    """Records how the conversation ended: won (ready for enrolment) or lost with a reason; the pipeline follows."""
    booking = Booking.objects.for_studio(booking.studio_id).select_for_update().get(pk=booking.pk)
    if outcome not in Booking.Outcome.values:
        raise BookingError(_("Onbekende uitkomst: %(outcome)s.") % {"outcome": repr(outcome)})
    if outcome == Booking.Outcome.LOST and not lost_reason.strip():
        raise BookingError(_("Geef een reden op waarom het niet doorgaat."))
    if booking.status == Booking.Status.CANCELLED:
        raise BookingError(_("Dit gesprek is geannuleerd."))
    if booking.status == Booking.Status.BOOKED:
        if booking.starts_at > clock.now():
            raise BookingError(_("Dit gesprek moet nog beginnen."))
        booking.status = Booking.Status.SHOWED  # an outcome means the conversation was held
    booking.outcome = outcome
    booking.lost_reason = lost_reason.strip() if outcome == Booking.Outcome.LOST else ""
    booking.recorded_at, booking.recorded_by = clock.now(), by
    booking.save(update_fields=["status", "outcome", "lost_reason", "recorded_at", "recorded_by"])
    event_record(
        studio=booking.studio_id, person=booking.person_id, by=by,
        event=ConversationRecorded(
            lead_id=booking.lead_id, booking_id=booking.pk, status=booking.status, outcome=outcome,
            lost_reason=booking.lost_reason,
        ),
    )  # fmt: skip
    stage = Stage.WON if outcome == Booking.Outcome.WON else Stage.LOST
    lead_move(lead=booking.lead, stage=stage, by=by, lost_reason=booking.lost_reason)
    return booking


# ---- messages --------------------------------------------------------------------------------------------


def _ref(booking: Booking) -> str:
    return f"booking:{booking.pk}"


def _when(booking: Booking) -> str:
    return clock.spoken(booking.starts_at, booking.studio.zone)


def _where(booking: Booking) -> str:
    kind = booking.kind
    if kind.place == ConsultationType.Place.VIDEO:
        return f"Videogesprek: {kind.where}" if kind.where else "Videogesprek (de link volgt)"
    if kind.place == ConsultationType.Place.PHONE:
        return (
            f"Telefonisch: {kind.where}"
            if kind.where
            else "Telefonisch: we bellen je op het nummer dat je gaf"
        )
    return f"Waar: {kind.where or booking.studio.name}"


def _ics(booking: Booking, *, for_coach: bool, cancelled: bool) -> list[dict[str, str]]:
    return [
        {
            "filename": "kennismakingsgesprek.ics",
            "content": calendar.invite(booking, for_coach=for_coach, cancelled=cancelled),
            "mimetype": "text/calendar",
            "method": "CANCEL" if cancelled else "REQUEST",
        }
    ]


def _whatsapp_consented(lead: Lead) -> bool:
    return consent_state(lead.person_id, lead.studio_id)[Purpose.WHATSAPP] is True


def _announce(booking: Booking, *, change: str) -> None:
    """Queues the mails of a change (with the calendar invite) and, for a planned conversation, its reminders."""
    studio, lead, coach = booking.studio, booking.lead, booking.coach
    when, link, cancelled = _when(booking), booking_link(booking), change == "cancelled"
    key = f"booking:{booking.pk}:{booking.sequence}"
    titles = {
        "booked": (_("Je kennismakingsgesprek staat gepland"), _("Nieuw kennismakingsgesprek")),
        "moved": (_("Je kennismakingsgesprek is verzet"), _("Kennismakingsgesprek verzet")),
        "cancelled": (_("Je kennismakingsgesprek is geannuleerd"), _("Kennismakingsgesprek geannuleerd")),
    }
    to_lead, to_coach = titles[change]
    if lead.email:
        body = render_to_string("intake/mail/booking_lead.txt", {
            "first_name": first_name(lead.name), "cancelled": cancelled, "when": when, "studio": studio,
            "title": to_lead, "coach": coach.get_short_name(), "kind": booking.kind.name,
            "minutes": booking.kind.duration_minutes, "where": _where(booking), "link": link,
        })  # fmt: skip
        message_queue(
            studio=studio, channel=Message.Channel.EMAIL, person=lead.person, purpose="booking_confirmation",
            key=f"{key}:lead", ref=_ref(booking), subject=f"{to_lead}: {when}", body=body, url=link,
            reply_to=coach.email,
            attachments=_ics(booking, for_coach=False, cancelled=cancelled),
        )  # fmt: skip
    coach_body = render_to_string("intake/mail/booking_coach.txt", {
        "coach": coach.get_short_name(), "title": to_coach, "lead": lead, "when": when, "kind": booking.kind.name,
        "phone": lead.phone or lead.phone_as_given, "email": lead.email, "url": lead_url(lead),
    })  # fmt: skip
    message_queue(
        studio=studio, channel=Message.Channel.APP, to=coach.email, to_user=coach, purpose="booking_coach",
        key=f"{key}:coach:app", ref=_ref(booking), url=lead_url(lead), body=f"{to_coach}: {lead}, {when}",
    )  # fmt: skip
    message_queue(
        studio=studio, channel=Message.Channel.EMAIL, to=coach.email, to_user=coach, purpose="booking_coach",
        key=f"{key}:coach:email", ref=_ref(booking), subject=f"{to_coach}: {lead}, {when}", body=coach_body,
        attachments=_ics(booking, for_coach=True, cancelled=cancelled),
    )  # fmt: skip
    if not cancelled:
        _queue_reminders(booking, link)


def _queue_reminders(booking: Booking, link: str) -> None:
    """24 and 2 hours before: on WhatsApp where the prospect agreed to it and the studio can send it, else e-mail."""
    studio, lead = booking.studio, booking.lead
    whatsapp = whatsapp_ready(studio) if lead.phone and _whatsapp_consented(lead) else None
    now = clock.now()
    for ahead in REMINDERS:
        send_at = booking.starts_at - ahead
        if send_at <= now:
            continue
        hours = int(ahead.total_seconds() // 3600)
        key = f"booking:{booking.pk}:{booking.sequence}:reminder:{hours}"
        time_text = clock.local(booking.starts_at, studio.zone).strftime("%H:%M")
        lead_text = _("morgen") if hours >= 24 else _("vandaag")
        if whatsapp is not None:
            message_queue(
                studio=studio, channel=Message.Channel.WHATSAPP, person=lead.person, purpose="booking_reminder",
                key=key, ref=_ref(booking), send_after=send_at, template=whatsapp.reminder_template,
                template_params=[first_name(lead.name), studio.name, _when(booking)],
                body=_("Hoi %(name)s, %(day)s om %(time)s je kennismakingsgesprek bij %(studio)s. Verzetten kan hier: %(link)s")
                % {"name": first_name(lead.name), "day": lead_text, "time": time_text, "studio": studio.name, "link": link},
            )  # fmt: skip
        elif lead.email:
            message_queue(
                studio=studio, channel=Message.Channel.EMAIL, person=lead.person, purpose="booking_reminder",
                key=key, ref=_ref(booking), send_after=send_at, url=link, reply_to=booking.coach.email,
                subject=_("Herinnering: %(day)s om %(time)s je kennismakingsgesprek")
                % {"day": lead_text, "time": time_text},
                body=render_to_string("intake/mail/booking_reminder.txt", {
                    "first_name": first_name(lead.name), "when": _when(booking), "studio": studio,
                    "coach": booking.coach.get_short_name(), "where": _where(booking), "link": link,
                }),
            )  # fmt: skip


# ---- staff settings ----------------------------------------------------------------------------------------


def _on_grid(moment: time) -> bool:
    return moment.second == 0 and moment.minute % UNIT_MINUTES == 0


@dataclass(frozen=True)
class WindowInput:
    weekday: int
    starts: time
    ends: time


@transaction.atomic
def availability_set(*, studio: Studio, coach: User, windows: list[WindowInput]) -> list[Availability]:
    """Replaces a coach's weekly windows; times on the five-minute grid, no overlaps within a day."""
    if not StaffMembership.objects.for_studio(studio).filter(user=coach).exists():
        raise BookingError(_("Alleen teamleden van de studio hebben beschikbaarheid."))
    by_day: dict[int, list[WindowInput]] = {}
    for window in windows:
        if not 0 <= window.weekday <= 6:
            raise BookingError(_("Een dag is 0 (maandag) tot en met 6 (zondag)."))
        if window.ends <= window.starts:
            raise BookingError(_("Het eind van een blok moet na het begin liggen."))
        if not (_on_grid(window.starts) and _on_grid(window.ends)):
            raise BookingError(
                _("Tijden gaan per %(minutes)s minuten (bijvoorbeeld 09:00 of 09:05).")
                % {"minutes": UNIT_MINUTES}
            )
        by_day.setdefault(window.weekday, []).append(window)
    for day in by_day.values():
        day.sort(key=lambda w: w.starts)
        for first, second in itertools.pairwise(day):
            if second.starts < first.ends:
                raise BookingError(_("Twee blokken op dezelfde dag overlappen."))
    Availability.objects.for_studio(studio).filter(coach=coach).delete()
    return Availability.objects.bulk_create(
        [
            Availability(studio=studio, coach=coach, weekday=w.weekday, starts=w.starts, ends=w.ends)
            for w in windows
        ]
    )


@transaction.atomic
def availability_exception_add(
    *,
    studio: Studio,
    coach: User | None,
    first_day: date,
    last_day: date,
    starts: time | None = None,
    ends: time | None = None,
    reason: str = "",
) -> AvailabilityException:
    """Adds days or hours off (for one coach, or the whole studio); booked conversations then are not moved."""
    if last_day < first_day:
        raise BookingError(_("De einddatum ligt voor de begindatum."))
    if (starts is None) != (ends is None) or (starts is not None and ends is not None and ends <= starts):
        raise BookingError(
            _("Geef beide tijden op, met het eind na het begin, of geen van beide voor hele dagen.")
        )
    exception = AvailabilityException(
        studio=studio, coach=coach, first_day=first_day, last_day=last_day, starts=starts, ends=ends,
        reason=reason.strip()[:120],
    )  # fmt: skip
    exception.full_clean()
    exception.save()
    return exception


@transaction.atomic
def coach_calendar_renew(*, studio: Studio, coach: User) -> str:
    """A new secret token for the coach's feed (cutting off the old address); only its hash is kept, so show it now."""
    token = new_calendar_token()
    CoachCalendar.objects.for_studio(studio).update_or_create(
        studio=studio, coach=coach, defaults={"token_hash": calendar_token_hash(token)}
    )
    return token


@transaction.atomic
def availability_exception_remove(*, exception: AvailabilityException) -> None:
    """Takes days off away again; the moments are bookable from then on."""
    AvailabilityException.objects.for_studio(exception.studio_id).filter(pk=exception.pk).delete()


@transaction.atomic
def consultation_type_save(*, kind: ConsultationType) -> ConsultationType:
    """Saves a kind of conversation; booked conversations keep the length they were booked with."""
    if kind.duration_minutes % UNIT_MINUTES or kind.buffer_minutes % UNIT_MINUTES:
        raise BookingError(_("Duur en rust gaan per %(minutes)s minuten.") % {"minutes": UNIT_MINUTES})
    kind.full_clean()
    kind.save()
    return kind
