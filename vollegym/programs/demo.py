"""Demo data of the programs app: what the demo studio sells, the price history, and its members.

Four offers, each with two prices: the first from about a year ago, a raise some months ago (a longer history starts
a year or two earlier at an older price, raised a year ago: OLDER_CENTS). Every won lead of the
demo (leads/demo.py and intake/demo.py run first) became a member at the price in force on the day they enrolled,
and kept it: who joined before a raise still pays the old price, renewals included. The latest few won leads still
wait for their enrolment, so "Klaar om in te schrijven" shows people; a few recent first payments are still open.
A membership runs on with a period's notice (its next period is set, and collected, when the current one starts);
programs end, are renewed at the kept price, or lead on to the membership at the price of that day (how runs end,
paused, cancelled, talked about and written to afterwards, is demo_endings.py). A few members
from before the studio used Volle Gym (no lead) train in the groups from the start. History is written with the ORM
(the services enrol at today's price); drawn from a fixed seed, so every demo tells the same story, and loading
again adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from vollegym.core import clock
from vollegym.core.money import euro
from vollegym.intake import demo as intake_demo
from vollegym.intake.models import IntakeResponse
from vollegym.leads.demo import FIRST, LAST
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.people.models import Person
from vollegym.programs.demo_endings import endings_load
from vollegym.programs.models import Enrolment, Member, Program, ProgramPrice
from vollegym.programs.selectors import price_in_force
from vollegym.programs.services import program_create
from vollegym.studios.models import StaffMembership, Studio, User

SEED = 1312
LEFT_TO_ENROL = 5  # the latest won leads, still to enrol
BASE_MEMBERS = 8  # training in the groups since before the lead history starts
# The first prices of a year's history took effect this many months ago; each year more, twelve months earlier.
PRICES_SINCE_MONTHS = 13
RAISE_REASON = "Nieuwe prijs voor nieuwe deelnemers; wie al meedoet, houdt de eigen prijs."


@dataclass(frozen=True)
class Offer:
    key: str
    name: str
    promise: str
    kind: str
    format: str
    weeks: int
    per_week: int
    first_cents: int
    raised_cents: int
    raised_months_ago: int
    raise_reason: str = RAISE_REASON


MEMBERSHIP = "Small group lidmaatschap"
STERK = "Sterk in 8 weken"
OFFERS = [
    Offer(
        "transformatie", "Transformatie 12 weken",
        "In twaalf weken aantoonbaar sterker en fitter: twee keer per week personal training 1-op-1, een voedingsplan "
        "dat bij je week past en elke vier weken een meting. Deed je alles wat we afspraken en haal je je doel niet, "
        "dan trainen we kosteloos door tot je het wel haalt.",
        Program.Kind.PROGRAM, Program.Format.PT, 12, 2, 119500, 129500, 4,
    ),
    Offer(
        "sterk", STERK,
        "In acht weken de basis van krachttraining onder de knie: squat, deadlift, drukken en trekken met goede "
        "techniek, in een groep van hooguit acht. Na acht weken til je zwaarder dan je dacht en weet je precies wat je "
        "doet, ook zonder ons.",
        Program.Kind.PROGRAM, Program.Format.SMALL_GROUP, 8, 2, 44900, 49500, 8,
    ),
    Offer(
        "lidmaatschap", MEMBERSHIP,
        "Twee keer per week trainen in een vaste groep van hooguit tien, met een coach die je naam kent en je schema "
        "bijhoudt. Je vaste plek staat elke week voor je klaar en elke twaalf weken meten we je vooruitgang.",
        Program.Kind.MEMBERSHIP, Program.Format.SMALL_GROUP, 4, 2, 13900, 14900, 6,
        "De groepen zitten structureel vol: nieuwe leden betalen € 149,00, bestaande leden houden € 139,00.",
    ),
    Offer(
        "rittenkaart", "PT 10-rittenkaart",
        "Tien personal trainingen van een uur, te plannen binnen tien weken. Voor wie na een programma zelfstandig "
        "verder traint en af en toe een coach naast zich wil die de techniek en het schema bijstuurt.",
        Program.Kind.PROGRAM, Program.Format.PT, 10, 1, 64500, 69500, 3,
    ),
]  # fmt: skip
# Each offer's price before the one of a year ago, for a history longer than a year.
OLDER_CENTS = {"transformatie": 109500, "sterk": 42500, "lidmaatschap": 12900, "rittenkaart": 59500}


@dataclass(eq=False)
class _Plan:
    """One enrolment still to write: a member in a program at the price of the day it was agreed."""

    member: Member
    program: Program
    price: ProgramPrice
    starts_on: date
    created_at: datetime
    due: date
    by: User | None
    renewal_of: _Plan | None = None
    stopped: bool = False
    notice: bool = (
        False  # the member gave notice: this run is their last (demo_endings writes the cancellation)
    )
    done: bool = False  # a program that was not followed by anything
    unpaid: bool = False
    lead: Lead | None = None  # a won lead's first enrolment: its timeline tells of it
    row: Enrolment | None = field(default=None, repr=False)

    @property
    def ends_on(self) -> date:
        return self.starts_on + timedelta(weeks=self.program.weeks) - timedelta(days=1)


def month_start(day: date, months_back: int) -> date:
    month = day.year * 12 + day.month - 1 - months_back
    return date(month // 12, month % 12 + 1, 1)


def sessions_used_estimate(enrolment: Enrolment, until: date, rate: float = 0.85) -> int:
    """Trainings used from the start up to (not including) `until`, for the part of a run without an agenda."""
    days = (min(until, enrolment.ends_on + timedelta(days=1)) - enrolment.starts_on).days
    if days <= 0:
        return 0
    planned = days / 7 * enrolment.program.sessions_per_week
    return min(round(planned * rate), enrolment.sessions_total)


@transaction.atomic
def load(*, years: int = 1) -> None:
    """The offers and their prices over `years`, the members from before, and every won lead's enrolments."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or Program.objects.for_studio(studio).exists():
        return  # no demo studio, or its programs are already there
    zone = ZoneInfo(studio.timezone)
    now = clock.now()
    today = clock.local(now, zone).date()
    team = list(StaffMembership.objects.for_studio(studio).select_related("user").order_by("user_id"))
    owner = next((m.user for m in team if m.role == StaffMembership.Role.OWNER), None)
    first_day = month_start(today, PRICES_SINCE_MONTHS + 12 * (years - 1))
    programs = _programs(studio, owner, today, zone, first_day)
    intake_demo.offers_linked(studio, programs)
    rng = random.Random(SEED)
    story = _Story(studio, programs, rng, zone, now, owner, first_day)
    story.base_members()
    story.won_leads()
    story.save()


def _at(day: date, at: time, zone: ZoneInfo) -> datetime:
    return clock.wall_time(day, at, zone) or clock.wall_time(day, time(12, 0), zone) or clock.now()


def _programs(
    studio: Studio, owner: User | None, today: date, zone: ZoneInfo, first_day: date
) -> dict[str, Program]:
    """The four offers, each with its first price from `first_day` (about a year ago, or a year or two before that at
    its older price, raised a year ago) and a raise some months ago."""
    year_ago = month_start(today, PRICES_SINCE_MONTHS)
    programs: dict[str, Program] = {}
    for position, offer in enumerate(OFFERS):
        program = program_create(
            studio=studio,
            program=Program(
                name=offer.name, promise=offer.promise, kind=offer.kind, format=offer.format, weeks=offer.weeks,
                sessions_per_week=offer.per_week, position=position,
                created_at=_at(first_day - timedelta(days=12), time(20, 30), zone),
            ),
            price_cents=offer.first_cents if first_day >= year_ago else OLDER_CENTS[offer.key],
            effective_from=first_day, by=owner,
        )  # fmt: skip
        raises = [(offer.raised_cents, month_start(today, offer.raised_months_ago), offer.raise_reason)]
        if first_day < year_ago:
            raises.insert(0, (offer.first_cents, year_ago, RAISE_REASON))
        # History is written as it was: each raise was set two weeks before it took effect.
        ProgramPrice.objects.for_studio(studio).filter(program=program).update(created_at=program.created_at)
        for cents, raised, reason in raises:
            ProgramPrice.objects.create(
                studio=studio, program=program, amount_cents=cents, effective_from=raised, reason=reason,
                created_by=owner, created_at=_at(raised - timedelta(days=14), time(21, 15), zone),
            )  # fmt: skip
        programs[offer.key] = program
    return programs


class _Story:
    """Who enrolled where and when, and how each run went on: renewed, on to the group, or done."""

    def __init__(
        self,
        studio: Studio,
        programs: dict[str, Program],
        rng: random.Random,
        zone: ZoneInfo,
        now: datetime,
        owner: User | None,
        first_day: date,
    ) -> None:
        self.studio, self.programs, self.rng, self.zone, self.now, self.owner = (
            studio, programs, rng, zone, now, owner,
        )  # fmt: skip
        self.first_day = first_day  # when the first prices took effect
        self.today = clock.local(now, zone).date()
        self.members: list[Member] = []
        self.plans: list[_Plan] = []
        self.credit: dict[str, float] = {}

    # ---- who came in -----------------------------------------------------------------------------------------

    def base_members(self) -> None:
        """Members of the groups from before the lead history: enrolled when the first prices took effect."""
        first_day = self.first_day
        names = [f"{first} {last}" for first in FIRST for last in LAST]
        self.rng.shuffle(names)
        program = self.programs["lidmaatschap"]
        for n, name in enumerate(names[:BASE_MEMBERS]):
            day = first_day + timedelta(days=self.rng.randint(0, 35))
            created_at = _at(day, time(self.rng.randint(9, 20), self.rng.choice([0, 15, 30, 45])), self.zone)
            first, last = name.split(" ", 1)
            person = Person(
                studio=self.studio, name=name, created_at=created_at,
                email=f"{first.lower()}.{last.lower().replace(' ', '')}.lid{n}@example.nl",
                phone=f"+316{self.rng.randint(10000000, 99999999)}",
            )  # fmt: skip
            member = Member(studio=self.studio, person=person, created_at=created_at, coach=self.owner)
            self.members.append(member)
            self._enrol(member, program, day, created_at, self.owner, churn=0.02)

    def won_leads(self) -> None:
        """Every won lead, enrolled a day or so after the conversation said yes, but for the latest few."""
        won_at: dict[int, datetime] = {}
        for activity in (
            Activity.objects.for_studio(self.studio)
            .filter(kind=Activity.Kind.STAGE, lead__stage=Stage.WON)
            .order_by("at", "pk")
        ):
            if isinstance(activity.data, dict) and activity.data.get("stage") == Stage.WON:
                won_at[activity.lead_id] = activity.at
        leads = list(
            Lead.objects.for_studio(self.studio).filter(stage=Stage.WON).select_related("assigned_to")
        )
        leads.sort(key=lambda lead: (won_at.get(lead.pk, lead.created_at), lead.pk))
        answers = {
            r.lead_id: r.answers
            for r in IntakeResponse.objects.for_studio(self.studio)
            .filter(lead__in=leads)
            .order_by("created_at")
        }
        for lead in leads[: max(len(leads) - LEFT_TO_ENROL, 0)]:
            at = won_at.get(lead.pk, lead.created_at)
            program = self.programs[self._choose(answers.get(lead.pk, {}))]
            later = self.rng.choice([0, 0, 0, 1, 2])
            day = clock.local(at, self.zone).date() + timedelta(days=later)
            if later:
                created_at = _at(day, time(self.rng.randint(9, 20), self.rng.randint(0, 59)), self.zone)
            else:
                created_at = at + timedelta(minutes=self.rng.randint(4, 40))
            created_at = min(created_at, self.now - timedelta(minutes=5))
            day = clock.local(created_at, self.zone).date()
            member = Member(
                studio=self.studio, lead=lead, person_id=lead.person_id, created_at=created_at,
                coach=lead.assigned_to or self.owner,
            )  # fmt: skip
            self.members.append(member)
            first = self._enrol(member, program, day, created_at, lead.assigned_to or self.owner)
            if first is not None:
                first.lead = lead

    def _choose(self, answers: dict[str, object]) -> str:
        """The offer that fits what they told in the intake: a group, or a coach of their own and a budget for it.

        Spread by weight over time (the offer furthest behind its share comes next), so every offer keeps a steady
        inflow whatever the demo's date.
        """
        if answers.get("looking_for") == "groep":
            weights = {"lidmaatschap": 55, "sterk": 45}
        elif answers.get("investment") == "300plus":
            weights = {"transformatie": 70, "rittenkaart": 30}
        else:
            weights = {"lidmaatschap": 42, "sterk": 24, "transformatie": 24, "rittenkaart": 10}
        for key, weight in weights.items():
            self.credit[key] = self.credit.get(key, 0.0) + weight
        key = max(weights, key=lambda k: (self.credit[k], self.rng.random()))
        self.credit[key] -= sum(weights.values())
        return key

    # ---- each run, and what came after it --------------------------------------------------------------------

    def _enrol(
        self,
        member: Member,
        program: Program,
        day: date,
        created_at: datetime,
        by: User | None,
        churn: float | None = None,
    ) -> _Plan | None:
        """A new enrolment agreed on `day` at that day's price; groups start on the next Monday."""
        price = price_in_force(program, day)
        if price is None:
            return None
        if program.format == Program.Format.SMALL_GROUP:
            starts_on = day + timedelta(days=7 - day.weekday())
        else:
            starts_on = day + timedelta(days=self.rng.randint(2, 6))
        plan = _Plan(member, program, price, starts_on, created_at, day, by)
        self.plans.append(plan)
        self._follow(plan, churn)
        return plan

    def _follow(self, plan: _Plan, churn: float | None) -> None:
        """Renewals at the kept price, a step from a program into the group membership, or the end of the story."""
        periods = 1
        while True:
            ends_on = plan.ends_on
            program = plan.program
            if program.kind == Program.Kind.MEMBERSHIP:
                # A membership runs on with one period's notice: the next period is set (and collected) when the
                # current one starts, unless the member gave notice.
                decided = _at(plan.starts_on, time(7, 0), self.zone)
            else:  # a program is renewed, or followed by the membership, at its end
                decided = _at(ends_on, time(17, 0), self.zone)
            if decided > self.now:
                return
            roll = self.rng.random()
            if program.kind == Program.Kind.MEMBERSHIP:
                stop = churn if churn is not None else (0.07 if periods <= 3 else 0.035)
                if roll < stop:
                    plan.notice = True  # gave notice in this period: it is the last
                    return
                plan = self._renew(plan, decided)
                periods += 1
                continue
            onward, again = {"transformatie": (0.35, 0.5), "sterk": (0.45, 0.55), "rittenkaart": (0.0, 0.35)}[
                self._key(program)
            ]
            if program.format == Program.Format.PT and self.rng.random() < 0.04:
                plan.stopped = True  # stopped halfway (an injury, a move): nothing follows
                return
            if roll < onward:
                agreed = _at(ends_on - timedelta(days=3), time(18, 0), self.zone)
                membership = self.programs["lidmaatschap"]
                price = price_in_force(membership, ends_on - timedelta(days=3))
                if price is None:
                    return
                plan = _Plan(
                    plan.member, membership, price, ends_on + timedelta(days=1), agreed,
                    ends_on - timedelta(days=3), plan.by,
                )  # fmt: skip
                self.plans.append(plan)
                self._follow(plan, churn)
                return
            if roll < again:
                plan = self._renew(plan, decided)
                continue
            plan.done = True  # done at its end (demo_endings has some of them say so beforehand)
            return

    def _renew(self, plan: _Plan, decided: datetime) -> _Plan:
        starts_on = plan.ends_on + timedelta(days=1)
        renewal = _Plan(
            plan.member, plan.program, plan.price, starts_on, decided, starts_on, plan.by, renewal_of=plan
        )
        self.plans.append(renewal)
        return renewal

    def _key(self, program: Program) -> str:
        return next(key for key, found in self.programs.items() if found.pk == program.pk)

    # ---- writing it down -------------------------------------------------------------------------------------

    def save(self) -> None:
        # Members from before the lead history have a person of their own; bulk_create then takes its new id.
        Person.objects.bulk_create([m.person for m in self.members if m.person_id is None], batch_size=500)
        Member.objects.bulk_create(self.members, batch_size=500)
        self._payments()
        pending = list(self.plans)
        while pending:
            ready = [p for p in pending if p.renewal_of is None or p.renewal_of.row is not None]
            rows = [self._row(plan) for plan in ready]
            Enrolment.objects.bulk_create(rows, batch_size=500)
            for plan, row in zip(ready, rows, strict=True):
                plan.row = row
            pending = [p for p in pending if p.row is None]
        activities = []
        for plan in self.plans:
            if plan.lead is not None and plan.row is not None:
                activities.append(
                    Activity(
                        studio=self.studio, lead=plan.lead, kind=Activity.Kind.NOTE, by=plan.by,
                        at=plan.created_at, data={"enrolment": plan.row.pk},
                        body=f"Ingeschreven: {plan.program.name} vanaf {plan.starts_on:%d-%m-%Y} voor "
                        f"{euro(plan.price.amount_cents)}",
                    )
                )  # fmt: skip
        Activity.objects.bulk_create(activities, batch_size=500)
        endings_load(
            self.studio, [p.row for p in self.plans if p.row is not None], now=self.now,
            notice={p.row.pk for p in self.plans if p.notice and p.row is not None},
            done={p.row.pk for p in self.plans if p.done and p.row is not None},
        )  # fmt: skip

    def _payments(self) -> None:
        """Which first payments are still open: two of the latest newcomers and one recent renewal."""
        latest = sorted((p for p in self.plans if p.lead is not None), key=lambda p: p.created_at)[-3:]
        new = [p for p in latest if p.due >= self.today - timedelta(days=30)]
        renewals = [
            p
            for p in self.plans
            if p.renewal_of is not None and self.today - timedelta(days=14) <= p.due <= self.today
        ]
        for plan in self.rng.sample(new, min(2, len(new))) + self.rng.sample(renewals, min(1, len(renewals))):
            plan.unpaid = True

    def _row(self, plan: _Plan) -> Enrolment:
        paid_at = None
        if not plan.unpaid:
            # A renewal is collected when it is set; a newcomer pays at the intake or within a day or two.
            later = 2 if plan.renewal_of is not None else self.rng.choice([3, 10, 45, 600, 1500, 2900])
            paid_at = plan.created_at + timedelta(minutes=self.rng.randint(1, later))
            if paid_at > self.now:
                paid_at = None
        membership = plan.program.kind == Program.Kind.MEMBERSHIP
        if plan.renewal_of is None:
            origin = Enrolment.Origin.ENROLLED
        else:
            origin = Enrolment.Origin.CONTINUED if membership else Enrolment.Origin.RENEWED
        row = Enrolment(
            studio=self.studio, member=plan.member, program=plan.program, price=plan.price, origin=origin,
            continues=membership and not plan.notice and not plan.stopped,
            price_cents=plan.price.amount_cents, starts_on=plan.starts_on, ends_on=plan.ends_on,
            sessions_total=plan.program.sessions_total,
            status=Enrolment.Status.STOPPED if plan.stopped else Enrolment.Status.ACTIVE,
            renewal_of=plan.renewal_of.row if plan.renewal_of is not None else None,
            first_payment_cents=plan.price.amount_cents, first_payment_due=plan.due, first_payment_paid_at=paid_at,
            created_at=plan.created_at, created_by=plan.by,
        )  # fmt: skip
        rate = 0.5 if plan.stopped else 0.8 + self.rng.random() * 0.2
        row.sessions_used = sessions_used_estimate(row, self.today + timedelta(days=1), rate)
        if plan.stopped:
            row.sessions_used = min(row.sessions_used, row.sessions_total // 2)
        return row
