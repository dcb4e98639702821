"""Writes of the agenda: sessions from the weekly classes, mats booked within capacity, the waitlist, attendance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.core.phones import display_phone
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.people.events import SessionBooked, SessionCancelled, SessionMarked, event_record
from vollegym.programs.models import Enrolment, Member, Program, new_member_key
from vollegym.programs.services import enrolment_count_session
from vollegym.schedule.coverage import Run, booking_refusal, pauses_by_run
from vollegym.schedule.models import (
    ClassSession,
    ClassTemplate,
    Closure,
    FixedSlot,
    ScheduleSettings,
    SessionBooking,
    WaitlistEntry,
)
from vollegym.studios.models import Studio, User


class AgendaError(ValueError):
    """A booking or change the agenda does not allow; the reason is for the person who tried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SessionFull(AgendaError):
    def __init__(self) -> None:
        super().__init__(
            "Deze les is vol. Zet je op de wachtlijst; komt er een plek vrij, dan krijg je bericht."
        )


def settings_for(studio: Studio) -> ScheduleSettings:
    found = ScheduleSettings.objects.for_studio(studio).first()
    if found is None:
        found, _ = ScheduleSettings.objects.for_studio(studio).get_or_create(studio=studio)
    return found


def _closed_days(studio: Studio, first: date, last: date) -> set[date]:
    days: set[date] = set()
    for closure in Closure.objects.for_studio(studio).filter(last_day__gte=first, first_day__lte=last):
        day = max(closure.first_day, first)
        while day <= min(closure.last_day, last):
            days.add(day)
            day += timedelta(days=1)
    return days


@transaction.atomic
def sessions_generate(*, studio: Studio, weeks: int | None = None) -> int:
    """Puts the coming weeks' sessions on the agenda (closed days left out) and books the fixed places in them.

    Safe to run again and again (every worker's sweep does): a session exists once per class and moment.
    """
    zone = studio.zone
    today = clock.today(studio.zone)
    last = today + timedelta(weeks=weeks or settings_for(studio).weeks_ahead)
    closed = _closed_days(studio, today, last)
    templates = list(ClassTemplate.objects.for_studio(studio).filter(is_active=True))
    wanted = []
    for template in templates:
        day = today + timedelta(days=(template.weekday - today.weekday()) % 7)
        while day <= last:
            starts_at = clock.wall_time(day, template.starts, zone)
            if starts_at is not None and day not in closed and starts_at > clock.now():
                ends_at = starts_at + timedelta(minutes=template.duration_minutes)
                session = ClassSession(
                    studio=studio, template=template, starts_at=starts_at, ends_at=ends_at,
                    capacity=template.capacity, coach=template.coach,
                )  # fmt: skip
                wanted.append(session)
            day += timedelta(days=7)
    before = ClassSession.objects.for_studio(studio).count()
    ClassSession.objects.bulk_create(wanted, ignore_conflicts=True)
    created = ClassSession.objects.for_studio(studio).count() - before
    # A class moved back, or put on the agenda again: its moments called off for that reason come back.
    for session in wanted:
        ClassSession.objects.for_studio(studio).filter(
            template=session.template,
            starts_at=session.starts_at,
            status=ClassSession.Status.CANCELLED,
            cancel_reason__in=[MOVED, OFF_THE_AGENDA],
        ).update(status=ClassSession.Status.SCHEDULED, cancel_reason="", booked=0, ends_at=session.ends_at)
    running = FixedSlot.objects.for_studio(studio).filter(Q(last_day__isnull=True) | Q(last_day__gte=today))
    for slot in running.select_related("member", "member__studio", "template"):
        _book_fixed(slot)
    return created


def _take_mat(session: ClassSession) -> bool:
    """One mat more, if one is free: a conditional update, so two people can never get the last one."""
    return bool(
        ClassSession.objects.for_studio(session.studio_id)
        .filter(pk=session.pk, status=ClassSession.Status.SCHEDULED, booked__lt=F("capacity"))
        .update(booked=F("booked") + 1)
    )


def _free_mat(session: ClassSession) -> None:
    ClassSession.objects.for_studio(session.studio_id).filter(pk=session.pk, booked__gt=0).update(
        booked=F("booked") - 1
    )


def _holding(session: ClassSession, member: Member) -> SessionBooking | None:
    return (
        SessionBooking.objects.for_studio(session.studio_id)
        .filter(session=session, member=member, status__in=SessionBooking.HOLDS_A_MAT)
        .first()
    )


@transaction.atomic
def session_book(
    *, session: ClassSession, member: Member, via: str = SessionBooking.Via.SINGLE
) -> SessionBooking:
    """Books a mat for a member; a full session refuses (the database has the last word on the last mat)."""
    if session.studio_id != member.studio_id:
        raise AgendaError(_("Deze les is van een andere studio."))
    if session.status != ClassSession.Status.SCHEDULED:
        raise AgendaError(_("Deze les vervalt."))
    if session.starts_at <= clock.now():
        raise AgendaError(_("Deze les is al begonnen."))
    existing = _holding(session, member)
    if existing is not None:
        return existing
    if not _take_mat(session):
        # Full, unless this member's own earlier click took the last mat a moment ago (it commits first).
        mine = _holding(session, member)
        if mine is not None:
            return mine
        raise SessionFull
    try:
        with transaction.atomic():
            booking = SessionBooking.objects.create(
                studio_id=session.studio_id,
                session=session,
                member=member,
                person_id=member.person_id,
                via=via,
            )
    except IntegrityError:
        _free_mat(session)  # the same member, twice at once: one booking stands
        found = _holding(session, member)
        assert found is not None
        return found
    WaitlistEntry.objects.for_studio(session.studio_id).filter(
        session=session, member=member, status=WaitlistEntry.Status.WAITING
    ).update(status=WaitlistEntry.Status.LEFT)
    event_record(
        studio=session.studio_id, person=member.person_id,
        event=SessionBooked(member_id=member.pk, session_id=session.pk, booking_id=booking.pk, via=via),
    )  # fmt: skip
    return booking


@transaction.atomic
def waitlist_join(*, session: ClassSession, member: Member) -> WaitlistEntry:
    """Puts a member in line for a full session."""
    if session.studio_id != member.studio_id:
        raise AgendaError(_("Deze les is van een andere studio."))
    if session.status != ClassSession.Status.SCHEDULED or session.starts_at <= clock.now():
        raise AgendaError(_("Voor deze les kun je niet meer op de wachtlijst."))
    if _holding(session, member) is not None:
        raise AgendaError(_("Je staat al ingeschreven voor deze les."))
    session.refresh_from_db()
    if session.booked < session.capacity:
        raise AgendaError(_("Er is nog plek: boek de les gewoon."))
    entry, _created = WaitlistEntry.objects.for_studio(session.studio_id).get_or_create(
        studio_id=session.studio_id, session=session, member=member, status=WaitlistEntry.Status.WAITING
    )
    return entry


def waitlist_position(entry: WaitlistEntry) -> int:
    """1 for the first in line."""
    return (
        WaitlistEntry.objects.for_studio(entry.studio_id)
        .filter(session_id=entry.session_id, status=WaitlistEntry.Status.WAITING)
        .filter(created_at__lt=entry.created_at)
        .count()
        + WaitlistEntry.objects.for_studio(entry.studio_id)
        .filter(session_id=entry.session_id, status=WaitlistEntry.Status.WAITING, created_at=entry.created_at)
        .filter(pk__lte=entry.pk)
        .count()
    )


@transaction.atomic
def waitlist_leave(*, entry: WaitlistEntry) -> None:
    WaitlistEntry.objects.for_studio(entry.studio_id).filter(
        pk=entry.pk, status=WaitlistEntry.Status.WAITING
    ).update(status=WaitlistEntry.Status.LEFT)


@transaction.atomic
def booking_cancel(*, booking: SessionBooking, by_member: bool) -> SessionBooking:
    """Frees a mat (a member only within the studio's window) and gives it to the first in line, who hears of it."""
    booking = SessionBooking.objects.for_studio(booking.studio_id).select_for_update().get(pk=booking.pk)
    session = (
        ClassSession.objects.for_studio(booking.studio_id)
        .select_related("template")
        .get(pk=booking.session_id)
    )
    if booking.status != SessionBooking.Status.BOOKED:
        raise AgendaError(_("Deze boeking staat niet meer open."))
    if by_member:
        hours = settings_for(session.studio).cancel_hours
        if clock.now() > session.starts_at - timedelta(hours=hours):
            reach = (
                _("Bel of app de studio: %(phone)s.") % {"phone": display_phone(session.studio.phone)}
                if session.studio.phone
                else _("Neem contact op met de studio.")
            )
            raise AgendaError(
                _("Online afmelden kan tot %(hours)s uur voor de les. %(reach)s")
                % {"hours": hours, "reach": reach}
            )
    booking.status, booking.cancelled_at = SessionBooking.Status.CANCELLED, clock.now()
    booking.save(update_fields=["status", "cancelled_at"])
    event_record(
        studio=booking.studio_id, person=booking.person_id,
        event=SessionCancelled(member_id=booking.member_id, session_id=session.pk, booking_id=booking.pk),
    )  # fmt: skip
    _free_mat(session)
    _promote(session)
    return booking


def _when(session: ClassSession) -> str:
    return clock.spoken(session.starts_at, session.studio.zone)


LINK_SALT = "vollegym.schedule.member-link"
LINK_DAYS = 7


def member_sign_out_everywhere(*, member: Member) -> None:
    """A new login key: every link sent before stops working (and every device signed in with one)."""
    member.login_key = new_member_key()
    member.link_nonce = ""
    member.save(update_fields=["login_key", "link_nonce"])


def member_link(member: Member) -> str:
    """A link that signs the member in once, within a week; a newer link, a new login key or a week ends it."""
    nonce = new_member_key()
    # Only the newest link's nonce is kept: a link forwarded from an older mail no longer signs anyone in.
    Member.objects.for_studio(member.studio_id).filter(pk=member.pk).update(link_nonce=nonce)
    member.link_nonce = nonce
    token = signing.TimestampSigner(salt=LINK_SALT).sign(f"{member.pk}.{member.login_key}.{nonce}")
    path = reverse("schedule:member_enter", kwargs={"studio": member.studio.slug, "token": token})
    return f"{settings.SITE_URL}{path}"


def member_link_use(*, studio: Studio, token: str) -> Member | None:
    """Signs in with a link once: using it empties its nonce, so a second use (or a second, simultaneous click) fails.

    The emptying is one conditional update, so of two requests with the same link exactly one finds the nonce.
    None for a link that is forged, from another studio, older than a week, replaced, used, or signed out.
    """
    try:
        value = signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=timedelta(days=LINK_DAYS))
        member_id, key, nonce = value.split(".")
        pk = int(member_id)
    except (signing.BadSignature, ValueError):
        return None
    if not key or not nonce:
        return None
    members = Member.objects.for_studio(studio)
    if members.filter(pk=pk, login_key=key, link_nonce=nonce).update(link_nonce="") != 1:
        return None
    return members.filter(pk=pk).first()


def _tell(member: Member, *, key: str, subject: str, body: str) -> None:
    """A message to a member about their agenda, by e-mail (members gave it when they enrolled)."""
    if not member.email:
        return
    message_queue(
        studio=member.studio, channel=Message.Channel.EMAIL, person=member.person, purpose="agenda", key=key,
        ref=f"member:{member.pk}", subject=subject, reply_to=member.studio.email,
        body=render_to_string("schedule/mail/agenda.txt", {
            "first_name": first_name(member.name), "body": body, "days": LINK_DAYS, "link": member_link(member),
            "studio": member.studio,
        }),
    )  # fmt: skip


def _promote(session: ClassSession) -> SessionBooking | None:
    """Gives a free mat to the first in line (skipping anyone who cannot take it) and tells them."""
    if session.starts_at <= clock.now():
        return None
    waiting = (
        WaitlistEntry.objects.for_studio(session.studio_id)
        .select_for_update()
        .filter(session=session, status=WaitlistEntry.Status.WAITING)
        .select_related("member", "member__studio")
        .order_by("created_at", "id")
    )
    for entry in waiting:
        try:
            booking = session_book(session=session, member=entry.member, via=SessionBooking.Via.WAITLIST)
        except SessionFull:
            return None
        WaitlistEntry.objects.for_studio(session.studio_id).filter(pk=entry.pk).update(
            status=WaitlistEntry.Status.PROMOTED, promoted_at=clock.now()
        )
        _tell(
            entry.member, key=f"waitlist:{entry.pk}:promoted",
            subject=f"Er is plek: {session.template.name}, {_when(session)}",
            body=f"Goed nieuws: er kwam een plek vrij in {session.template.name} op {_when(session)}, en die is "
            "nu van jou. Kun je toch niet? Meld je dan af via je rooster, dan gaat de plek naar de volgende.",
        )  # fmt: skip
        return booking
    return None


@transaction.atomic
def attendance_mark(*, booking: SessionBooking, attended: bool, by: User | None) -> SessionBooking:
    """The coach marks who came; a session someone came to counts on their program."""
    booking = SessionBooking.objects.for_studio(booking.studio_id).select_for_update().get(pk=booking.pk)
    session = (
        ClassSession.objects.for_studio(booking.studio_id).select_related("studio").get(pk=booking.session_id)
    )
    if booking.status == SessionBooking.Status.CANCELLED:
        raise AgendaError(_("Deze boeking is afgemeld."))
    if session.starts_at > clock.now():
        raise AgendaError(_("Aanwezigheid leg je vast vanaf het begin van de les."))
    new = SessionBooking.Status.ATTENDED if attended else SessionBooking.Status.NO_SHOW
    if booking.status == new:
        return booking
    was_counted = booking.status == SessionBooking.Status.ATTENDED
    booking.status, booking.marked_by = new, by
    booking.save(update_fields=["status", "marked_by"])
    event_record(
        studio=booking.studio_id, person=booking.person_id, by=by,
        event=SessionMarked(member_id=booking.member_id, session_id=session.pk, booking_id=booking.pk, status=new),
    )  # fmt: skip
    member = Member.objects.for_studio(booking.studio_id).get(pk=booking.member_id)
    day = clock.local(session.starts_at, session.studio.zone).date()
    program_id = ClassTemplate.objects.for_studio(booking.studio_id).get(pk=session.template_id).program_id
    if attended and not was_counted:
        enrolment_count_session(member=member, day=day, delta=1, program_id=program_id)
    elif was_counted and not attended:
        enrolment_count_session(member=member, day=day, delta=-1, program_id=program_id)
    return booking


@transaction.atomic
def closure_add(*, studio: Studio, first_day: date, last_day: date, reason: str) -> Closure:
    """Closes the studio on some days: the sessions then are called off and everyone booked is told."""
    if last_day < first_day:
        raise AgendaError(_("De einddatum ligt voor de begindatum."))
    if not reason.strip():
        raise AgendaError(_("Geef een reden op; die krijgen de leden te zien."))
    if last_day > clock.today(studio.zone) + timedelta(days=5 * 366):
        raise AgendaError(_("Een sluiting ligt binnen de komende vijf jaar."))
    closure = Closure.objects.create(
        studio=studio, first_day=first_day, last_day=last_day, reason=reason.strip()
    )
    zone = studio.zone
    start = clock.wall_time(first_day, datetime.min.time(), zone) or clock.now()
    end = clock.wall_time(last_day + timedelta(days=1), datetime.min.time(), zone) or clock.now()
    sessions = (
        ClassSession.objects.for_studio(studio)
        .select_for_update()
        .filter(
            status=ClassSession.Status.SCHEDULED, starts_at__gte=max(start, clock.now()), starts_at__lt=end
        )
        .select_related("template")
    )
    for session in sessions:
        session_call_off(session=session, reason=closure.reason, key=f"closure:{closure.pk}")
    return closure


def session_call_off(*, session: ClassSession, reason: str, key: str) -> int:
    """Calls one session off: bookings cancelled, the waitlist emptied, each booked member told; returns how many.

    A session that has begun is history (who came counts): it cannot be called off any more.
    """
    if session.starts_at <= clock.now():
        raise AgendaError(_("Deze les is al begonnen; die kan niet meer vervallen."))
    ClassSession.objects.for_studio(session.studio_id).filter(pk=session.pk).update(
        status=ClassSession.Status.CANCELLED, cancel_reason=reason, booked=0
    )
    bookings = list(
        SessionBooking.objects.for_studio(session.studio_id)
        .filter(session=session, status=SessionBooking.Status.BOOKED)
        .select_related("member", "member__studio")
    )
    SessionBooking.objects.for_studio(session.studio_id).filter(pk__in=[b.pk for b in bookings]).update(
        status=SessionBooking.Status.CANCELLED, cancelled_at=clock.now()
    )
    WaitlistEntry.objects.for_studio(session.studio_id).filter(
        session=session, status=WaitlistEntry.Status.WAITING
    ).update(status=WaitlistEntry.Status.LEFT)
    for booking in bookings:
        _tell(
            booking.member, key=f"{key}:session:{session.pk}:member:{booking.member_id}",
            subject=f"{session.template.name} op {_when(session)} gaat niet door",
            body=f"{session.template.name} op {_when(session)} gaat niet door: {reason}. "
            "Je plek is vrijgegeven; kies in je rooster gerust een andere les.",
        )  # fmt: skip
    return len(bookings)


@transaction.atomic
def fixed_slot_add(
    *, member: Member, template: ClassTemplate, first_day: date, last_day: date | None = None
) -> FixedSlot:
    """Gives a member their own weekly place in a class and books it, as long as their program runs."""
    if template.studio_id != member.studio_id:
        raise AgendaError(_("Deze les is van een andere studio."))
    if last_day is not None and last_day < first_day:
        raise AgendaError(_("De einddatum ligt voor de begindatum."))
    slot = FixedSlot.objects.for_studio(member.studio_id).filter(member=member, template=template).first()
    if slot is None:
        slot = FixedSlot.objects.create(
            studio_id=member.studio_id,
            member=member,
            template=template,
            first_day=first_day,
            last_day=last_day,
        )
    else:  # the same place given again: its dates are widened, not doubled
        slot.first_day, slot.last_day = min(slot.first_day, first_day), None if last_day is None else last_day
        slot.save(update_fields=["first_day", "last_day"])
    _book_fixed(slot)
    return slot


def running_enrolments(member: Member, template: ClassTemplate) -> QuerySet[Enrolment]:
    """The member's enrolments that give a place in this class: its own program, or (for a class without one) any
    small-group program. A PT card never does."""
    found = Enrolment.objects.for_studio(member.studio_id).filter(
        member=member, status=Enrolment.Status.ACTIVE
    )
    if template.program_id is not None:
        return found.filter(program_id=template.program_id)
    return found.filter(program__format=Program.Format.SMALL_GROUP)


def may_book(member: Member, session: ClassSession) -> bool:
    """Whether a program of the member runs on the session's day and gives a place in its class."""
    return not booking_refusal(member, session)


def _book_fixed(slot: FixedSlot) -> None:
    """Books the fixed place in every coming session of its class on days the member's program runs and is not
    paused (within the place's own dates, if it has them); a full session puts them in line."""
    zone = slot.member.studio.zone
    start = max(clock.now(), clock.wall_time(slot.first_day, datetime.min.time(), zone) or clock.now())
    sessions = ClassSession.objects.for_studio(slot.studio_id).filter(
        template_id=slot.template_id, status=ClassSession.Status.SCHEDULED, starts_at__gte=start
    )
    if slot.last_day is not None:
        end = clock.wall_time(slot.last_day + timedelta(days=1), datetime.min.time(), zone) or clock.now()
        sessions = sessions.filter(starts_at__lt=end)
    paused = pauses_by_run(slot.member)
    runs = [
        Run(0, True, starts_on, ends_on, paused.get(pk, ()))
        for pk, starts_on, ends_on in running_enrolments(slot.member, slot.template).values_list(
            "pk", "starts_on", "ends_on"
        )
    ]
    had = set(
        SessionBooking.objects.for_studio(slot.studio_id)
        .filter(member_id=slot.member_id, session__in=sessions)
        .values_list("session_id", flat=True)
    ) | set(
        WaitlistEntry.objects.for_studio(slot.studio_id)
        .filter(member_id=slot.member_id, session__in=sessions)
        .values_list("session_id", flat=True)
    )  # booked or in line once (even if cancelled or left since): a fixed place does not come back on its own
    for session in sessions:
        day = clock.local(session.starts_at, zone).date()
        if session.pk in had or not any(run.covers(day) for run in runs):
            continue
        try:
            session_book(session=session, member=slot.member, via=SessionBooking.Via.FIXED)
        except SessionFull:
            waitlist_join(session=session, member=slot.member)


MOVED = "de les is verplaatst"
OFF_THE_AGENDA = "de les staat niet meer op het rooster"


@transaction.atomic
def template_save(*, template: ClassTemplate) -> ClassTemplate:
    """Saves a weekly class. Coming sessions keep their own capacity; when the day or time moves (or the class is
    taken off the agenda), the coming sessions at the old moment go: empty ones quietly, booked ones called off
    with word to the members, and the sweep puts the new moments on the agenda."""
    before = ClassTemplate.objects.for_studio(template.studio_id).filter(pk=template.pk).first()
    template.full_clean()
    template.save()
    if before is None:
        return template
    coming = ClassSession.objects.for_studio(template.studio_id).filter(
        template=template, status=ClassSession.Status.SCHEDULED, starts_at__gt=clock.now()
    )
    moved = (before.weekday, before.starts) != (template.weekday, template.starts)
    if not moved and template.is_active and before.duration_minutes != template.duration_minutes:
        for session in coming:  # same moment, another length: the sessions stay, with their bookings
            session.ends_at = session.starts_at + timedelta(minutes=template.duration_minutes)
            session.save(update_fields=["ends_at"])
    if moved or (before.is_active and not template.is_active):
        reason = MOVED if template.is_active else OFF_THE_AGENDA
        for session in coming.select_related("template", "studio"):
            if SessionBooking.objects.for_studio(template.studio_id).filter(session=session).exists():
                session_call_off(
                    session=session, reason=reason, key=f"moved:{template.pk}:{clock.now():%Y%m%d%H%M%S}"
                )
            else:
                session.delete()
    return template


# ---- what a member does in their own agenda (the member pages and a future API share these) ------------------

MEMBER_ACTIONS = ("boeken", "afmelden", "wachtlijst", "van-de-wachtlijst")


def member_session_act(*, member: Member, session: ClassSession, action: str) -> None:
    """A member books, cancels, waits or stops waiting; only for a session their running program covers.

    Not one transaction: each step below keeps its own, so the last mat's race is decided where it always was.
    """
    if session.studio_id != member.studio_id:
        raise AgendaError(_("Deze les is van een andere studio."))
    if action not in MEMBER_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    refusal = booking_refusal(member, session) if action in ("boeken", "wachtlijst") else ""
    if refusal:
        raise AgendaError(_("%(reason)s Vraag de studio naar de mogelijkheden.") % {"reason": refusal})
    if action == "boeken":
        session_book(session=session, member=member)
    elif action == "wachtlijst":
        waitlist_join(session=session, member=member)
    elif action == "afmelden":
        booking = (
            SessionBooking.objects.for_studio(member.studio_id)
            .filter(session=session, member=member, status=SessionBooking.Status.BOOKED)
            .first()
        )
        if booking is None:
            raise AgendaError(_("Je stond niet ingeschreven voor deze les."))
        booking_cancel(booking=booking, by_member=True)
    else:
        entry = (
            WaitlistEntry.objects.for_studio(member.studio_id)
            .filter(session=session, member=member, status=WaitlistEntry.Status.WAITING)
            .first()
        )
        if entry is not None:
            waitlist_leave(entry=entry)


# One sign-in mail an hour per member, however often the form is sent.
LINK_MAIL_EVERY = timedelta(hours=1)


class LinkOutcome(StrEnum):
    SENT = "sent"  # also the answer for an address nobody here has: the page must not tell the two apart
    ALREADY_SENT = "already_sent"


@dataclass(frozen=True)
class LinkRequest:
    """What asking for a sign-in link came to; `again_at` (with ALREADY_SENT) is when a new one may be asked."""

    outcome: LinkOutcome
    again_at: datetime | None = None


@transaction.atomic
def member_link_request(*, studio: Studio, email: str) -> LinkRequest:
    """Mails a sign-in link to the member with this address, at most one an hour; within the hour it says so.

    An unknown address gets the answer a known one gets when its mail goes out, so the page never tells whether
    an address is known. Saying "a link was sent within the hour" does tell that much about a known one, a
    trade-off the member's "where is my mail?" is worth.
    """
    member = (
        Member.objects.for_studio(studio)
        .select_for_update(of=("self",))  # two requests at once: the second waits and finds the first's mail
        .filter(person__email=email.strip().lower())
        .select_related("person")
        .order_by("id")
        .first()
    )
    if member is None:
        return LinkRequest(LinkOutcome.SENT)
    recent = (
        Message.objects.for_studio(studio)
        .filter(
            ref=f"member:{member.pk}", purpose="member_link", created_at__gt=clock.now() - LINK_MAIL_EVERY
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if recent is not None:
        return LinkRequest(LinkOutcome.ALREADY_SENT, again_at=recent + LINK_MAIL_EVERY)
    moment = clock.now().strftime("%Y%m%d%H%M%S")
    message_queue(
        studio=studio, channel=Message.Channel.EMAIL, person=member.person, purpose="member_link",
        key=f"member:{member.pk}:link:{moment}", ref=f"member:{member.pk}", reply_to=studio.email,
        subject=_("Je rooster bij %(studio)s") % {"studio": studio.name},
        body=render_to_string(
            "schedule/mail/member_link.txt",
            {"first_name": first_name(member.name), "studio": studio, "days": LINK_DAYS, "link": member_link(member)},
        ),
    )  # fmt: skip
    return LinkRequest(LinkOutcome.SENT)
