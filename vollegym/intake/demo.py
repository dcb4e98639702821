"""Demo data of the intake: the demo studio asks the PT intake, the agency's site the studio-owner intake.

The demo studio also gets its kennismakingsgesprek: two kinds of conversation, the team's weekly hours, holidays and
a day off, and a history that fits the demo leads (leads/demo.py runs first). Every lead that got as far as an
intake has a booked conversation with what came of it, most of them answered the online intake first, and a few
fresh leads have a conversation in the coming days or one that still waits for the coach to record it.
Drawn from a fixed seed, so every demo tells the same story; loading again adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Min
from django.db.models.functions import Coalesce

from vollegym.core import clock
from vollegym.intake import scoring, selectors, slots
from vollegym.intake.definition import Definition, Offer
from vollegym.intake.models import (
    Availability,
    AvailabilityException,
    Booking,
    BookingClaim,
    ConsultationType,
    IntakeResponse,
    Questionnaire,
    QuestionnaireVersion,
)
from vollegym.intake.presets import HEALTH_CONSENT, preset
from vollegym.intake.services import (
    WindowInput,
    availability_exception_add,
    availability_set,
    booking_make,
    questionnaire_install,
    questionnaire_publish,
)
from vollegym.intake.services.questionnaires import readable_answers
from vollegym.leads.models import Activity, Lead, Source, Stage
from vollegym.people.models import ConsentEntry, How, Purpose
from vollegym.programs.models import Program
from vollegym.studios.models import StaffMembership, Studio, User

SEED = 4711
VIDEO_LINK = "https://meet.google.com/vkr-demo-gym"
# Weekly hours for conversations, in the studio's local time (weekday 0 is Monday).
OWNER_HOURS = [(day, time(9, 0), time(12, 0)) for day in range(6)]  # weekday mornings and Saturday morning
COACH_HOURS = [
    *[(day, time(16, 0), time(19, 30)) for day in range(4)],  # Monday to Thursday, late afternoon
    (4, time(13, 0), time(16, 0)),
    (5, time(10, 0), time(13, 0)),
]
# Leads that came in online mostly answered the intake; walk-ins and callers were booked on the spot.
ONLINE = frozenset({Source.META, Source.WEBSITE, Source.GOOGLE, Source.INSTAGRAM, Source.REFERRAL})
UPCOMING_AT_LEAST = 4
TO_RECORD = 2
NO_SHOW_REASON = "Niet verschenen op de intake"
CANCEL_REASON = "Past niet in het rooster"

# A demo lead's "doel" → the intake's goal, in their own words, and why now.
GOALS: dict[str, tuple[str, list[str], list[str]]] = {
    "Sterker worden": ("sterker", [
        "Mijn kinderen weer zonder moeite optillen en niet meer door mijn rug gaan.",
        "Sterker worden, vooral mijn benen en rug. Nu voel ik me na een dag werken gesloopt.",
        "Over drie maanden wil ik mijn eerste echte deadlift doen, met goede techniek.",
    ], [
        "Ik word dit jaar veertig en wil het nu goed aanpakken.",
        "Mijn vader kreeg een hernia; dat wil ik voor zijn.",
        "Ik begin in maart aan een fysiek zwaardere baan.",
    ]),
    "Afvallen": ("afvallen", [
        "Tien kilo eraf en dat dit keer ook zo houden.",
        "Weer in mijn oude spijkerbroek passen, zonder crashdieet.",
        "Afvallen en me minder schamen op het strand.",
    ], [
        "Mijn huisarts raadt het aan vanwege mijn bloeddruk.",
        "Na de zomervakantie merkte ik dat ik helemaal niets meer deed.",
        "In mei gaan we naar Spanje; dan wil ik me goed voelen.",
    ]),
    "Zonder pijn bewegen": ("pijnvrij", [
        "De dag doorkomen zonder pijn in mijn onderrug.",
        "Mijn schouder weer gewoon kunnen gebruiken, ook boven mijn hoofd.",
        "Weer kunnen tuinieren zonder dat ik er drie dagen last van heb.",
    ], [
        "Mijn fysiotherapeut is klaar met me; nu moet ik zelf verder.",
        "Ik wil niet dat het erger wordt nu ik ouder word.",
        "Ik slaap slecht door de pijn.",
    ]),
    "Fit voor een bruiloft": ("fit", [
        "Fit en sterk zijn op onze bruiloft, en er goed uitzien op de foto's.",
        "Energie hebben voor de hele dag en de avond van de bruiloft.",
    ], [
        "In juni trouwen we.",
        "Over vier maanden is de bruiloft van mijn zus; ik ben ceremoniemeester.",
    ]),
    "Weer fit na een blessure": ("pijnvrij", [
        "Na mijn knieoperatie weer kunnen hardlopen.",
        "Mijn enkel vertrouwen, zodat ik weer kan voetballen met mijn zoon.",
    ], [
        "De revalidatie is klaar, maar ik durf nog niet alles.",
        "In september wil ik weer meedoen aan de Singelloop.",
    ]),
    "Beter slapen en meer energie": ("fit", [
        "Niet meer om vier uur 's middags instorten.",
        "Beter slapen en 's avonds nog energie hebben voor de kinderen.",
    ], [
        "Ik werk sinds de zomer thuis en beweeg bijna niet meer.",
        "Ik merk dat ik kortaf word door de vermoeidheid.",
    ]),
}  # fmt: skip
STOPPED = [
    "Geen tijd meer door mijn werk.",
    "Na een paar weken was de motivatie weg.",
    "Niemand keek mee, dus ik wist niet of ik het goed deed.",
    "Een blessure aan mijn knie.",
    "Te druk in de sportschool, ik voelde me er niet thuis.",
]
HEALTH_WORDING = str(HEALTH_CONSENT["label"])
HEALTH_NOTES = {
    "gewrichten": "Last van mijn onderrug, vooral na lang zitten.",
    "medicatie": "Bloeddrukverlagers, al een paar jaar.",
    "zwanger": "Vier maanden geleden bevallen, hersteld volgens de verloskundige.",
    "hart": "Een ritmestoornis, onder controle bij de cardioloog.",
    "duizelig": "Soms duizelig als ik snel opsta.",
}
TRAINING_TIMES = [
    *[f"{day}_ochtend" for day in ("ma", "di", "wo", "do", "vr")],
    *[f"{day}_avond" for day in ("ma", "di", "wo", "do")],
    "vr_middag",
    "za_ochtend",
]


@dataclass(frozen=True)
class _Slot:
    kind: ConsultationType
    coach_id: int
    starts_at: datetime


@dataclass
class _Plan:
    """What happened to one lead at the intake: its conversation, and the rows that tell it."""

    lead: Lead
    # won, lost, no_show, cancelled; held (no outcome yet); waiting (begun, not recorded); upcoming
    fate: str
    booked_at: datetime
    outcome_activity: Activity | None = None
    quality: str = "warm"
    promoted: bool = False  # a contacted lead who books here: its step to "intake booked" is added too
    slot: _Slot | None = None
    response: IntakeResponse | None = None


@transaction.atomic
def load(*, years: int = 1) -> None:
    """The questionnaires, the demo studio's conversations and their history over the leads' `years`."""
    for slug, kind in (("demo", "pt"), (selectors.AGENCY_SLUG, "agency")):
        studio = Studio.objects.filter(slug=slug).first()
        if studio is not None and not Questionnaire.objects.for_studio(studio).exists():
            questionnaire_install(studio=studio, kind=kind)
    demo = Studio.objects.filter(slug="demo").first()
    if demo is not None:
        _consultations(demo, years=years)
        _history(demo)
    agency = Studio.objects.filter(slug=selectors.AGENCY_SLUG).first()
    if agency is not None:
        _agency(agency)


# ---- the agency's own intake: its proposal, and a moment with the agency --------------------------------------

AGENCY_VIDEO_LINK = "https://meet.google.com/vgb-demo-bureau"
# The agency's hours for a first conversation with a studio owner: weekday mornings and afternoons.
AGENCY_HOURS = [
    *[(day, time(9, 0), time(12, 0)) for day in range(5)],
    *[(day, time(13, 30), time(17, 0)) for day in range(5)],
]


@transaction.atomic
def _agency(studio: Studio) -> None:
    """The agency's intake ends like a studio's: a proposal from its offers, then a moment with its owner."""
    version = selectors.current_version(studio)
    # A demo database from before the agency's intake had offers gets the ready-made one with them, once.
    if (
        version is not None
        and version.questionnaire.kind == Questionnaire.Kind.AGENCY
        and not version.content.offers
    ):
        questionnaire_publish(
            questionnaire=version.questionnaire, definition=preset("agency").model_dump(), by=None
        )
    if not ConsultationType.objects.for_studio(studio).exists():
        ConsultationType.objects.create(
            studio=studio, name="Kennismaken met Volle Gym", place=ConsultationType.Place.VIDEO,
            location=AGENCY_VIDEO_LINK, duration_minutes=30, min_notice_hours=12,
        )  # fmt: skip
    owner = _team(studio).get(StaffMembership.Role.OWNER)
    if owner is not None and not Availability.objects.for_studio(studio).exists():
        windows = [WindowInput(day, starts, ends) for day, starts, ends in AGENCY_HOURS]
        availability_set(studio=studio, coach=owner, windows=windows)


# ---- what the studio offers and when ------------------------------------------------------------------------

# The demo's programs (programs/demo.py, by key) that its intake prescribes, in order, with the goals each fits:
# the first that fits is the plan; a later one may be offered as a smaller start.
DEMO_OFFERS = [
    ("transformatie", ["sterker", "afvallen", "fit", "pijnvrij", "anders"]),
    ("sterk", ["sterker", "sport"]),
    ("lidmaatschap", ["sterker", "afvallen", "fit", "sport", "anders"]),
    ("rittenkaart", ["pijnvrij", "sport"]),
]


def offers_linked(studio: Studio, programs: dict[str, Program]) -> None:
    """Once the demo's programs exist (programs/demo.py makes them after this module ran), the owner points the
    intake's offers at them, as a new version: the plan then shows each program's price of today."""
    version = selectors.current_version(studio)
    if (
        version is None
        or version.questionnaire.kind != Questionnaire.Kind.PT
        or any(offer.program is not None for offer in version.content.offers)
    ):
        return
    offers = [
        Offer(
            name=program.name, promise=program.promise, weeks=program.weeks,
            sessions_per_week=program.sessions_per_week, price_cents=0, fits_goals=goals, program=program.pk,
        )
        for key, goals in DEMO_OFFERS
        if (program := programs.get(key)) is not None
    ]  # fmt: skip
    definition = version.content.model_copy(update={"offers": offers})
    owner = _team(studio).get(StaffMembership.Role.OWNER)
    questionnaire_publish(questionnaire=version.questionnaire, definition=definition.model_dump(), by=owner)


def _team(studio: Studio) -> dict[str, User]:
    """The first owner and the first coach of the studio (the demo has one of each)."""
    team: dict[str, User] = {}
    for membership in StaffMembership.objects.for_studio(studio).select_related("user").order_by("user_id"):
        team.setdefault(membership.role, membership.user)
    return team


@transaction.atomic
def _consultations(studio: Studio, *, years: int) -> None:
    kinds = ConsultationType.objects.for_studio(studio)
    if not kinds.exists():
        ConsultationType.objects.bulk_create(
            [
                ConsultationType(
                    studio=studio, name="Kennismaking in de studio", place=ConsultationType.Place.STUDIO,
                    location=studio.address, duration_minutes=30, position=0,
                ),
                ConsultationType(
                    studio=studio, name="Videogesprek", place=ConsultationType.Place.VIDEO, location=VIDEO_LINK,
                    duration_minutes=20, position=1,
                ),
            ]
        )  # fmt: skip
    team = _team(studio)
    owner, coach = team.get(StaffMembership.Role.OWNER), team.get(StaffMembership.Role.COACH)
    if not Availability.objects.for_studio(studio).exists():
        for person, hours in ((owner, OWNER_HOURS), (coach, COACH_HOURS)):
            if person is not None:
                windows = [WindowInput(day, starts, ends) for day, starts, ends in hours]
                availability_set(studio=studio, coach=person, windows=windows)
    if AvailabilityException.objects.for_studio(studio).exists():
        return
    today = clock.today(studio.zone)
    # Christmas of this year and of the years the history went through; next year's once this one is over.
    christmases = [*range(today.year - years, today.year + 1)] + (
        [today.year + 1] if today > date(today.year, 12, 26) else []
    )
    for year in christmases:
        availability_exception_add(
            studio=studio, coach=None, first_day=date(year, 12, 25), last_day=date(year, 12, 26),
            reason="Kerst: studio gesloten",
        )  # fmt: skip
    if coach is not None:
        day_off = _next_weekday(today + timedelta(days=3), {day for day, _s, _e in COACH_HOURS if day < 5})
        availability_exception_add(
            studio=studio, coach=coach, first_day=day_off, last_day=day_off, reason="Vrije dag"
        )
    if owner is not None:
        dentist = _next_weekday(today + timedelta(days=8), {day for day, _s, _e in OWNER_HOURS if day < 5})
        availability_exception_add(
            studio=studio, coach=owner, first_day=dentist, last_day=dentist, starts=time(9, 0),
            ends=time(10, 30), reason="Tandarts",
        )  # fmt: skip


def _next_weekday(day: date, weekdays: set[int]) -> date:
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return day


# ---- the history ---------------------------------------------------------------------------------------------


@dataclass
class _Agenda:
    """The studio's hours and each coach's taken time, to find free moments in the past as booking would have."""

    zone: ZoneInfo
    windows: list[slots.Window]
    day_offs: list[slots.DayOff]
    busy: dict[int, set[datetime]] = field(default_factory=dict)

    def free(
        self, kind: ConsultationType, coach_id: int | None, after: datetime, before: datetime
    ) -> list[tuple[datetime, int]]:
        """Free moments of this kind that start after `after` and end by `before`, the lead's coach first."""
        if before - after < timedelta(minutes=kind.duration_minutes):
            return []
        first, last = clock.local(after, self.zone).date(), clock.local(before, self.zone).date()
        rules = replace(selectors.rules_of(kind), min_notice=timedelta(0), horizon_days=(last - first).days)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        own = [w for w in self.windows if w.coach_id == coach_id]
        for windows in (own, self.windows) if own else (self.windows,):
            found = slots.open_slots(
                rules=rules, windows=windows, day_offs=self.day_offs, busy=self.busy, now=after,
                zone=self.zone, days=days,
            )  # fmt: skip
            free = [(s.starts_at, s.coach_ids[0]) for s in found if s.ends_at <= before]
            if free:
                return free
        return []

    def take(self, kind: ConsultationType, coach_id: int, starts_at: datetime) -> None:
        span = slots.claimed_span(starts_at, selectors.rules_of(kind))
        self.busy.setdefault(coach_id, set()).update(slots.units(*span))


@transaction.atomic
def _history(studio: Studio) -> None:
    if (
        Booking.objects.for_studio(studio).exists()
        or IntakeResponse.objects.for_studio(studio).exists()
        or not Lead.objects.for_studio(studio).exists()
    ):
        return  # already there, or no leads to tell it about
    version = _pt_version(studio)
    kinds = list(
        ConsultationType.objects.for_studio(studio).filter(is_active=True).order_by("position", "id")
    )
    zone = ZoneInfo(studio.timezone)
    agenda = _Agenda(
        zone=zone,
        windows=[
            slots.Window(a.coach_id, a.weekday, a.starts, a.ends)
            for a in Availability.objects.for_studio(studio)
        ],
        day_offs=[
            slots.DayOff(e.coach_id, e.first_day, e.last_day, e.starts, e.ends)
            for e in AvailabilityException.objects.for_studio(studio)
        ],
    )
    if version is None or not kinds or not agenda.windows:
        return
    rng = random.Random(SEED)
    now = clock.now()
    coaches = {user.pk: user for user in _team(studio).values()}
    plans, contacted, others = _plans(studio, rng)
    plans += _waiting(plans, contacted, agenda, kinds[0], now)
    taken = {plan.lead.pk for plan in plans}
    for lead in contacted:
        if sum(plan.fate == "upcoming" for plan in plans) >= UPCOMING_AT_LEAST:
            break
        if lead.pk not in taken and lead.first_contact_at is not None:
            booked_at = min(lead.first_contact_at + timedelta(minutes=5), now)
            plans.append(_Plan(lead, "upcoming", booked_at, quality="hot", promoted=True))
            taken.add(lead.pk)
    upcoming = [plan for plan in plans if plan.fate == "upcoming"]
    past: list[_Plan] = []
    for plan in plans:
        if plan.fate != "upcoming" and (plan.slot is not None or _place(plan, rng, agenda, kinds, now)):
            past.append(plan)
    others = [lead for lead in others if lead.pk not in taken]
    _responses(studio, version, [*past, *upcoming], others, rng, now)
    _save(studio, past, coaches, rng, now)
    _book_upcoming(studio, upcoming, kinds, rng, now)
    # The questionnaire was there before the first prospect answered it.
    first = Lead.objects.for_studio(studio).aggregate(first=Min("created_at"))["first"] - timedelta(days=1)
    QuestionnaireVersion.objects.for_studio(studio).filter(pk=version.pk, created_at__gt=first).update(
        created_at=first
    )
    Questionnaire.objects.for_studio(studio).filter(pk=version.questionnaire_id, created_at__gt=first).update(
        created_at=first
    )


def _pt_version(studio: Studio) -> QuestionnaireVersion | None:
    questionnaire = (
        Questionnaire.objects.for_studio(studio).filter(kind=Questionnaire.Kind.PT).order_by("id").first()
    )
    if questionnaire is None:
        return None
    return (
        QuestionnaireVersion.objects.for_studio(studio)
        .filter(questionnaire=questionnaire)
        .order_by("number")
        .first()
    )


def _plans(studio: Studio, rng: random.Random) -> tuple[list[_Plan], list[Lead], list[Lead]]:
    """Each lead that got as far as an intake, with its fate; the recent contacted leads; the other online leads."""
    booked: dict[int, datetime] = {}
    outcome: dict[int, Activity] = {}
    for activity in Activity.objects.for_studio(studio).filter(kind=Activity.Kind.STAGE).order_by("at", "pk"):
        stage = activity.data.get("stage") if isinstance(activity.data, dict) else None
        if stage == Stage.INTAKE_BOOKED:
            booked.setdefault(activity.lead_id, activity.at)
        elif stage in (Stage.NO_SHOW, Stage.WON, Stage.LOST) and activity.lead_id in booked:
            outcome.setdefault(activity.lead_id, activity)
    plans: list[_Plan] = []
    contacted: list[Lead] = []
    others: list[Lead] = []
    for lead in Lead.objects.for_studio(studio).filter(is_test=False).order_by("created_at", "pk"):
        fate = _fate(lead, outcome.get(lead.pk), lead.pk in booked)
        if fate is None:
            if lead.stage == Stage.CONTACTED:
                contacted.append(lead)
            if lead.source in ONLINE and lead.stage in (Stage.CONTACTED, Stage.LOST):
                others.append(lead)
            continue
        at = booked.get(lead.pk) or (lead.first_contact_at or lead.created_at) + timedelta(minutes=5)
        plans.append(
            _Plan(lead, fate, at, outcome.get(lead.pk), quality=_quality(rng, fate, lead.lost_reason))
        )
    contacted.sort(key=lambda lead: lead.created_at, reverse=True)
    return plans, contacted, others


def _fate(lead: Lead, outcome: Activity | None, booked: bool) -> str | None:
    if lead.stage == Stage.WON:
        return "won"
    if lead.stage == Stage.NO_SHOW:
        return "no_show"
    if lead.stage == Stage.INTAKE_HELD:
        return "held"
    if lead.stage == Stage.INTAKE_BOOKED:
        return "upcoming"
    if lead.stage == Stage.LOST and booked:
        if lead.lost_reason == NO_SHOW_REASON or (
            outcome is not None and outcome.data.get("stage") == Stage.NO_SHOW
        ):
            return "no_show"
        return "cancelled" if lead.lost_reason == CANCEL_REASON else "lost"
    return None


def _quality(rng: random.Random, fate: str, lost_reason: str) -> str:
    """How good a fit the prospect's answers show: hot, warm, cold; or the cheap-gym seeker, or no time that fits."""
    if "goedkope" in lost_reason:
        return "cheap"
    if lost_reason == CANCEL_REASON:
        return "rooster"
    if fate == "won":
        return "hot" if rng.random() < 0.7 else "warm"
    if fate == "lost":
        return "cold" if lost_reason == "Wil eerst zelf proberen" else "warm"
    if fate == "no_show":
        return "warm" if rng.random() < 0.5 else "cold"
    if fate in ("held", "upcoming", "waiting"):
        return "hot" if rng.random() < 0.4 else "warm"
    return "warm" if rng.random() < 0.4 else "cold"


def _waiting(
    plans: list[_Plan], contacted: list[Lead], agenda: _Agenda, kind: ConsultationType, now: datetime
) -> list[_Plan]:
    """The latest conversations the coach still has to record: the last one not yet marked, one without outcome.

    Taken from the freshest bookings (leads in "intake booked"), else from recently contacted leads who booked;
    returns the plans it adds for the latter.
    """
    fresh = sorted((p for p in plans if p.fate == "upcoming"), key=lambda p: p.booked_at)
    candidates = [
        *fresh,
        *(
            _Plan(lead, "waiting", lead.first_contact_at + timedelta(minutes=5), quality="hot", promoted=True)
            for lead in contacted
            if lead.first_contact_at is not None
        ),
    ]
    found: list[_Plan] = []
    for plan in candidates:
        if len(found) == TO_RECORD:
            break
        if plan.booked_at > now:
            continue
        after = max(plan.booked_at + timedelta(hours=3), now - timedelta(days=3))
        free = agenda.free(kind, plan.lead.assigned_to_id, after, now - timedelta(minutes=10))
        if not free:
            continue
        starts_at, coach_id = free[-1]
        agenda.take(kind, coach_id, starts_at)
        plan.fate, plan.slot = "waiting", _Slot(kind, coach_id, starts_at)
        found.append(plan)
    found.sort(key=lambda p: p.slot.starts_at if p.slot else now)
    for plan in found[:-1]:
        plan.fate = "held"  # the older one was held; only what came of it is missing
    return [plan for plan in found if plan.promoted]


def _place(
    plan: _Plan, rng: random.Random, agenda: _Agenda, kinds: list[ConsultationType], now: datetime
) -> bool:
    """The moment the conversation was (to be) held: a free moment of the lead's coach, a day or a few after
    booking; False when the lead booked too recently for its story (it then keeps its stage without one)."""
    kind = kinds[1] if len(kinds) > 1 and rng.random() < 0.2 else kinds[0]
    coach_id = plan.lead.assigned_to_id
    latest = now + timedelta(days=14) if plan.fate == "cancelled" else now - timedelta(hours=2)
    soon = plan.booked_at + timedelta(hours=12), min(plan.booked_at + timedelta(days=4), latest)
    free = agenda.free(kind, coach_id, *soon) or agenda.free(
        kind, coach_id, plan.booked_at + timedelta(hours=1), latest
    )
    if not free:
        return False
    starts_at, coach = rng.choice(free[:4])
    if plan.fate != "cancelled":
        agenda.take(kind, coach, starts_at)
    plan.slot = _Slot(kind, coach, starts_at)
    return True


def _responses(
    studio: Studio,
    version: QuestionnaireVersion,
    plans: list[_Plan],
    others: list[Lead],
    rng: random.Random,
    now: datetime,
) -> None:
    """The online intake of most prospects who booked, and of some who did not (finished, or left halfway)."""
    definition = version.content
    steps = definition.step_keys[1:-1]
    responses: list[IntakeResponse] = []
    health_consents: list[ConsentEntry] = []
    activities: list[Activity] = []
    leads: list[Lead] = []

    def answer(lead: Lead, quality: str, until: datetime | None, stop: str = "plan") -> IntakeResponse:
        answers = _answers(rng, lead, quality)
        if stop != "plan":
            asked = {q.key for s in definition.steps[: steps.index(stop)] for q in s.questions}
            answers = {k: v for k, v in answers.items() if k in asked}
        result = scoring.score(definition, answers, referral=lead.source == Source.REFERRAL)
        started = lead.created_at + timedelta(seconds=rng.randint(0, 180))
        finished = started + timedelta(seconds=rng.randint(240, 660))
        if until is not None:
            finished = max(min(finished, until - timedelta(minutes=1)), started + timedelta(minutes=1))
        label = IntakeResponse.Temperature(result.temperature).label
        response = IntakeResponse(
            studio=studio, version=version, lead=lead, person_id=lead.person_id, answers=answers, step=stop,
            score=result.points,
            temperature=result.temperature, disqualified=result.disqualified, reasons=result.reasons,
            created_at=started, completed_at=finished if stop == "plan" else None, health_flags=result.red_flags,
        )  # fmt: skip
        if answers.get("health_consent") is True:
            health_consents.append(ConsentEntry(
                studio=studio, person_id=lead.person_id, purpose=Purpose.HEALTH, given=True, how=How.FORM,
                source="intake", wording=HEALTH_WORDING, wording_version=f"intake v{version.number}", at=finished,
            ))  # fmt: skip
        lead.needs_clearance = bool(result.red_flags)
        # As intake_answer leaves them: the answers as the coach reads them, on the lead.
        lead.answers = {**lead.answers, **readable_answers(definition, answers)}
        leads.append(lead)
        if stop == "plan":
            marked = ", gemarkeerd" if result.disqualified else ""
            activities.append(
                Activity(
                    studio=studio, lead=lead, kind=Activity.Kind.SUBMISSION, at=finished,
                    body=f"Intake ingevuld: score {result.points} ({label}){marked}",
                )
            )  # fmt: skip
        responses.append(response)
        return response

    for plan in plans:
        if plan.lead.source in ONLINE and rng.random() < 0.9:
            plan.response = answer(plan.lead, plan.quality, min(plan.booked_at, now))
    for lead in others:
        if rng.random() < 0.3:
            stop = "plan" if rng.random() < 0.5 else rng.choice(steps[1:])
            answer(lead, _quality(rng, "other", lead.lost_reason), lead.first_contact_at, stop)
    _red_flag(definition, responses, health_consents, version.number)
    IntakeResponse.objects.bulk_create(responses, batch_size=500)
    # Last touched when they answered, not now.
    IntakeResponse.objects.for_studio(studio).update(updated_at=Coalesce("completed_at", "created_at"))
    Activity.objects.bulk_create(activities, batch_size=500)
    Lead.objects.for_studio(studio).bulk_update(leads, ["answers", "needs_clearance"], batch_size=500)
    ConsentEntry.objects.bulk_create(health_consents, batch_size=500)


def _red_flag(
    definition: Definition, responses: list[IntakeResponse], consents: list[ConsentEntry], version: int
) -> None:
    """The newest open prospect who finished the intake had chest pain and fainting spells: the plan sent them to
    their huisarts first, and the lead waits for the coach to confirm clearance."""
    open_ones = [r for r in responses if r.completed_at and r.lead.stage not in (Stage.WON, Stage.LOST)]
    if not open_ones:
        return
    response = max(open_ones, key=lambda r: r.created_at)
    response.answers = {
        **response.answers, "health": ["borst", "duizelig"], "health_consent": True,
        "health_note": "Soms druk op de borst bij traplopen, en twee keer flauwgevallen dit jaar.",
    }  # fmt: skip
    result = scoring.score(definition, response.answers, referral=response.lead.source == Source.REFERRAL)
    response.score, response.temperature, response.reasons = result.points, result.temperature, result.reasons
    response.health_flags = result.red_flags
    response.lead.needs_clearance = True
    response.lead.answers = {**response.lead.answers, **readable_answers(definition, response.answers)}
    if not any(c.person_id == response.person_id and c.purpose == Purpose.HEALTH for c in consents):
        consents.append(ConsentEntry(
            studio_id=response.studio_id, person_id=response.person_id, purpose=Purpose.HEALTH, given=True,
            how=How.FORM, source="intake", wording=HEALTH_WORDING, wording_version=f"intake v{version}",
            at=response.completed_at or response.created_at,
        ))  # fmt: skip


def _answers(rng: random.Random, lead: Lead, quality: str) -> dict[str, Any]:
    """Plausible answers to the PT intake, for a prospect of this quality, with the lead's own goal."""
    goal, words, why = GOALS.get(str(lead.answers.get("doel", "")), GOALS["Sterker worden"])
    hot, cold, cheap = quality == "hot", quality == "cold", quality == "cheap"
    tried = (
        ["niets"]
        if rng.random() < 0.2
        else rng.sample(["sportschool", "apps", "pt", "groep"], rng.randint(1, 2))
    )
    health = [] if rng.random() < 0.75 else [rng.choice(list(HEALTH_NOTES))]
    if quality == "rooster":
        times = rng.choice([["zo_ochtend"], ["za_avond", "zo_middag"], ["vr_avond"]])
    else:
        times = sorted(rng.sample(TRAINING_TIMES, rng.randint(2, 5)))
    if hot:
        start, commitment = rng.choice(["nu", "nu", "maand"]), rng.randint(8, 10)
        investment = rng.choice(["50_150", "150_300", "150_300", "300plus"])
    elif cold or cheap:
        start, commitment = rng.choice(["later", "orienteren"]), rng.randint(3, 7)
        investment = "tot50" if cheap else rng.choice(["tot50", "50_150"])
    else:
        start, commitment = rng.choice(["maand", "later"]), rng.randint(6, 8)
        investment = rng.choice(["50_150", "150_300"])
    answers: dict[str, Any] = {
        "goal": goal,
        "goal_words": rng.choice(words) if rng.random() < 0.85 else "",
        "why_now": rng.choice(why) if rng.random() < (1.0 if hot else 0.2 if cold else 0.6) else "",
        "tried": tried,
        "stopped": rng.choice(STOPPED) if tried != ["niets"] and rng.random() < 0.7 else "",
        "looking_for": "goedkoop" if cheap else "begeleiding" if rng.random() < 0.7 else "groep",
        "availability": times,
        "health": health,
        "health_note": HEALTH_NOTES[health[0]] if health and rng.random() < 0.8 else "",
        # Health answers are only kept with this consent (the intake drops them without it).
        "health_consent": True if health else "",
        "start": start,
        "commitment": commitment,
        "investment": investment,
    }
    return {key: value for key, value in answers.items() if value not in ("", [])}


def _save(
    studio: Studio, plans: list[_Plan], coaches: dict[int, User], rng: random.Random, now: datetime
) -> None:
    """The past conversations with what came of them, the coach's time they took, and the leads' timelines."""
    zone = ZoneInfo(studio.timezone)
    bookings: list[Booking] = []
    recorded: list[datetime] = []
    for plan in plans:
        assert plan.slot is not None
        kind, starts_at = plan.slot.kind, plan.slot.starts_at
        booking = Booking(
            studio=studio, lead=plan.lead, person_id=plan.lead.person_id, response=plan.response, kind=kind,
            coach_id=plan.slot.coach_id,
            starts_at=starts_at, ends_at=starts_at + timedelta(minutes=kind.duration_minutes),
            created_at=min(plan.booked_at, starts_at - timedelta(hours=1)),
        )  # fmt: skip
        at = booking.ends_at + timedelta(minutes=rng.randint(5, 90))
        if plan.fate == "won":
            booking.status, booking.outcome = Booking.Status.SHOWED, Booking.Outcome.WON
        elif plan.fate == "lost":
            booking.status, booking.outcome = Booking.Status.SHOWED, Booking.Outcome.LOST
            booking.lost_reason = plan.lead.lost_reason
        elif plan.fate == "no_show":
            booking.status = Booking.Status.NO_SHOW
        elif plan.fate == "held":
            booking.status = Booking.Status.SHOWED
        elif plan.fate == "cancelled":
            booking.status, booking.sequence = Booking.Status.CANCELLED, 1
            span = max(int((starts_at - booking.created_at).total_seconds()) - 3600, 120)
            booking.cancelled_at = min(booking.created_at + timedelta(seconds=rng.randint(60, span)), now)
            at = booking.cancelled_at + timedelta(minutes=rng.randint(30, 300))
        if booking.status in (Booking.Status.SHOWED, Booking.Status.NO_SHOW):
            booking.recorded_at, booking.recorded_by_id = min(at, now), booking.coach_id
        bookings.append(booking)
        recorded.append(min(at, now))
    Booking.objects.bulk_create(bookings, batch_size=500)

    claims: list[BookingClaim] = []
    activities: list[Activity] = []
    moved: list[Activity] = []
    leads: list[Lead] = []
    for plan, booking, at in zip(plans, bookings, recorded, strict=True):
        lead, kind = plan.lead, booking.kind
        when = clock.spoken(booking.starts_at, zone)
        coach = coaches[booking.coach_id].get_short_name() if booking.coach_id in coaches else "de coach"
        if booking.status != Booking.Status.CANCELLED:
            # The coach's time stays taken, as booking_make took it (only a cancellation gives it back).
            taken = slots.claimed_span(booking.starts_at, selectors.rules_of(kind))
            claims += [
                BookingClaim(studio=studio, booking=booking, coach_id=booking.coach_id, unit=unit)
                for unit in slots.units(*taken)
            ]
        if plan.promoted:
            activities.append(
                _stage(lead, booking.created_at, "Gesproken → Intake gepland", Stage.INTAKE_BOOKED)
            )
            lead.stage = Stage.INTAKE_BOOKED
            leads.append(lead)
        activities.append(
            Activity(
                studio=studio, lead=lead, kind=Activity.Kind.BOOKING, by_id=booking.coach_id, at=booking.created_at,
                data={"booking": booking.pk}, body=f"Kennismakingsgesprek gepland: {when} met {coach} ({kind.name})",
            )
        )  # fmt: skip
        if booking.cancelled_at is not None:
            activities.append(
                Activity(
                    studio=studio, lead=lead, kind=Activity.Kind.BOOKING, at=booking.cancelled_at,
                    data={"booking": booking.pk},
                    body=f"Kennismakingsgesprek van {when} geannuleerd door de prospect zelf: {CANCEL_REASON}",
                )
            )  # fmt: skip
        if plan.fate == "held" and lead.stage != Stage.INTAKE_HELD:
            activities.append(_stage(lead, at, "Intake gepland → Intake gehouden", Stage.INTAKE_HELD))
            lead.stage = Stage.INTAKE_HELD
            if not plan.promoted:
                leads.append(lead)
        if plan.outcome_activity is not None:
            plan.outcome_activity.at = at  # what the coach recorded, at the moment they recorded it
            moved.append(plan.outcome_activity)
    BookingClaim.objects.bulk_create(claims, batch_size=1000)
    Activity.objects.bulk_create(activities, batch_size=500)
    Activity.objects.for_studio(studio).bulk_update(moved, ["at"], batch_size=500)
    Lead.objects.for_studio(studio).bulk_update(leads, ["stage"], batch_size=500)


def _stage(lead: Lead, at: datetime, body: str, stage: str) -> Activity:
    return Activity(
        studio_id=lead.studio_id, lead=lead, kind=Activity.Kind.STAGE, by_id=lead.assigned_to_id, at=at,
        body=body, data={"stage": stage},
    )  # fmt: skip


def _book_upcoming(
    studio: Studio, plans: list[_Plan], kinds: list[ConsultationType], rng: random.Random, now: datetime
) -> None:
    """Conversations of the coming days, booked as a prospect books them: claims, timeline, mails and reminders."""
    today = clock.local(now, ZoneInfo(studio.timezone)).date()
    days = [today + timedelta(days=n) for n in range(1, 6)]
    for plan in plans:
        lead = plan.lead
        kind = kinds[1] if len(kinds) > 1 and rng.random() < 0.25 else kinds[0]
        free = selectors.open_slots(kind, days=days, now=now) or selectors.open_slots(kind, now=now)
        own = [slot for slot in free if lead.assigned_to_id in slot.coach_ids] or free
        if not own:
            continue
        booking = booking_make(
            lead=lead, kind=kind, starts_at=rng.choice(own[:12]).starts_at, response=plan.response,
            by=lead.assigned_to,
        )  # fmt: skip
        # Planned when the coach had the lead on the phone, not at this moment.
        Booking.objects.for_studio(studio).filter(pk=booking.pk).update(created_at=plan.booked_at)
        Activity.objects.for_studio(studio).filter(
            lead=lead, kind__in=[Activity.Kind.BOOKING, Activity.Kind.STAGE], at__gte=now
        ).update(at=plan.booked_at)
