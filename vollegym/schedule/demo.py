"""Demo data of the agenda: the demo studio's fourteen small-group classes a week, a year back (or the demo's years)
and four weeks ahead.

The members (programs/demo.py runs first) have their fixed places, the popular classes (07:00 and 19:00 on Monday and
Wednesday) are full with a waitlist in the coming weeks, Friday's lunch class has room, the past has its attendance,
and Christmas is closed. The membership's classes ran at 85% or more for weeks on end, so the capacity-pricing page
advises a raise; "Sterk in 8 weken" has room, and the open-spots board matches its free mats to the open leads'
intake week. Past sessions are written with the ORM (the services only book what is still to come) with `booked`
equal to the mats held, as the services keep it; the coming weeks are exactly what `sessions_generate` makes and
books, so the worker's sweep after the demo finds nothing to add. Drawn from a fixed seed; loading again adds nothing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from vollegym.core import clock
from vollegym.programs.demo import MEMBERSHIP, STERK, sessions_used_estimate
from vollegym.programs.models import Enrolment, Member, Program
from vollegym.schedule.demo_stories import Stories, Tenure
from vollegym.schedule.models import (
    ClassSession,
    ClassTemplate,
    Closure,
    FixedSlot,
    SessionBooking,
    WaitlistEntry,
)
from vollegym.schedule.services import settings_for
from vollegym.studios.models import StaffMembership, Studio, User

SEED = 1907
PAST_WEEKS = 52  # a year of attendance for each year of history: the churn-risk back-test replays it
CLOSED_FOR = "Kerst: studio gesloten"
CALLED_OFF = "Coach ziek; je plek is vrijgegeven"
FULL_ENOUGH = 0.87  # the membership's classes, each of the last weeks: above the 85% that advises a raise
FULL_WEEKS = 5


@dataclass(frozen=True)
class Profile:
    low: float  # share of the mats taken in a past week, drawn between low and high
    high: float
    reserve: int  # mats never given as a fixed place (for single bookings)
    weight: float  # how much members want this class as their fixed place


PROFILES = {
    "popular": Profile(0.96, 1.0, 0, 6.0),
    "normal": Profile(0.8, 1.0, 1, 3.0),
    "lunch": Profile(0.62, 0.85, 2, 1.2),
    "quiet": Profile(0.34, 0.6, 4, 0.6),
    "program": Profile(0.6, 0.84, 2, 1.0),
}


@dataclass(frozen=True)
class ClassSpec:
    weekday: int
    starts: time
    minutes: int
    capacity: int
    name: str
    room: str
    coach: str  # a role in the studio: the owner or the coach gives it
    program: str
    profile: str


OWNER, COACH = StaffMembership.Role.OWNER, StaffMembership.Role.COACH
BIG, SMALL = "Grote zaal", "Kleine zaal"
CLASSES = [
    ClassSpec(0, time(7, 0), 45, 8, "Kracht & conditie", BIG, COACH, MEMBERSHIP, "popular"),
    ClassSpec(0, time(12, 15), 45, 6, "Lunchcircuit", SMALL, OWNER, MEMBERSHIP, "lunch"),
    ClassSpec(0, time(19, 0), 60, 10, "Kracht & conditie", BIG, COACH, MEMBERSHIP, "popular"),
    ClassSpec(1, time(6, 30), 45, 8, "Vroege vogels", BIG, OWNER, MEMBERSHIP, "normal"),
    ClassSpec(1, time(18, 0), 60, 8, "Sterk in 8 weken", BIG, OWNER, STERK, "program"),
    ClassSpec(1, time(20, 0), 60, 8, "Mobiliteit & kracht", SMALL, COACH, MEMBERSHIP, "normal"),
    ClassSpec(2, time(7, 0), 45, 8, "Kracht & conditie", BIG, COACH, MEMBERSHIP, "popular"),
    ClassSpec(2, time(19, 0), 60, 10, "Kracht & conditie", BIG, COACH, MEMBERSHIP, "popular"),
    ClassSpec(3, time(6, 30), 45, 8, "Vroege vogels", BIG, OWNER, MEMBERSHIP, "normal"),
    ClassSpec(3, time(18, 0), 60, 8, "Sterk in 8 weken", BIG, OWNER, STERK, "program"),
    ClassSpec(3, time(20, 0), 60, 8, "Mobiliteit & kracht", SMALL, COACH, MEMBERSHIP, "normal"),
    ClassSpec(4, time(7, 0), 45, 8, "Kracht & conditie", BIG, COACH, MEMBERSHIP, "normal"),
    ClassSpec(4, time(12, 15), 45, 6, "Lunchcircuit", SMALL, OWNER, MEMBERSHIP, "quiet"),
    ClassSpec(5, time(9, 0), 60, 10, "Zaterdagtraining", BIG, OWNER, MEMBERSHIP, "normal"),
]


@dataclass(eq=False)
class _Run:
    """A member's time in one group program: renewals in a row make one run, and one fixed place for it."""

    member_id: int
    program_id: int
    per_week: int
    first_day: date
    last_day: date
    created_at: datetime
    classes: list[int] = field(default_factory=list)  # indexes into CLASSES


@dataclass(eq=False)
class _Session:
    spec: int
    day: date
    row: ClassSession
    bookings: list[SessionBooking] = field(default_factory=list)
    held: set[int] = field(default_factory=set)  # members holding a mat

    @property
    def full(self) -> bool:
        return len(self.held) >= self.row.capacity


@transaction.atomic
def load(*, years: int = 1) -> None:
    """The classes and `years` of past sessions with their bookings and attendance, and the coming weeks."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or ClassTemplate.objects.for_studio(studio).exists():
        return  # no demo studio, or its agenda is already there
    agenda = _Agenda(studio, years=years)
    agenda.classes()
    agenda.closures()
    agenda.fixed_places()
    agenda.stories_draw()
    agenda.sessions()
    agenda.save()
    agenda.sessions_used()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _after(rng: random.Random, moment: datetime, hours: float) -> datetime:
    return moment + timedelta(minutes=rng.randint(1, max(int(hours * 60), 1)))


class _Agenda:
    def __init__(self, studio: Studio, *, years: int) -> None:
        self.studio = studio
        self.zone = ZoneInfo(studio.timezone)
        self.now = clock.now()
        self.today = clock.local(self.now, self.zone).date()
        self.rules = settings_for(studio)
        self.rng = random.Random(SEED)
        self.years = years
        self.first_day = _monday(self.today) - timedelta(weeks=PAST_WEEKS * years)
        # As far ahead as sessions_generate goes, so the worker's sweep finds the coming weeks complete.
        self.last_day = self.today + timedelta(weeks=self.rules.weeks_ahead)
        team: dict[str, User] = {}
        for membership in (
            StaffMembership.objects.for_studio(studio).select_related("user").order_by("user_id")
        ):
            team.setdefault(membership.role, membership.user)
        self.team = team
        self.programs = {p.name: p for p in Program.objects.for_studio(studio)}
        self.templates: list[ClassTemplate] = []
        self.closed: dict[date, Closure] = {}
        self.runs: list[_Run] = []
        self.week_runs: list[_Run] = []  # the runs of the week being made (a long history has many runs)
        self.slots: list[FixedSlot] = []
        self.made: list[_Session] = []
        self.taken: dict[tuple[int, date], int] = defaultdict(int)  # mats a member holds in a week
        self.entries: list[WaitlistEntry] = []
        self.stories = Stories([], history_from=self.first_day, today=self.today)
        self.missed: set[int] = set()  # id() of the bookings of members who stayed away without cancelling

    # ---- the weekly classes and the closed days --------------------------------------------------------------

    def classes(self) -> None:
        owner = self.team.get(OWNER)
        for spec in CLASSES:
            self.templates.append(
                ClassTemplate(
                    studio=self.studio, name=spec.name, program=self.programs.get(spec.program),
                    weekday=spec.weekday, starts=spec.starts, duration_minutes=spec.minutes,
                    capacity=spec.capacity, coach=self.team.get(spec.coach, owner), room=spec.room,
                )
            )  # fmt: skip
        ClassTemplate.objects.bulk_create(self.templates)

    def closures(self) -> None:
        """Christmas, of this year and the years the history went through (and next year's once this one is over),
        each set on the first of December."""
        years = [*range(self.today.year - self.years, self.today.year + 1)]
        if self.today > date(self.today.year, 12, 26):
            years.append(self.today.year + 1)
        rows = []
        for year in years:
            set_at = min(
                clock.wall_time(date(year, 12, 1), time(10, 0), self.zone) or self.now,
                self.now - timedelta(days=2),
            )
            rows.append(
                Closure(
                    studio=self.studio, first_day=date(year, 12, 25), last_day=date(year, 12, 26), reason=CLOSED_FOR,
                    created_at=set_at,
                )
            )  # fmt: skip
        Closure.objects.bulk_create(rows)
        for closure in rows:
            for n in range((closure.last_day - closure.first_day).days + 1):
                self.closed[closure.first_day + timedelta(days=n)] = closure

    # ---- who holds which fixed place ------------------------------------------------------------------------

    def fixed_places(self) -> None:
        """One run per member and group program; the earliest members took the popular places, later ones the rest."""
        group = {p.pk: p for p in self.programs.values() if p.format == Program.Format.SMALL_GROUP}
        enrolments = list(
            Enrolment.objects.for_studio(self.studio)
            .filter(program_id__in=list(group), status=Enrolment.Status.ACTIVE)
            .order_by("member_id", "program_id", "starts_on", "id")
        )
        runs: list[_Run] = []
        for enrolment in enrolments:
            last = runs[-1] if runs else None
            if (
                last is not None
                and last.member_id == enrolment.member_id
                and last.program_id == enrolment.program_id
                and enrolment.starts_on <= last.last_day + timedelta(days=1)
            ):
                last.last_day = max(last.last_day, enrolment.ends_on)
                continue
            runs.append(
                _Run(
                    enrolment.member_id, enrolment.program_id, group[enrolment.program_id].sessions_per_week,
                    enrolment.starts_on, enrolment.ends_on, enrolment.created_at,
                )
            )  # fmt: skip
        runs.sort(key=lambda r: (r.first_day, r.member_id))
        places: dict[tuple[int, date], int] = defaultdict(int)
        for run in runs:
            options = [
                n
                for n, t in enumerate(self.templates)
                if t.program is not None and t.program.pk == run.program_id
            ]
            wanted = min(
                self.rng.choices([2, 1, 0], weights=[66, 22, 12])[0] if len(options) > 2 else len(options),
                run.per_week,
            )
            weeks = [
                _monday(run.first_day) + timedelta(weeks=w)
                for w in range((_monday(run.last_day) - _monday(run.first_day)).days // 7 + 1)
            ]
            while len(run.classes) < wanted:
                free = [
                    n for n in options
                    if n not in run.classes
                    and CLASSES[n].weekday not in {CLASSES[c].weekday for c in run.classes}
                    and all(places[(n, w)] < self._fixed_limit(n) for w in weeks)
                ]  # fmt: skip
                if not free:
                    break
                pick = self.rng.choices(free, weights=[PROFILES[CLASSES[n].profile].weight for n in free])[0]
                run.classes.append(pick)
                for w in weeks:
                    places[(pick, w)] += 1
            for n in run.classes:
                self.slots.append(
                    FixedSlot(
                        studio=self.studio, member_id=run.member_id, template=self.templates[n],
                        first_day=run.first_day, last_day=run.last_day,
                        created_at=min(_after(self.rng, run.created_at, 0.5), self.now - timedelta(minutes=2)),
                    )
                )  # fmt: skip
        self.runs = runs

    def _fixed_limit(self, n: int) -> int:
        return CLASSES[n].capacity - PROFILES[CLASSES[n].profile].reserve

    def stories_draw(self) -> None:
        """Each group member's story (demo_stories.py): from their first day in a group to the end of all their runs."""
        last: dict[int, date] = {}
        for member_id, ends_on in (
            Enrolment.objects.for_studio(self.studio)
            .filter(status=Enrolment.Status.ACTIVE)
            .values_list("member_id", "ends_on")
        ):
            last[member_id] = max(last.get(member_id, ends_on), ends_on)
        first: dict[int, date] = {}
        for run in self.runs:
            first[run.member_id] = min(first.get(run.member_id, run.first_day), run.first_day)
        self.stories = Stories(
            [Tenure(m, day, last.get(m, day)) for m, day in first.items()],
            history_from=self.first_day, today=self.today,
        )  # fmt: skip

    def _stays_away(self, session: _Session, member_id: int) -> bool:
        return session.row.starts_at <= self.now and self.stories.skips(member_id, session.day)

    # ---- the sessions: who booked, who waited, who came --------------------------------------------------------

    def sessions(self) -> None:
        monday = self.first_day
        while monday <= self.last_day:
            sunday = monday + timedelta(days=6)
            self.week_runs = [r for r in self.runs if r.first_day <= sunday and r.last_day >= monday]
            week = self._week(monday)
            self._fixed(week)
            for session in week:
                self._fill(session)
            if _monday(self.today) - timedelta(weeks=FULL_WEEKS) <= monday < _monday(self.today):
                self._top_up(week)
            monday += timedelta(weeks=1)

    def _week(self, monday: date) -> list[_Session]:
        week: list[_Session] = []
        for n, (spec, template) in enumerate(zip(CLASSES, self.templates, strict=True)):
            day = monday + timedelta(days=spec.weekday)
            starts_at = clock.wall_time(day, spec.starts, self.zone)
            if starts_at is None or not self.first_day <= day <= self.last_day:
                continue
            row = ClassSession(
                studio=self.studio, template=template, starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=spec.minutes), capacity=spec.capacity, coach=template.coach,
            )  # fmt: skip
            closure = self.closed.get(day)
            if closure is not None:
                # Sessions already on the agenda when the closure was set were called off; later ones never came.
                set_on = clock.local(closure.created_at, self.zone).date()
                if day > set_on + timedelta(weeks=self.rules.weeks_ahead):
                    continue
                row.status, row.cancel_reason = ClassSession.Status.CANCELLED, closure.reason
            week.append(_Session(n, day, row))
        week.sort(key=lambda s: s.row.starts_at)
        past = [
            s for s in week if s.row.ends_at <= self.now and s.row.status == ClassSession.Status.SCHEDULED
        ]
        if monday == _monday(self.today) - timedelta(weeks=3) and past:
            called_off = next((s for s in past if CLASSES[s.spec].starts == time(20, 0)), past[-1])
            called_off.row.status, called_off.row.cancel_reason = ClassSession.Status.CANCELLED, CALLED_OFF
        self.made += week
        return week

    def _holders(self, session: _Session) -> list[_Run]:
        return [
            run
            for run in self.week_runs
            if session.spec in run.classes and run.first_day <= session.day <= run.last_day
        ]

    def _fixed(self, week: list[_Session]) -> None:
        """Everyone's fixed place, booked when the session came on the agenda; a few cancelled in good time."""
        for session in week:
            row = session.row
            for run in self._holders(session):
                created_at = min(
                    max(run.created_at + timedelta(minutes=30), row.starts_at - timedelta(weeks=self.rules.weeks_ahead)),
                    self.now - timedelta(minutes=1),
                )  # fmt: skip
                booking = SessionBooking(
                    studio=self.studio, session=row, member_id=run.member_id, via=SessionBooking.Via.FIXED,
                    created_at=created_at,
                )  # fmt: skip
                session.bookings.append(booking)
                if row.status == ClassSession.Status.CANCELLED:
                    closure = self.closed.get(session.day)
                    off = closure.created_at if closure is not None else row.starts_at - timedelta(hours=5)
                    booking.status, booking.cancelled_at = (
                        SessionBooking.Status.CANCELLED,
                        max(off, created_at),
                    )
                    continue
                if self._stays_away(session, run.member_id):
                    # Their story keeps them away: most cancel their place some hours ahead, some just do not come.
                    cancel_at = row.starts_at - timedelta(hours=self.stories.rng.randint(3, 40))
                    if self.stories.rng.random() < 0.6 and created_at < cancel_at:
                        booking.status, booking.cancelled_at = SessionBooking.Status.CANCELLED, cancel_at
                        continue
                    self.missed.add(id(booking))
                cancels = 0.06 if row.starts_at <= self.now else 0.04
                cancel_at = row.starts_at - timedelta(hours=self.rng.randint(14, 72))
                if self.rng.random() < cancels and created_at < cancel_at <= self.now:
                    booking.status, booking.cancelled_at = SessionBooking.Status.CANCELLED, cancel_at
                    continue
                self._hold(session, run)

    def _hold(self, session: _Session, run: _Run) -> None:
        session.held.add(run.member_id)
        self.taken[(run.member_id, _monday(session.day))] += 1

    def _target(self, session: _Session) -> int:
        """How many mats this session fills: its class's share, a little lower longer ago; ahead, still filling."""
        spec, profile = CLASSES[session.spec], PROFILES[CLASSES[session.spec].profile]
        share = self.rng.uniform(profile.low, profile.high)
        weeks_ago = (_monday(self.today) - _monday(session.day)).days // 7
        if weeks_ago > 6:
            share *= 0.94  # the groups filled up over the last months
        ahead = (session.day - self.today).days
        if session.row.starts_at > self.now:
            if spec.profile == "popular" and ahead <= 14:
                share = 1.0
            else:  # single bookings come in the last days before a session
                share *= 0.9 if ahead < 7 else 0.7 if ahead < 14 else 0.0
        return min(round(spec.capacity * share), spec.capacity)

    def _candidates(self, session: _Session, *, quota: bool = True) -> list[_Run]:
        """Members of the class's program that day, not in it yet, with trainings left that week (flexible first)."""
        template = self.templates[session.spec]
        program_id = template.program.pk if template.program is not None else None
        monday = _monday(session.day)
        found = [
            run for run in self.week_runs
            if run.program_id == program_id and run.first_day <= session.day <= run.last_day
            and run.member_id not in session.held
            and (not quota or self.taken[(run.member_id, monday)] < run.per_week)
            and run.created_at < session.row.starts_at - timedelta(hours=3)
            and not self._stays_away(session, run.member_id)
        ]  # fmt: skip
        # Flexible members (fewer fixed places than trainings a week) first: the weight is near 1 for them.
        return sorted(
            found,
            key=lambda r: self.rng.random() ** (1 / (1 + 2 * (r.per_week - len(r.classes)))),
            reverse=True,
        )

    def _fill(self, session: _Session) -> None:
        row = session.row
        if row.status == ClassSession.Status.CANCELLED:
            return
        past = row.starts_at <= self.now
        target = self._target(session)
        # A fixed place given back shortly before a full session went to the first on the waitlist.
        if past and target >= row.capacity:
            for booking in [b for b in session.bookings if b.status == SessionBooking.Status.CANCELLED]:
                if session.full:
                    break
                for run in self._candidates(session)[:1]:
                    assert booking.cancelled_at is not None
                    entry = WaitlistEntry(
                        studio=self.studio, session=row, member_id=run.member_id,
                        status=WaitlistEntry.Status.PROMOTED, promoted_at=booking.cancelled_at,
                        created_at=max(
                            booking.cancelled_at - timedelta(hours=self.rng.randint(6, 60)),
                            min(run.created_at + timedelta(minutes=20), booking.cancelled_at),
                        ),
                    )  # fmt: skip
                    self.entries.append(entry)
                    self._single(session, run, booking.cancelled_at, SessionBooking.Via.WAITLIST)
        for run in self._candidates(session):
            if len(session.held) >= target:
                break
            latest = min(row.starts_at - timedelta(hours=2), self.now - timedelta(minutes=10))
            booked_at = latest - timedelta(minutes=self.rng.randint(10, 5 * 24 * 60))
            self._single(session, run, min(max(booked_at, run.created_at + timedelta(minutes=20)), latest))
        # The coming fortnight: a full popular class has people waiting for a mat.
        if not past and session.full and (session.day - self.today).days <= 14:
            lines = self.rng.choice([1, 1, 2, 2, 3]) if CLASSES[session.spec].profile == "popular" else 1
            for run in self._candidates(session, quota=False)[:lines]:
                since = self.now - timedelta(minutes=self.rng.randint(30, 3 * 24 * 60))
                entry = WaitlistEntry(
                    studio=self.studio, session=row, member_id=run.member_id,
                    created_at=max(since, run.created_at + timedelta(minutes=20)),
                )  # fmt: skip
                self.entries.append(entry)

    def _single(
        self, session: _Session, run: _Run, at: datetime, via: str = SessionBooking.Via.SINGLE
    ) -> None:
        if session.full:
            return
        session.bookings.append(
            SessionBooking(
                studio=self.studio, session=session.row, member_id=run.member_id, via=via, created_at=at
            )
        )
        self._hold(session, run)

    def _top_up(self, week: list[_Session]) -> None:
        """The membership's classes ran at least FULL_ENOUGH in each of the last weeks: singles where there was room."""
        membership = self.programs.get(MEMBERSHIP)
        if membership is None:
            return
        mine = [
            s for s in week
            if s.row.status == ClassSession.Status.SCHEDULED and s.row.starts_at <= self.now
            and self.templates[s.spec].program_id == membership.pk
        ]  # fmt: skip
        capacity = sum(s.row.capacity for s in mine)
        open_ones = [s for s in mine if CLASSES[s.spec].profile in ("normal", "lunch")]
        while capacity and sum(len(s.held) for s in mine) < FULL_ENOUGH * capacity:
            room = [s for s in open_ones if not s.full and self._candidates(s)]
            if not room:
                return
            session = min(room, key=lambda s: len(s.held) / s.row.capacity)
            run = self._candidates(session)[0]
            self._single(session, run, session.row.starts_at - timedelta(hours=self.rng.randint(3, 48)))

    # ---- writing it down -------------------------------------------------------------------------------------

    def save(self) -> None:
        FixedSlot.objects.bulk_create(self.slots, batch_size=500)
        for session in self.made:
            session.row.booked = len(session.held)
        ClassSession.objects.bulk_create([s.row for s in self.made], batch_size=500)
        bookings: list[SessionBooking] = []
        for session in self.made:
            for booking in session.bookings:
                if booking.status == SessionBooking.Status.BOOKED and session.row.ends_at <= self.now:
                    came = self.rng.random() < 0.93 and id(booking) not in self.missed
                    booking.status = SessionBooking.Status.ATTENDED if came else SessionBooking.Status.NO_SHOW
                    booking.marked_by = session.row.coach
                bookings.append(booking)
        person_of = dict(Member.objects.for_studio(self.studio).values_list("pk", "person_id"))
        for booking in bookings:
            booking.person_id = person_of[booking.member_id]
        SessionBooking.objects.bulk_create(bookings, batch_size=1000)
        WaitlistEntry.objects.bulk_create(self.entries, batch_size=500)

    def sessions_used(self) -> None:
        """Trainings used on each group enrolment: the visits the agenda counted, and an estimate from before it."""
        attended: dict[int, list[date]] = defaultdict(list)
        for member_id, starts_at in (
            SessionBooking.objects.for_studio(self.studio)
            .filter(status=SessionBooking.Status.ATTENDED)
            .values_list("member_id", "session__starts_at")
        ):
            attended[member_id].append(clock.local(starts_at, self.zone).date())
        group = [p.pk for p in self.programs.values() if p.format == Program.Format.SMALL_GROUP]
        enrolments = list(
            Enrolment.objects.for_studio(self.studio)
            .filter(program_id__in=group, ends_on__gte=self.first_day, starts_on__lte=self.today)
            .select_related("program")
        )
        for enrolment in enrolments:
            before = (
                sessions_used_estimate(enrolment, self.first_day)
                if enrolment.starts_on < self.first_day
                else 0
            )
            came = sum(
                enrolment.starts_on <= day <= enrolment.ends_on for day in attended[enrolment.member_id]
            )
            enrolment.sessions_used = min(before + came, enrolment.sessions_total)
        Enrolment.objects.for_studio(self.studio).bulk_update(enrolments, ["sessions_used"], batch_size=500)
