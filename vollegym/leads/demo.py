"""Demo data of the leads app: a year of leads for the demo studio (or more), so the inbox and the reports tell a story.

Faster answers convert better here, as the seeds say they do in real studios; referrals convert best. A longer history
is one of growth to today's pace, to about the size a year's history reaches (its groups would not hold more): a
day's leads rise from a quarter of today's at the start (GROWTH_FROM), slowly at first; answers were slower before the
last year, when the owner began to answer most leads within minutes. The numbers are drawn from a fixed seed, so every demo shows the same
history.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from vollegym.core import clock
from vollegym.leads import sla
from vollegym.leads.models import Activity, Lead, Source, Stage
from vollegym.leads.services import lead_settings_for
from vollegym.people.models import ConsentEntry, How, Person, PrivacyRequest, Purpose
from vollegym.studios.models import StaffMembership, Studio, User

FIRST = ["Anouk", "Bram", "Carmen", "Daan", "Eva", "Fatima", "Gijs", "Hanna", "Iris", "Jeroen", "Karin", "Lars",
         "Mila", "Noah", "Olga", "Pieter", "Quinten", "Romy", "Sem", "Tessa", "Umut", "Vera", "Wouter", "Yara",
         "Zeynep", "Ahmed", "Birgit", "Chantal", "Dewi", "Erik", "Femke", "Hugo", "Ilse", "Joris", "Lotte",
         "Mohammed", "Nadia", "Ruben", "Sanne", "Thijs"]  # fmt: skip
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
        "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Yilmaz",
        "El Amrani", "van Dijk", "Kramer", "Postma", "Kok", "Verhoeven"]  # fmt: skip
SOURCES = [(Source.META, 44), (Source.WEBSITE, 20), (Source.REFERRAL, 12), (Source.GOOGLE, 10),
           (Source.WALK_IN, 5), (Source.PHONE, 5), (Source.INSTAGRAM, 4)]  # fmt: skip
CAMPAIGNS = {Source.META: ["Najaar 40+", "Sterk na je bevalling", "Small group januari"],
             Source.GOOGLE: ["Personal trainer Utrecht", "Small group training Utrecht"]}  # fmt: skip
GOALS = ["Sterker worden", "Afvallen", "Zonder pijn bewegen", "Fit voor een bruiloft", "Weer fit na een blessure",
         "Beter slapen en meer energie"]  # fmt: skip
LOST_REASONS = ["Zoekt een goedkope sportschool", "Past niet in het rooster", "Geen reactie meer", "Te ver weg",
                "Wil eerst zelf proberen"]  # fmt: skip
# Chance that a lead books an intake, by how fast it got a personal answer.
BOOKING_CHANCE = [(5 * 60, 0.52), (3600, 0.38), (24 * 3600, 0.2), (None, 0.08)]
LEADS_PER_WEEK = 11
# A history of more than a year: a day's leads, as a share of a one-year history's, rise from this at its start to all
# of them today (with the square of the time gone by: slow at first).
GROWTH_FROM = 0.25
YEAR_DAYS = 365
UNREACHED_OPEN = timedelta(days=15)


def _response_seconds(rng: random.Random, coach_is_fast: bool) -> int | None:
    roll = rng.random()
    if roll < 0.03:
        return None
    fast_share = 0.45 if coach_is_fast else 0.25
    if roll < fast_share:
        return rng.randint(40, 299)
    if roll < fast_share + 0.33:
        return rng.randint(300, 3599)
    if roll < 0.93:
        return rng.randint(3600, 20 * 3600)
    return rng.randint(24 * 3600, 4 * 24 * 3600)


def _booking_chance(seconds: int | None, source: str) -> float:
    chance = 0.02
    if seconds is not None:
        chance = next(c for limit, c in BOOKING_CHANCE if limit is None or seconds < limit)
    return min(chance + (0.15 if source == Source.REFERRAL else 0.0), 0.9)


def _moment(rng: random.Random, day: datetime, zone: ZoneInfo) -> datetime:
    hour = rng.choices([rng.randint(7, 21), rng.randint(22, 23), rng.randint(0, 6)], weights=[85, 10, 5])[0]
    local = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC"))


@transaction.atomic
def load(*, years: int = 1) -> None:
    """`years` of leads up to today, with their first contact and what came of it (the intake's demo follows)."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or Lead.objects.for_studio(studio).exists():
        return  # no demo studio, or its history is already there
    config = lead_settings_for(studio)
    team = list(StaffMembership.objects.for_studio(studio).select_related("user").order_by("user_id"))
    people: list[User] = [m.user for m in team]
    fast = {m.user_id for m in team if m.role == StaffMembership.Role.OWNER}
    rng = random.Random(2026)
    zone = ZoneInfo(studio.timezone)
    now = clock.now()

    def due(created: datetime) -> datetime:
        """The clock every lead gets at capture: the studio's SLA counted in its opening hours."""
        return sla.deadline(created, config.sla_minutes, config.opening_hours, zone)

    leads: list[Lead] = []
    plans: list[tuple[Lead, int | None, User, bool, str]] = []
    days = YEAR_DAYS * years
    start = now - timedelta(days=days)
    for day_offset in range(days):
        day = (start + timedelta(days=day_offset)).astimezone(zone)
        years_ago = (days - 1 - day_offset) // YEAR_DAYS
        for _ in range(rng.choices([0, 1, 2, 3, 4], weights=[25, 30, 25, 15, 5])[0] * LEADS_PER_WEEK // 11):
            if years > 1 and rng.random() > GROWTH_FROM + (1 - GROWTH_FROM) * ((day_offset + 1) / days) ** 2:
                continue  # the studio drew fewer leads, the more so the longer ago
            created = _moment(rng, day, zone)
            if created > now - timedelta(hours=3):
                continue
            source = rng.choices([s for s, _w in SOURCES], weights=[w for _s, w in SOURCES])[0]
            first, last = rng.choice(FIRST), rng.choice(LAST)
            coach = people[len(leads) % len(people)] if people else None
            # The owner answers fast since the last year; before it, nobody did.
            seconds = (
                0
                if source in (Source.WALK_IN, Source.PHONE)
                else _response_seconds(rng, coach is not None and coach.pk in fast and not years_ago)
            )
            phone = f"+316{rng.randint(10000000, 99999999)}"
            person = Person(
                studio=studio, name=f"{first} {last}", phone=phone, phone_as_given="0" + phone[3:],
                email=f"{first.lower()}.{last.lower().replace(' ', '')}{len(leads)}@example.nl", created_at=created,
            )  # fmt: skip
            lead = Lead(
                studio=studio, person=person, source=source, campaign=rng.choice(CAMPAIGNS.get(source, [""])),
                answers={"doel": rng.choice(GOALS)}, assigned_to=coach, created_at=created, due_at=due(created),
            )  # fmt: skip
            if seconds is not None and coach is not None:
                lead.first_contact_at, lead.first_contact_by = created + timedelta(seconds=seconds), coach
            elif seconds is None:
                lead.escalated_at = lead.due_at
            booked = rng.random() < _booking_chance(seconds, source)
            leads.append(lead)
            plans.append((lead, seconds, coach, booked, source))  # type: ignore[arg-type]
    Person.objects.bulk_create([lead.person for lead in leads])  # bulk_create of the leads takes their ids
    Lead.objects.bulk_create(leads)
    _history(studio, plans, rng, now)
    _today(studio, people, now, due)
    _people(studio, people, rng, now, due)


def _history(
    studio: Studio, plans: list[tuple[Lead, int | None, User, bool, str]], rng: random.Random, now: datetime
) -> None:
    activities: list[Activity] = []
    consents: list[ConsentEntry] = []
    stage_updates: list[Lead] = []
    for lead, seconds, coach, booked, source in plans:
        activities.append(Activity(studio=studio, lead=lead, kind=Activity.Kind.CREATED, at=lead.created_at,
                                   body=f"Binnengekomen via {Source(source).label}"))  # fmt: skip
        if source in (Source.META, Source.WEBSITE, Source.GOOGLE):
            consents.append(ConsentEntry(studio=studio, person=lead.person, purpose=Purpose.CONTACT, source=source,
                                         how=How.FORM if source == Source.WEBSITE else How.WEBHOOK,
                                         wording="Ja, Studio Volle Kracht mag contact met mij opnemen over mijn aanvraag.",
                                         given=True, at=lead.created_at))  # fmt: skip
        if seconds is None:
            activities.append(Activity(studio=studio, lead=lead, kind=Activity.Kind.ESCALATED, at=lead.escalated_at or lead.created_at,
                                       body="Niet binnen de reactietijd gesproken: eigenaar gewaarschuwd"))  # fmt: skip
            # Nobody reached them: open while the follow-up's calls and mails run (two weeks), closed after.
            if now - lead.created_at > UNREACHED_OPEN:
                lead.stage, lead.lost_reason = Stage.LOST, "Geen reactie meer"
                stage_updates.append(lead)
            continue
        contact_at = lead.first_contact_at or lead.created_at
        kind = Activity.Kind.IN_PERSON if source == Source.WALK_IN else Activity.Kind.CALL
        activities.append(
            Activity(
                studio=studio, lead=lead, kind=kind, outcome=Activity.Outcome.REACHED, by=coach, at=contact_at
            )
        )
        age = now - lead.created_at
        if booked:
            booked_at = contact_at + timedelta(minutes=5)
            activities.append(Activity(studio=studio, lead=lead, kind=Activity.Kind.STAGE, by=coach, at=booked_at,
                                       body="Gesproken → Intake gepland", data={"stage": Stage.INTAKE_BOOKED}))  # fmt: skip
            if age < timedelta(days=4):
                lead.stage = Stage.INTAKE_BOOKED
            else:
                roll = rng.random()
                outcome = (
                    Stage.NO_SHOW
                    if roll < 0.12
                    else Stage.WON
                    if roll < 0.12 + 0.58 + (0.1 if source == Source.REFERRAL else 0)
                    else Stage.LOST
                )
                lead.stage = outcome
                if outcome == Stage.LOST:
                    lead.lost_reason = rng.choice(LOST_REASONS[:2] + LOST_REASONS[3:])
                activities.append(Activity(studio=studio, lead=lead, kind=Activity.Kind.STAGE, by=coach, at=booked_at + timedelta(days=3),
                                           body=f"Intake gepland → {Stage(outcome).label}", data={"stage": outcome}))  # fmt: skip
                if outcome == Stage.NO_SHOW and age > timedelta(days=14):
                    lead.stage, lead.lost_reason = Stage.LOST, "Niet verschenen op de intake"
        else:
            lead.stage = Stage.CONTACTED if age < timedelta(days=10) else Stage.LOST
            if lead.stage == Stage.LOST:
                lead.lost_reason = rng.choice(LOST_REASONS)
        stage_updates.append(lead)
    Activity.objects.bulk_create(activities, batch_size=500)
    ConsentEntry.objects.bulk_create(consents, batch_size=500)
    Lead.objects.for_studio(studio).bulk_update(stage_updates, ["stage", "lost_reason"], batch_size=500)


def _late_since(minutes: int, now: datetime, due: Callable[[datetime], datetime]) -> datetime:
    """When a lead came in whose clock ran out at least `minutes` ago: before opening time, in the last opening
    hours (a lead that came in at night is not late yet)."""
    created = now - timedelta(minutes=minutes)
    while due(created) > now - timedelta(minutes=minutes):
        created -= timedelta(minutes=5)
    return created


def _today(studio: Studio, people: list[User], now: datetime, due: Callable[[datetime], datetime]) -> None:
    """A few leads of the last hours, so the inbox has a clock running (at night, one waiting for the morning),
    one late and one just in. Their clocks are the ones capture gives, counted in the studio's opening hours."""
    fresh = [
        ("Merel Verbeek", Source.META, now - timedelta(minutes=8)),
        ("Tim Hoekstra", Source.WEBSITE, now - timedelta(minutes=35)),
        ("Sofia Rossi", Source.GOOGLE, _late_since(35, now, due)),
    ]
    for n, (name, source, created) in enumerate(fresh):
        due_at = due(created)
        person = Person.objects.create(
            studio=studio,
            name=name,
            email=f"{name.split()[0].lower()}@example.nl",
            phone=f"+3161234{5670 + n}",
            phone_as_given=f"0612345{670 + n}",
            created_at=created,
        )
        lead = Lead.objects.create(
            studio=studio, person=person, source=source, created_at=created, due_at=due_at, assigned_to=people[n % len(people)] if people else None,
            escalated_at=due_at if due_at <= now else None,
            answers={"doel": GOALS[n], "wanneer": "Zo snel mogelijk"},
        )  # fmt: skip
        Activity.objects.create(studio=studio, lead=lead, kind=Activity.Kind.CREATED, at=created,
                                body=f"Binnengekomen via {Source(source).label}")  # fmt: skip


def _people(
    studio: Studio, people: list[User], rng: random.Random, now: datetime, due: Callable[[datetime], datetime]
) -> None:
    """People over time: some came back a year after a lead that went nowhere (one person, a second lead), some
    withdrew consent through the link in a message, and one asked to be erased (the request is still open)."""
    lost_long_ago = list(
        Lead.objects.for_studio(studio)
        .filter(
            stage=Stage.LOST,
            created_at__lt=now - timedelta(days=320),
            created_at__gte=now - timedelta(days=400),
        )
        .select_related("person")
        .order_by("created_at")[:40]
    )
    for n, old in enumerate(lost_long_ago[:4]):
        created = now - timedelta(days=2 + 5 * n, hours=rng.randint(1, 8))
        coach = people[n % len(people)] if people else None
        lead = Lead.objects.create(
            studio=studio, person=old.person, source=Source.META, campaign="Najaar 40+", created_at=created,
            due_at=due(created), assigned_to=coach, stage=Stage.CONTACTED,
            first_contact_at=created + timedelta(minutes=12 + n), first_contact_by=coach,
            answers={"doel": rng.choice(GOALS), "wanneer": "Nu echt"},
        )  # fmt: skip
        Activity.objects.bulk_create([
            Activity(studio=studio, lead=lead, kind=Activity.Kind.CREATED, at=created,
                     body="Binnengekomen via Meta (Facebook/Instagram): een jaar na de eerste aanvraag"),
            Activity(studio=studio, lead=lead, kind=Activity.Kind.CALL, outcome=Activity.Outcome.REACHED, by=coach,
                     at=lead.first_contact_at or created),
        ])  # fmt: skip
    withdrawn = []
    for n, lead in enumerate(lost_long_ago[10:16]):
        given_at = lead.created_at + timedelta(minutes=1)
        purpose = Purpose.WHATSAPP if n % 2 == 0 else Purpose.MARKETING
        wording = (
            "Ja, stuur mij berichten via WhatsApp." if purpose == Purpose.WHATSAPP
            else "Ja, ik wil nieuws en aanbiedingen van Studio Volle Kracht per e-mail."
        )  # fmt: skip
        withdrawn += [
            ConsentEntry(studio=studio, person=lead.person, purpose=purpose, given=True, how=How.FORM,
                         source="website", wording=wording, at=given_at),
            ConsentEntry(studio=studio, person=lead.person, purpose=purpose, given=False, how=How.UNSUBSCRIBE,
                         wording="Ingetrokken via de link in een bericht van Studio Volle Kracht.",
                         at=given_at + timedelta(days=rng.randint(20, 90))),
        ]  # fmt: skip
    ConsentEntry.objects.bulk_create(withdrawn)
    if len(lost_long_ago) > 20:
        received = now - timedelta(days=9)
        PrivacyRequest.objects.create(
            studio=studio, person=lost_long_ago[20].person, kind=PrivacyRequest.Kind.ERASURE, received_at=received,
            due_on=clock.local(received + timedelta(days=30), studio.zone).date(),
            note="Per e-mail: graag al mijn gegevens wissen",
        )  # fmt: skip
