"""Reads of the agenda: a week of sessions, one member's agenda, open spots matched to leads, fill rates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from vollegym.core import clock
from vollegym.intake.definition import WEEKDAYS as INTAKE_WEEKDAYS
from vollegym.intake.models import IntakeResponse
from vollegym.leads.models import Lead
from vollegym.programs.models import Enrolment, Member
from vollegym.schedule.coverage import booking_refusal, coverage_of
from vollegym.schedule.models import ClassSession, SessionBooking, WaitlistEntry
from vollegym.schedule.services import settings_for
from vollegym.studios.models import Studio, User

WEEKDAY_KEYS = [key for key, _name in INTAKE_WEEKDAYS]  # the availability grid's values: "ma", "di", …


def daypart_of(moment: datetime, zone: ZoneInfo) -> str:
    """The intake's words for a time of day: before 12 the morning, before 18 the afternoon, then the evening."""
    hour = clock.local(moment, zone).hour
    return "ochtend" if hour < 12 else "middag" if hour < 18 else "avond"


def availability_key(moment: datetime, zone: ZoneInfo) -> str:
    """The intake's availability value for a moment: "di_ochtend"."""
    return f"{WEEKDAY_KEYS[clock.local(moment, zone).weekday()]}_{daypart_of(moment, zone)}"


def current_enrolment(member: Member) -> Enrolment | None:
    return (
        Enrolment.objects.for_studio(member.studio_id)
        .current(clock.today(member.studio.zone))
        .filter(member=member)
        .select_related("program")
        .order_by("-starts_on")
        .first()
    )


@dataclass
class MemberSession:
    session: ClassSession
    booking: SessionBooking | None = None
    waiting: int | None = None  # place in line
    can_cancel: bool = False
    refusal: str = ""  # why the member may not book or wait for it (their programs), "" when they may


@dataclass
class Day:
    day: date
    sessions: list[MemberSession] = field(default_factory=list)


def member_agenda(member: Member, *, weeks: int = 3) -> list[Day]:
    """The coming weeks as the member sees them: their own mats, where they wait, and what they can still book
    (by the rule that refuses a booking, so nothing is offered that would then be refused)."""
    studio = member.studio
    zone = studio.zone
    now = clock.now()
    sessions = list(
        ClassSession.objects.for_studio(studio)
        .filter(starts_at__gte=now, starts_at__lt=now + timedelta(weeks=weeks))
        .select_related("template", "coach")
        .order_by("starts_at")
    )
    mine = {
        b.session_id: b
        for b in SessionBooking.objects.for_studio(studio).filter(
            member=member, session__in=sessions, status__in=SessionBooking.HOLDS_A_MAT
        )
    }
    # A session the studio called off stays on the agenda of who had booked it, with the reason.
    called_off = set(
        SessionBooking.objects.for_studio(studio)
        .filter(member=member, session__in=sessions, session__status=ClassSession.Status.CANCELLED)
        .values_list("session_id", flat=True)
    )
    lines: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for entry in (
        WaitlistEntry.objects.for_studio(studio)
        .filter(session__in=sessions, status=WaitlistEntry.Status.WAITING)
        .order_by("created_at", "id")
    ):
        lines[entry.session_id].append((entry.pk, entry.member_id))
    cutoff = timedelta(hours=settings_for(studio).cancel_hours)
    coverage = coverage_of(member)
    days: dict[date, Day] = {}
    for session in sessions:
        booking = mine.get(session.pk)
        if session.status == ClassSession.Status.CANCELLED and session.pk not in called_off:
            continue
        line = [member_id for _pk, member_id in lines.get(session.pk, [])]
        waiting = line.index(member.pk) + 1 if member.pk in line else None
        item = MemberSession(
            session=session,
            booking=booking,
            waiting=waiting,
            can_cancel=booking is not None and now <= session.starts_at - cutoff,
            refusal="" if booking or waiting else booking_refusal(member, session, coverage),
        )
        local_day = clock.local(session.starts_at, zone).date()
        days.setdefault(local_day, Day(local_day)).sessions.append(item)
    return list(days.values())


def week_of(studio: Studio, first_day: date) -> list[tuple[date, list[ClassSession]]]:
    """Seven days of sessions from `first_day`, each with its booked count and its waitlist length."""
    zone = studio.zone
    start = clock.wall_time(first_day, datetime.min.time(), zone) or clock.now()
    end = clock.wall_time(first_day + timedelta(days=7), datetime.min.time(), zone) or clock.now()
    sessions = (
        ClassSession.objects.for_studio(studio)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("template", "coach")
        .annotate(waiting=Count("waitlist", filter=Q(waitlist__status=WaitlistEntry.Status.WAITING)))
        .order_by("starts_at")
    )
    days: dict[date, list[ClassSession]] = {first_day + timedelta(days=n): [] for n in range(7)}
    for session in sessions:
        days.setdefault(clock.local(session.starts_at, zone).date(), []).append(session)
    return list(days.items())


def sessions_today(studio: Studio, *, coach: User | None = None) -> list[ClassSession]:
    """Today's sessions on the studio's clock, each with `unmarked`: bookings nobody marked present or absent yet."""
    zone = studio.zone
    day = clock.local(clock.now(), zone).date()
    start = clock.wall_time(day, datetime.min.time(), zone) or clock.now()
    end = clock.wall_time(day + timedelta(days=1), datetime.min.time(), zone) or clock.now()
    sessions = (
        ClassSession.objects.for_studio(studio)
        .filter(starts_at__gte=start, starts_at__lt=end, status=ClassSession.Status.SCHEDULED)
        .select_related("template", "coach")
        .annotate(unmarked=Count("bookings", filter=Q(bookings__status=SessionBooking.Status.BOOKED)))
        .order_by("starts_at", "id")
    )
    if coach is not None:
        sessions = sessions.filter(coach=coach)
    return list(sessions)


def session_people(session: ClassSession) -> tuple[list[SessionBooking], list[WaitlistEntry]]:
    bookings = list(
        SessionBooking.objects.for_studio(session.studio_id)
        .filter(session=session)
        .exclude(status=SessionBooking.Status.CANCELLED)
        .select_related("member")
        .order_by("member__person__name")
    )
    waiting = list(
        WaitlistEntry.objects.for_studio(session.studio_id)
        .filter(session=session, status=WaitlistEntry.Status.WAITING)
        .select_related("member")
        .order_by("created_at", "id")
    )
    return bookings, waiting


@dataclass(frozen=True)
class OpenSpot:
    session: ClassSession
    leads: list[Lead]


def open_spots(studio: Studio, *, weeks: int = 4, leads_per_session: int = 5) -> list[OpenSpot]:
    """The next weeks' sessions with free mats, each with the open leads whose intake week fits that moment."""
    zone = studio.zone
    now = clock.now()
    sessions = list(
        ClassSession.objects.for_studio(studio)
        .upcoming()
        .filter(starts_at__lt=now + timedelta(weeks=weeks))
        .select_related("template", "template__coach", "coach")
        .order_by("starts_at")
    )
    sessions = [s for s in sessions if s.booked < s.capacity]
    open_leads = Lead.objects.for_studio(studio).open()
    fits: dict[str, list[Lead]] = defaultdict(list)
    responses = (
        IntakeResponse.objects.for_studio(studio)
        .filter(lead__in=open_leads)
        .select_related("lead")
        .order_by("-score", "-created_at")
    )
    seen: set[int] = set()
    for response in responses:
        if response.lead_id in seen:
            continue
        seen.add(response.lead_id)
        for key in response.answers.get("availability", []) or []:
            fits[str(key)].append(response.lead)
    return [
        OpenSpot(s, fits.get(availability_key(s.starts_at, zone), [])[:leads_per_session]) for s in sessions
    ]


@dataclass(frozen=True)
class Fill:
    label: str
    # Monday of each week, and the share of mats taken (None: no sessions)
    weeks: list[tuple[date, float | None]]
    key: str = ""  # "all", "class:<id>" or "program:<id>"

    @property
    def percents(self) -> list[tuple[date, int | None]]:
        return [(monday, None if rate is None else round(rate * 100)) for monday, rate in self.weeks]

    @property
    def average(self) -> float | None:
        rates = [r for _w, r in self.weeks if r is not None]
        return sum(rates) / len(rates) if rates else None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def fill_rates(
    studio: Studio, *, weeks: int = 8, until: date | None = None
) -> tuple[Fill, list[Fill], list[Fill]]:
    """Share of mats taken per week over the last weeks: the whole agenda, per class, per program.

    A mat counts as taken when it was booked and not cancelled (came or not: it was not free for anyone else).
    """
    zone = studio.zone
    last_monday = _monday(until or clock.today(zone)) - timedelta(weeks=1)
    mondays = [last_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    start = clock.wall_time(mondays[0], datetime.min.time(), zone) or clock.now()
    end = clock.wall_time(last_monday + timedelta(weeks=1), datetime.min.time(), zone) or clock.now()
    # One row per session with its class and program as columns (no model instances), its day on the studio's
    # calendar worked out by the database.
    sessions = (
        ClassSession.objects.for_studio(studio)
        .filter(status=ClassSession.Status.SCHEDULED, starts_at__gte=start, starts_at__lt=end)
        .annotate(
            day=TruncDate("starts_at", tzinfo=zone),
            taken=Count("bookings", filter=Q(bookings__status__in=SessionBooking.HOLDS_A_MAT)),
        )
        .values_list(
            "day", "capacity", "taken", "template_id", "template__name", "template__weekday", "template__starts",
            "template__program_id", "template__program__name",
        )
    )  # fmt: skip
    totals: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
    classes: dict[str, str] = {}
    programs: dict[str, str] = {}
    for day, capacity, taken, template_id, name, weekday, starts, program_id, program_name in sessions:
        week = _monday(day)
        class_key = f"class:{template_id}"
        classes[class_key] = f"{name} ({WEEKDAY_KEYS[weekday]} {starts:%H:%M})"
        keys = ["all", class_key]
        if program_id is not None:
            program_key = f"program:{program_id}"
            programs[program_key] = program_name
            keys.append(program_key)
        for key in keys:
            totals[(key, week)][0] += taken
            totals[(key, week)][1] += capacity

    def fill(key: str, label: str) -> Fill:
        rows = []
        for monday in mondays:
            taken, capacity = totals.get((key, monday), [0, 0])
            rows.append((monday, taken / capacity if capacity else None))
        return Fill(label, rows, key)

    return (
        fill("all", "Alle lessen"),
        [fill(k, v) for k, v in sorted(classes.items(), key=lambda kv: kv[1])],
        [fill(k, v) for k, v in sorted(programs.items(), key=lambda kv: kv[1])],
    )
