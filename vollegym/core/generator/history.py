"""The simulation of one studio's history: its team and prices, every lead and how far it got; then (members.py,
agenda.py, extras.py) the members' runs, the classes' mats, ratings, referrals and measurements.

The same seed and the same `now` make the same plan; studio n's plan does not depend on how many studios are made.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Callable, Hashable
from datetime import date, datetime, timedelta

from vollegym.core.generator import agenda, extras, members
from vollegym.core.generator.plan import (
    ZONE,
    Conversation,
    Lead,
    Person,
    Price,
    Program,
    Spend,
    StudioPlan,
    TeamMember,
    at,
    local_day,
    lognormal,
    monday_of,
    quota,
    rounded,
)
from vollegym.core.generator.spec import ANSWERED_AT_ONCE, Rates, StudioSpec

FIRST = ("Anouk", "Bram", "Carmen", "Daan", "Eva", "Fatima", "Gijs", "Hanna", "Iris", "Jeroen", "Karin", "Lars",
         "Mila", "Noah", "Olga", "Pieter", "Quinten", "Romy", "Sem", "Tessa", "Umut", "Vera", "Wouter", "Yara",
         "Zeynep", "Ahmed", "Birgit", "Chantal", "Dewi", "Erik", "Femke", "Hugo", "Ilse", "Joris", "Lotte",
         "Mohammed", "Nadia", "Ruben", "Sanne", "Thijs")  # fmt: skip
LAST = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos",
        "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Yilmaz", "El Amrani",
        "van Dijk", "Kramer", "Postma", "Kok", "Verhoeven")  # fmt: skip
GOALS = ("Sterker worden", "Afvallen", "Zonder pijn bewegen", "Fit voor een bruiloft", "Weer fit na een blessure",
         "Beter slapen en meer energie")  # fmt: skip
THEMES = ("Sterk na 40", "Afvallen zonder dieet", "Small group proefweek", "Sterk na je bevalling",
          "Fit in het voorjaar", "Nieuw jaar, nieuwe start")  # fmt: skip
SEASONS = ("Winter", "Voorjaar", "Zomer", "Najaar")
ADS = ("Video klantverhaal", "Carrousel resultaten", "Foto coach", "Reel training")
LOST = ("Zoekt een goedkope sportschool", "Past niet in het rooster", "Te ver weg", "Wil eerst zelf proberen",
        "Te duur")  # fmt: skip
RAISE = "Nieuwe prijs voor nieuwe deelnemers; wie al meedoet, houdt de eigen prijs."
# Leads per week through the year (January's resolutions, the summer holidays), over the week, over the day.
SEASON = (1.35, 1.15, 1.05, 1.0, 1.0, 0.85, 0.7, 0.8, 1.2, 1.05, 0.95, 0.7)
WEEKDAYS = (18, 17, 17, 16, 14, 9, 9)
HOURS = [h for h in range(7, 23) for _ in range(3 if 18 <= h <= 21 else 2)] + [23, 6]
NO_ANSWER_DAYS = 14  # an unanswered lead is given up after this long
QUIET_DAYS = 30  # a lead who talked but did not book is closed after this long
NO_SHOW_DAYS = 21


def plan_studio(spec: StudioSpec, *, seed: int, now: datetime, years: int) -> StudioPlan:
    """The whole history of one studio up to `now`, from the seed."""
    rng = random.Random(f"vollegym-generate-{seed}-{spec.number}")
    today = local_day(now)
    first_day = monday_of(today - timedelta(weeks=52 * years))
    plan = StudioPlan(
        spec=spec, now=now, first_day=first_day, team=_team(spec, rng), programs=_programs(spec, rng, first_day, today)
    )  # fmt: skip
    _leads(plan, rng)
    _spend(plan, rng)
    _funnel(plan, rng)
    members.plan_members(plan, rng)
    _stages(plan)
    agenda.plan_agenda(plan, rng)
    if spec.extras:
        extras.plan_extras(plan, rng)
    return plan


def _team(spec: StudioSpec, rng: random.Random) -> list[TeamMember]:
    firsts = rng.sample(FIRST, spec.coaches + 1)
    team = [TeamMember("owner", f"{firsts[0]} {rng.choice(LAST)}", "eigenaar")]
    for n in range(1, spec.coaches + 1):
        team.append(
            TeamMember("coach", f"{firsts[n]} {rng.choice(LAST)}", "coach" if n == 1 else f"coach{n}")
        )
    return team


def _programs(spec: StudioSpec, rng: random.Random, first_day: date, today: date) -> dict[str, Program]:
    """Every offer with its first price from before the history, and a raise for new members about once a year."""
    since = (first_day - timedelta(days=120)).replace(day=1)
    made = at(since - timedelta(days=10), 20, 30)
    found = {}
    for offer in spec.offers:
        program = Program(
            key=offer.key, name=offer.name, kind=offer.kind, format=offer.format, weeks=offer.weeks,
            per_week=offer.per_week, promise=offer.promise, created_at=made,
            prices=[Price(since, offer.cents, made)],
        )  # fmt: skip
        raised, cents = since, offer.cents
        while spec.price_raises:
            raised = (raised + timedelta(days=rng.randint(330, 420))).replace(day=1)
            if raised > today:
                break
            cents = rounded(cents * rng.uniform(1.04, 1.09) / 500) * 500
            program.prices.append(Price(raised, cents, at(raised - timedelta(days=14), 21, 15), RAISE))
        found[offer.key] = program
    return found


def _cohort(rates: Rates) -> Callable[[Lead], Hashable]:
    """Known rates hold within each week's leads; realistic ones over the whole history."""
    if rates.realistic:
        return lambda _lead: 0
    return lambda lead: monday_of(local_day(lead.created_at))


def _leads(plan: StudioPlan, rng: random.Random) -> None:
    rates = plan.spec.rates
    weeks = (plan.today - plan.first_day).days // 7 + 1
    per_week: list[list[datetime]] = []
    for w in range(weeks):
        monday = plan.first_day + timedelta(weeks=w)
        if rates.realistic:
            trend = 0.8 + 0.4 * w / max(weeks - 1, 1)  # a studio that grows over the years
            mean = rates.leads_per_week * SEASON[(monday + timedelta(days=3)).month - 1] * trend
            count = max(0, rounded(rng.gauss(mean, math.sqrt(mean))))
        else:
            count = rounded(rates.leads_per_week)
        moments = []
        for _ in range(count):
            day = monday + timedelta(days=rng.choices(range(7), weights=WEEKDAYS)[0])
            moments.append(at(day, rng.choice(HOURS), rng.randint(0, 59)))
        per_week.append(sorted(moments))
    sources = _sources(rng, rates, [len(m) for m in per_week])
    n = 0
    for moments, week_sources in zip(per_week, sources, strict=True):
        for created, source in zip(moments, week_sources, strict=True):
            if created >= plan.now:
                continue
            first, last = rng.choice(FIRST), rng.choice(LAST)
            plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
            plan.people.append(
                Person(
                    name=f"{first} {last}", email=f"{plain.lower().replace(' ', '')}.{n}@example.nl",
                    phone=f"+316{10_000_000 + (n * 2_654_435_761 + plan.spec.number * 7_919) % 90_000_000}",
                    created_at=created, marketing=rng.random() < 0.35,
                )
            )  # fmt: skip
            lead = Lead(
                index=n, person=len(plan.people) - 1, created_at=created, source=source,
                coach=n % len(plan.team), goal=rng.choice(GOALS),
            )  # fmt: skip
            _door(lead, plan.spec.city, rng)
            plan.leads.append(lead)
            n += 1
    plan.leads.sort(key=lambda lead: (lead.created_at, lead.index))
    for n, lead in enumerate(plan.leads):
        lead.index = n


def _sources(rng: random.Random, rates: Rates, counts: list[int]) -> list[list[str]]:
    """Each week's sources: drawn by their shares, or (known rates) exactly the shares of the week's leads."""
    names = [name for name, _share in rates.sources]
    shares = [share for _name, share in rates.sources]
    found = []
    for count in counts:
        if rates.realistic:
            found.append(rng.choices(names, weights=shares, k=count))
            continue
        exact = [share / sum(shares) * count for share in shares]
        whole = [math.floor(e) for e in exact]
        # Largest remainders get the leads that are left, in the order the shares were given on a tie.
        order = sorted(range(len(exact)), key=lambda i: -(exact[i] - whole[i]))
        for i in order[: count - sum(whole)]:
            whole[i] += 1
        week = [name for name, k in zip(names, whole, strict=True) for _ in range(k)]
        rng.shuffle(week)
        found.append(week)
    return found


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def _door(lead: Lead, city: str, rng: random.Random) -> None:
    """What the lead's door tells: the ad platform's campaign and ad, the form, the UTM tags of the page."""
    local = lead.created_at
    if lead.source == "meta":
        quarter = (local.month - 1) // 3
        lead.campaign = f"{SEASONS[quarter]} {local.year}: {THEMES[(local.year * 4 + quarter) % len(THEMES)]}"
        lead.ad, lead.form = rng.choice(ADS), "Gratis intake"
        lead.utm = {
            "utm_source": rng.choice(["facebook", "instagram"]), "utm_medium": "paid_social",
            "utm_campaign": _slug(lead.campaign), "utm_content": _slug(lead.ad),
        }  # fmt: skip
    elif lead.source == "google":
        lead.campaign = rng.choice([f"Personal trainer {city}", f"Small group training {city}"])
        lead.form = "Google-leadformulier"
        lead.utm = {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": _slug(lead.campaign)}
    elif lead.source == "website":
        lead.form = "Intakeformulier"
        if rng.random() < 0.6:
            lead.utm = {"utm_source": "google", "utm_medium": "organic"}


def _spend(plan: StudioPlan, rng: random.Random) -> None:
    """What each Meta and Google campaign cost per month: its leads of that month times the cost per lead (a
    realistic studio's varies from month to month, and Google's clicks cost more)."""
    rates = plan.spec.rates
    leads: dict[tuple[str, str, date], int] = {}
    for lead in plan.leads:
        if lead.source in ("meta", "google") and lead.campaign:
            month = local_day(lead.created_at).replace(day=1)
            key = (lead.source, lead.campaign, month)
            leads[key] = leads.get(key, 0) + 1
    for (platform, campaign, month), count in sorted(leads.items()):
        cents = count * rates.cost_per_lead_cents
        if rates.realistic:
            cents = round(cents * rng.uniform(0.75, 1.3) * (1.4 if platform == "google" else 1.0))
        plan.spend.append(Spend(platform, campaign, month, cents))


def _weight(lead: Lead) -> float:
    """Realistic studios: a lead answered fast, or a friend of a member, goes on more often."""
    seconds = lead.response_seconds
    if seconds is None:
        speed = 0.3
    elif seconds < 300:
        speed = 1.6
    elif seconds < 3600:
        speed = 1.25
    elif seconds < 86_400:
        speed = 0.85
    else:
        speed = 0.5
    return speed * (1.5 if lead.source == "referral" else 1.0)


def _funnel(plan: StudioPlan, rng: random.Random) -> None:
    """Who was answered, filled in the intake, booked, came and said yes: each step a quota of the step before."""
    rates, leads, now = plan.spec.rates, plan.leads, plan.now
    cohort = _cohort(rates)
    weight = _weight if rates.realistic else (lambda _lead: 1.0)
    at_once = lambda lead: 1e9 if lead.source in ANSWERED_AT_ONCE else 1.0  # noqa: E731
    contacted = [leads[n] for n in sorted(quota(rng, leads, rates.contacted, weight=at_once, cohort=cohort))]
    n = 0
    for lead in contacted:
        if lead.source in ANSWERED_AT_ONCE:
            lead.contacted_at, lead.channel = (
                lead.created_at,
                "in_person" if lead.source == "walk_in" else "call",
            )
            continue
        if rates.answer_minutes:
            seconds = 60 * rates.answer_minutes[n % len(rates.answer_minutes)]
        else:
            seconds = lognormal(rng, 60 * rates.median_answer_minutes, 1.1, 30, 4 * 86_400)
        n += 1
        moment = lead.created_at + timedelta(seconds=round(seconds))
        hour = moment.astimezone(ZONE).hour
        if rates.realistic and (
            hour >= 22 or hour < 7
        ):  # nobody answers at night: first thing in the morning
            morning = local_day(moment) + timedelta(days=1 if hour >= 22 else 0)
            moment = max(moment, at(morning, 7, rng.randint(30, 59)))
        lead.contacted_at = moment
        lead.channel = rng.choices(["call", "whatsapp", "email"], weights=[55, 35, 10])[0]
    held = [contacted[n] for n in sorted(quota(rng, contacted, rates.intake, weight=weight, cohort=cohort))]
    for lead in held:
        assert lead.contacted_at is not None
        lead.intake_completed_at = lead.contacted_at + timedelta(
            seconds=round(lognormal(rng, 3 * 3600, 1.2, 600, 3 * 86_400))
        )
        lead.intake_started_at = max(
            lead.intake_completed_at - timedelta(minutes=rng.randint(4, 12)), lead.created_at
        )
    if plan.spec.extras:  # some start the intake and leave it halfway
        for lead in contacted:
            if lead.intake_started_at is None and lead.contacted_at is not None and rng.random() < 0.15:
                lead.intake_started_at = lead.contacted_at + timedelta(minutes=rng.randint(30, 2880))
    booked = [held[n] for n in sorted(quota(rng, held, rates.booked, weight=weight, cohort=cohort))]
    busy: set[tuple[int, date, int]] = set()
    for lead in booked:
        assert lead.intake_completed_at is not None
        made = lead.intake_completed_at + timedelta(seconds=round(lognormal(rng, 7200, 1.0, 300, 2 * 86_400)))
        starts = _slot(rng, busy, lead.coach, made)
        lead.conversation = Conversation(
            created_at=made, starts_at=starts, ends_at=starts + timedelta(minutes=30), coach=lead.coach
        )
    showed = quota(rng, booked, rates.showed, weight=weight, cohort=cohort)
    for n, lead in enumerate(booked):
        talk = lead.conversation
        assert talk is not None
        talk.status = "showed" if n in showed else "no_show"
        talk.recorded_at = talk.ends_at + timedelta(minutes=rng.randint(5, 120))
    came = [lead for n, lead in enumerate(booked) if n in showed]
    won = quota(rng, came, rates.won, weight=weight, cohort=cohort)
    for n, lead in enumerate(came):
        talk = lead.conversation
        assert talk is not None and talk.recorded_at is not None
        if n in won:
            talk.outcome, lead.won_at = "won", talk.recorded_at
        else:
            talk.outcome, talk.lost_reason = "lost", rng.choice(LOST)
    for lead in leads:
        _quality(lead, rng)
        _cut(lead, now)


def _slot(rng: random.Random, busy: set[tuple[int, date, int]], coach: int, made: datetime) -> datetime:
    """A free hour of the coach one to six days on: weekdays 9 to 20, Saturday morning, never on Sunday."""
    day = local_day(made) + timedelta(days=rng.randint(1, 6))
    while True:
        if day.weekday() < 6:
            hours = [h for h in range(9, 13 if day.weekday() == 5 else 20) if (coach, day, h) not in busy]
            if hours:
                hour = rng.choice(hours)
                busy.add((coach, day, hour))
                return at(day, hour)
        day += timedelta(days=1)


def _quality(lead: Lead, rng: random.Random) -> None:
    """How the intake reads: those who booked mostly hot or warm, the others mostly warm or cold."""
    if lead.intake_started_at is None:
        return
    weights = [50, 40, 10] if lead.conversation is not None else [10, 50, 40]
    lead.quality = rng.choices(["hot", "warm", "cold"], weights=weights)[0]


def _cut(lead: Lead, now: datetime) -> None:
    """Nothing after `now`: a step still to come is not there yet, and neither is anything after it."""
    if lead.contacted_at is not None and lead.contacted_at >= now:
        lead.contacted_at, lead.channel = None, ""
        lead.intake_started_at = lead.intake_completed_at = None
        lead.conversation, lead.won_at = None, None
        return
    if lead.intake_started_at is not None and lead.intake_started_at >= now:
        lead.intake_started_at = None
    if lead.intake_completed_at is not None and lead.intake_completed_at >= now:
        lead.intake_completed_at = None
    talk = lead.conversation
    if talk is None:
        return
    if talk.created_at >= now:
        lead.conversation, lead.won_at = None, None
    elif talk.recorded_at is not None and talk.recorded_at >= now:
        # Still to come, or held and not yet recorded: booked, without an outcome.
        talk.status, talk.outcome, talk.recorded_at, talk.lost_reason = "booked", "", None, ""
        lead.won_at = None


def _stages(plan: StudioPlan) -> None:
    """Where each lead stands now, and when the ones that went nowhere were closed."""
    now = plan.now
    for lead in plan.leads:
        talk = lead.conversation
        if lead.member is not None or (talk is not None and talk.outcome == "won"):
            lead.stage = "won"
            continue
        if talk is not None and talk.outcome == "lost":
            lead.stage, lead.lost_reason, lead.closed_at = "lost", talk.lost_reason, talk.recorded_at
            continue
        if talk is not None and talk.status == "no_show":
            closes = talk.ends_at + timedelta(days=NO_SHOW_DAYS)
            if closes < now:
                lead.stage, lead.lost_reason, lead.closed_at = "lost", "Niet verschenen", closes
            else:
                lead.stage = "no_show"
            continue
        if talk is not None:
            lead.stage = "intake_booked"
            continue
        days, reason, stage = (
            (QUIET_DAYS, "Geen reactie meer", "contacted")
            if lead.contacted_at is not None
            else (NO_ANSWER_DAYS, "Niet bereikt", "new")
        )
        closes = lead.created_at + timedelta(days=days)
        if closes < now:
            lead.stage, lead.lost_reason, lead.closed_at = "lost", reason, closes
        else:
            lead.stage = stage
