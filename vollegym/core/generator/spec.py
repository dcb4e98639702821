"""What a generated studio is made with: its team, its offers and classes, and the rates of its funnel and survival.

A realistic studio draws its rates from the seed (studios differ, as real ones do: a few answer slowly, a few fill
their classes). A known studio takes them as given and the plan makes them hold exactly, so a test can compare every
figure of the pages with the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import time

# Lead sources as the leads app names them, with their usual share of a studio's leads.
TYPICAL_SOURCES: tuple[tuple[str, float], ...] = (
    ("meta", 0.44), ("website", 0.20), ("referral", 0.12), ("google", 0.10), ("walk_in", 0.05), ("phone", 0.05),
    ("instagram", 0.04),
)  # fmt: skip
# Who is in the studio when a lead walks in or calls: answered on the spot.
ANSWERED_AT_ONCE = frozenset({"walk_in", "phone"})
PERIOD_DAYS = 28  # survival is counted in periods of four weeks, a membership's period


@dataclass(frozen=True)
class Rates:
    """A studio's funnel and survival.

    Each rate is a share of the step before: contacted of all leads, intake of those contacted, booked of those with
    an intake, showed of those booked, won of those who came. `stay` is the share of members who go on after each
    period of four weeks. The plan applies each rate as a quota (the number going on is the rate times the number at
    the step before, rounded), so in a studio whose steps all lie in the past the rates hold exactly.
    """

    leads_per_week: float = 10.0
    sources: tuple[tuple[str, float], ...] = TYPICAL_SOURCES
    contacted: float = 0.92
    # Known answer times in minutes, given to the contacted leads in turn; empty: drawn around the median below.
    answer_minutes: tuple[float, ...] = ()
    median_answer_minutes: float = 30.0
    intake: float = 0.5
    booked: float = 0.65
    showed: float = 0.85
    won: float = 0.55
    stay: float = 0.92
    # What the ads cost per lead they brought (Meta and Google leads): a known studio's spend on a campaign in a
    # month is exactly this times the campaign's leads that month; a realistic one's varies around it.
    cost_per_lead_cents: int = 2500
    # Realistic: leads per week follow the season and chance, leads answered faster (and referred friends) go on
    # more often, the rates hold over the whole history. Known: exactly `leads_per_week` leads every week, the
    # sources' shares and every rate hold within each week's leads, every lead alike.
    realistic: bool = True


@dataclass(frozen=True)
class OfferSpec:
    """A program the studio sells (programs app): `kind` program or membership, `format` pt or small_group."""

    key: str
    name: str
    kind: str
    format: str
    weeks: int
    per_week: int
    cents: int
    promise: str = ""


@dataclass(frozen=True)
class ClassSpec:
    """A weekly small-group class; `program` is an offer's key; `coach` an index into the team."""

    name: str
    weekday: int
    starts: time
    minutes: int
    capacity: int
    program: str
    coach: int
    room: str = ""


@dataclass(frozen=True)
class StudioSpec:
    number: int
    slug: str
    name: str
    city: str
    kind: str  # pt / small_group / both (the studios app's kinds)
    coaches: int  # besides the owner
    rates: Rates
    offers: tuple[OfferSpec, ...]
    classes: tuple[ClassSpec, ...] = ()
    base_members: int = 0  # members from before the history starts
    start_later: bool = (
        True  # a group run starts the next Monday, a PT run a few days on; False: the day they join
    )
    price_raises: bool = True  # a raise of the new members' price about once a year
    extras: bool = (
        True  # abandoned intakes, ratings, referrals, measurements; a known studio can leave them out
    )
    offer_weights: dict[str, float] = field(default_factory=dict)  # which first run a new member takes


MEMBERSHIP = OfferSpec(
    "lidmaatschap", "Small group lidmaatschap", "membership", "small_group", 4, 2, 13900,
    "Twee keer per week trainen in een vaste groep van hooguit tien, met een coach die je naam kent.",
)  # fmt: skip
STERK = OfferSpec(
    "sterk", "Sterk in 8 weken", "program", "small_group", 8, 2, 44900,
    "In acht weken de basis van krachttraining onder de knie, in een groep van hooguit acht.",
)  # fmt: skip
TRANSFORMATIE = OfferSpec(
    "transformatie", "Transformatie 12 weken", "program", "pt", 12, 2, 119500,
    "In twaalf weken aantoonbaar sterker en fitter: twee keer per week personal training 1-op-1.",
)  # fmt: skip
RITTENKAART = OfferSpec(
    "rittenkaart", "PT 10-rittenkaart", "program", "pt", 10, 1, 64500,
    "Tien personal trainingen van een uur, te plannen binnen tien weken.",
)  # fmt: skip
OFFERS_BY_KIND = {
    "pt": (TRANSFORMATIE, RITTENKAART),
    "small_group": (MEMBERSHIP, STERK),
    "both": (MEMBERSHIP, STERK, TRANSFORMATIE, RITTENKAART),
}
FIRST_RUN_WEIGHTS = {"lidmaatschap": 45.0, "sterk": 20.0, "transformatie": 25.0, "rittenkaart": 10.0}

NAMES = ("Kracht", "Volle Kracht", "Fit", "Sterk", "Beweeg", "Puur", "Focus", "Vitaal", "Balans", "Energie",
         "Vorm", "Body & Mind", "Move", "Core", "Atleet")  # fmt: skip
PLACES = ("Utrecht", "Amersfoort", "Zeist", "Houten", "Nieuwegein", "Leiden", "Haarlem", "Delft", "Zwolle",
          "Deventer", "Arnhem", "Nijmegen", "Breda", "Tilburg", "Den Bosch", "Eindhoven", "Groningen", "Alkmaar",
          "Hilversum", "Apeldoorn")  # fmt: skip
ROOMS = ("Grote zaal", "Kleine zaal")
CLASS_NAMES = ("Kracht & conditie", "Bootcamp", "Kettlebell", "Mobility", "Sterk 40+", "Circuit", "HIIT")
# (weekday, start) moments a class can have, most wanted first.
MOMENTS = [(d, time(7, 0)) for d in range(5)] + [(d, time(19, 0)) for d in range(5)] + \
    [(d, time(18, 0)) for d in range(4)] + [(d, time(12, 15)) for d in range(5)] + \
    [(5, time(9, 0)), (5, time(10, 0))] + [(d, time(20, 0)) for d in range(4)] + [(6, time(10, 0))]  # fmt: skip


def realistic(number: int, *, prefix: str, rng: random.Random) -> StudioSpec:
    """Studio `number` (from 1) with rates, size and offers drawn from the seed, around what real studios show."""
    kind = rng.choices(["pt", "small_group", "both"], weights=[20, 30, 50])[0]
    coaches = rng.choice([1, 1, 2, 2, 3])
    rates = Rates(
        leads_per_week=rng.uniform(4.0, 16.0),
        contacted=rng.uniform(0.85, 0.98),
        median_answer_minutes=rng.choice([3, 6, 12, 20, 35, 60, 120, 360]),
        intake=rng.uniform(0.35, 0.6),
        booked=rng.uniform(0.5, 0.8),
        showed=rng.uniform(0.75, 0.92),
        won=rng.uniform(0.4, 0.65),
        stay=rng.uniform(0.86, 0.96),
        cost_per_lead_cents=rng.randint(1500, 5000),
    )
    offers = tuple(
        replace(offer, cents=int(round(offer.cents * rng.uniform(0.85, 1.15), -3)))
        for offer in OFFERS_BY_KIND[kind]
    )
    classes: list[ClassSpec] = []
    if kind != "pt":
        count = rng.randint(8, 16)
        moments = sorted(rng.sample(MOMENTS[:22], count))
        for weekday, starts in moments:
            program = "sterk" if rng.random() < 0.25 else "lidmaatschap"
            classes.append(
                ClassSpec(
                    name="Sterk in 8 weken" if program == "sterk" else rng.choice(CLASS_NAMES), weekday=weekday,
                    starts=starts, minutes=rng.choice([45, 45, 60]), capacity=rng.choice([6, 8, 8, 10, 10, 12]),
                    program=program, coach=rng.randint(0, coaches), room=rng.choice(ROOMS),
                )
            )  # fmt: skip
    name = f"{NAMES[(number - 1) % len(NAMES)]} {PLACES[(number - 1) % len(PLACES)]}"
    if number > len(NAMES):
        name += f" {(number - 1) // len(NAMES) + 1}"
    return StudioSpec(
        number=number, slug=f"{prefix}-{number:02d}", name=name, city=PLACES[(number - 1) % len(PLACES)],
        kind=kind, coaches=coaches, rates=rates, offers=offers, classes=tuple(classes),
        base_members=rng.randint(5, 25) if kind != "pt" else rng.randint(2, 8),
        offer_weights={o.key: FIRST_RUN_WEIGHTS[o.key] for o in offers},
    )  # fmt: skip


def known(
    number: int, *, prefix: str, rates: Rates, classes: tuple[ClassSpec, ...] = (), cents: int = 15000
) -> StudioSpec:
    """A studio whose funnel and survival are exactly `rates`: one membership of four-week periods at one price,
    runs that start the day a member joins, no members from before, and nothing the rates do not say."""
    offer = replace(MEMBERSHIP, cents=cents)
    return StudioSpec(
        number=number, slug=f"{prefix}-{number:02d}", name=f"Bekende Studio {number}", city="Utrecht",
        kind="small_group", coaches=1, rates=replace(rates, realistic=False),
        offers=(offer,), classes=classes, base_members=0, start_later=False, price_raises=False, extras=False,
        offer_weights={offer.key: 1.0},
    )  # fmt: skip
