"""Demo data of the progress app: members measured at the start, halfway and at the end of their program.

Only members who agreed to measurements are measured: each gets a yes in the consent ledger (with the exact words,
on their start day) before their first value. Members whose program runs on have their start (and halfway, when
it has passed) values; a few have a target the coach set with them. The trends are modest and not all of them good:
a program changes a waist by centimetres, not by tens. In a history of more than a year, some members who have trained
for a year and a half or longer were measured every twelve weeks since they joined (as the membership promises): their
gains level off. Drawn from a fixed seed; loading again adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from vollegym.core import clock
from vollegym.people.events import ConsentChanged, event_record
from vollegym.people.models import ConsentEntry, How, Person, Purpose
from vollegym.programs.models import Enrolment
from vollegym.progress.models import Measurement, MeasurementKind, Moment, ProgressTarget
from vollegym.progress.services import CONSENT_VERSION, consent_wording, kinds_install
from vollegym.studios.models import StaffMembership, Studio, User

SEED = 4711
MEASURED = 10  # members with measurements
LONG_MEASURED = 4  # members of long standing, measured every twelve weeks
LONG_SINCE = timedelta(days=540)  # who joined at least this long ago and is still a member
EVERY = timedelta(weeks=12)


@transaction.atomic
def load(*, years: int = 1) -> None:
    """The latest starters' measurements and, when the `years` of history hold them, the long-standing members'."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or Measurement.objects.for_studio(studio).exists():
        return  # no demo studio, or its measurements are already there
    rng = random.Random(SEED)
    kinds_install(studio=studio)
    kinds = {k.name: k for k in MeasurementKind.objects.for_studio(studio)}
    coach = StaffMembership.objects.for_studio(studio).filter(role=StaffMembership.Role.COACH).first()
    by = coach.user if coach else None
    today = clock.today(studio.zone)
    firsts: dict[int, Enrolment] = {}
    for enrolment in (
        Enrolment.objects.for_studio(studio)
        .filter(starts_on__lte=today)
        .select_related("member__person")
        .order_by("starts_on", "id")
    ):
        firsts.setdefault(enrolment.member_id, enrolment)
    # The most recent starts: members the coach is working with now, some with their program already done.
    chosen = sorted(firsts.values(), key=lambda e: e.starts_on)[-MEASURED:]
    for n, enrolment in enumerate(chosen):
        person = enrolment.member.person
        started = datetime.combine(enrolment.starts_on, time(9), tzinfo=studio.zone)
        _measuring_allowed(studio, person, by, started)
        moments = [(Moment.START, enrolment.starts_on)]
        halfway = enrolment.starts_on + (enrolment.ends_on - enrolment.starts_on) / 2
        if halfway <= today:
            moments.append((Moment.HALFWAY, halfway))
        if enrolment.ends_on <= today:
            moments.append((Moment.END, enrolment.ends_on))
        # Most members improve, some hardly, one goes the wrong way: the demo tells the truth about a studio.
        effort = rng.choice([1.0, 1.0, 0.8, 0.6, 0.3, -0.2]) if n else 1.0
        weight = rng.uniform(68, 98)
        start = {
            "Gewicht": weight, "Taille": weight * rng.uniform(0.95, 1.05) + 8, "Vetpercentage": rng.uniform(22, 34),
            "5 herhalingen squat": rng.choice([40, 50, 60, 70]), "500 m roeien": rng.uniform(110, 150),
        }  # fmt: skip
        weeks_total = max((enrolment.ends_on - enrolment.starts_on).days / 7, 1)
        for moment, day in moments:
            weeks = (day - enrolment.starts_on).days / 7
            gained = effort * min(weeks, weeks_total)
            values = {
                "Gewicht": start["Gewicht"] - 0.35 * gained + rng.uniform(-0.4, 0.4),
                "Taille": start["Taille"] - 0.5 * gained + rng.uniform(-0.5, 0.5),
                "Vetpercentage": start["Vetpercentage"] - 0.3 * gained + rng.uniform(-0.3, 0.3),
                "5 herhalingen squat": start["5 herhalingen squat"] + 2.5 * round(gained),
                "500 m roeien": start["500 m roeien"] - 0.9 * gained + rng.uniform(-1, 1),
            }
            # Not every kind every time: the rowing test only at start and end, the squat not for everyone.
            names = [k for k in values if not (k == "500 m roeien" and moment == Moment.HALFWAY)]
            if n % 3 == 2:
                names.remove("5 herhalingen squat")
            Measurement.objects.bulk_create(
                Measurement(
                    studio=studio,
                    person=person,
                    kind=kinds[name],
                    value=_rounded(name, values[name]),
                    measured_on=day,
                    moment=moment,
                    recorded_by=by,
                    created_at=datetime.combine(day, time(10), tzinfo=studio.zone),
                )
                for name in names
            )
        if enrolment.ends_on > today and len(moments) < 3 and n % 2 == 0:
            _target(studio, enrolment, kinds["Taille"], start["Taille"] - 4, by, enrolment.starts_on)
    _long_standing(studio, kinds, firsts, {e.member_id for e in chosen}, by, today)


def _long_standing(
    studio: Studio,
    kinds: dict[str, MeasurementKind],
    firsts: dict[int, Enrolment],
    taken: set[int],
    by: User | None,
    today: date,
) -> None:
    """Members who joined at least LONG_SINCE ago and train still: measured at the start and every twelve weeks
    since, with consent from their first day. Most gains come in the first months and then level off."""
    rng = random.Random(SEED + 1)  # its own draws: the latest starters' values stay as they are
    running = set(
        Enrolment.objects.for_studio(studio)
        .filter(status=Enrolment.Status.ACTIVE, starts_on__lte=today, ends_on__gte=today)
        .values_list("member_id", flat=True)
    )
    long = [
        e for member_id, e in firsts.items()
        if member_id in running and member_id not in taken and e.starts_on <= today - LONG_SINCE
    ]  # fmt: skip
    for enrolment in rng.sample(long, min(LONG_MEASURED, len(long))):
        person = enrolment.member.person
        started = datetime.combine(enrolment.starts_on, time(9), tzinfo=studio.zone)
        _measuring_allowed(studio, person, by, started)
        effort = rng.choice([1.0, 0.9, 0.7, 0.5])
        weight = rng.uniform(70, 96)
        start = {
            "Gewicht": weight, "Taille": weight * rng.uniform(0.95, 1.05) + 8, "Vetpercentage": rng.uniform(22, 32),
            "5 herhalingen squat": rng.choice([30, 40, 50]), "500 m roeien": rng.uniform(115, 150),
        }  # fmt: skip
        rows = []
        day, number = enrolment.starts_on, 0
        while day <= today:
            weeks = (day - enrolment.starts_on).days / 7
            gained = effort * 14 * (1 - 0.5 ** (weeks / 26))  # weeks of a program's progress, levelling off
            values = {
                "Gewicht": start["Gewicht"] - 0.35 * gained + rng.uniform(-0.6, 0.6),
                "Taille": start["Taille"] - 0.5 * gained + rng.uniform(-0.6, 0.6),
                "Vetpercentage": start["Vetpercentage"] - 0.3 * gained + rng.uniform(-0.4, 0.4),
                "5 herhalingen squat": start["5 herhalingen squat"] + 2.5 * round(gained),
                "500 m roeien": start["500 m roeien"] - 0.9 * gained + rng.uniform(-1.5, 1.5),
            }
            # The rowing test every other time.
            names = [k for k in values if not (k == "500 m roeien" and number % 2)]
            rows += [
                Measurement(
                    studio=studio, person=person, kind=kinds[name], value=_rounded(name, values[name]),
                    measured_on=day, moment=Moment.START if number == 0 else Moment.OTHER, recorded_by=by,
                    created_at=datetime.combine(day, time(10), tzinfo=studio.zone),
                )
                for name in names
            ]  # fmt: skip
            day, number = day + EVERY, number + 1
        Measurement.objects.bulk_create(rows)


def _rounded(name: str, value: float) -> Decimal:
    step = Decimal("2.5") if name == "5 herhalingen squat" else Decimal("0.1")
    return (Decimal(str(value)) / step).quantize(Decimal(1)) * step


def _target(
    studio: Studio, enrolment: Enrolment, kind: MeasurementKind, value: float, by: User | None, on: date
) -> None:
    ProgressTarget.objects.create(
        studio=studio, person=enrolment.member.person, kind=kind, value=_rounded(kind.name, value),
        set_by=by, created_at=datetime.combine(on, time(10), tzinfo=studio.zone),
    )  # fmt: skip


def _measuring_allowed(studio: Studio, person: Person, by: User | None, at: datetime) -> None:
    """The member's yes to measurements, given to the coach at the start, with its event (as the page records it)."""
    ConsentEntry.objects.create(
        studio=studio, person=person, purpose=Purpose.MEASUREMENTS, given=True, how=How.STAFF, by=by,
        source="metingen", wording=consent_wording(studio), wording_version=CONSENT_VERSION, at=at,
    )  # fmt: skip
    event_record(
        studio=studio, person=person, by=by, at=at,
        event=ConsentChanged(purpose=Purpose.MEASUREMENTS, given=True, how=How.STAFF),
    )  # fmt: skip
