"""Benchmark data of the progress app (`vollegym generate`): the members who agreed to measurements, their consent
in the ledger on their first day, and their weight every four weeks."""

from __future__ import annotations

from decimal import Decimal

from vollegym.core.generator.plan import at
from vollegym.core.generator.run import Generation
from vollegym.people.events import ConsentChanged
from vollegym.people.generate import event_row
from vollegym.people.models import ConsentEntry, DomainEvent, How, Purpose
from vollegym.progress.models import Measurement, MeasurementKind, Moment, ProgressTarget
from vollegym.progress.services import CONSENT_VERSION, consent_wording, kinds_install
from vollegym.studios.models import Studio

WEIGHT = "Gewicht"


def write(gen: Generation) -> None:
    plan, studio = gen.plan, gen.studio
    if not plan.measurements:
        return
    kinds_install(studio=studio)
    weight = MeasurementKind.objects.for_studio(studio).get(name=WEIGHT)
    people, coach = gen.ids["person"], gen.team[-1]
    measured = [m for m in plan.members if m.measured]
    gen.create(
        ConsentEntry,
        (
            ConsentEntry(
                studio=studio, person_id=people[m.person], purpose=Purpose.MEASUREMENTS, given=True, how=How.STAFF,
                by=coach, source="metingen", wording=consent_wording(studio), wording_version=CONSENT_VERSION,
                at=at(plan.first_start(m), 9),
            )
            for m in measured
        ),
    )  # fmt: skip
    given = ConsentChanged(purpose=Purpose.MEASUREMENTS, given=True, how=How.STAFF)
    gen.create(
        DomainEvent, (event_row(gen, given, at=at(plan.first_start(m), 9), person=m.person) for m in measured)
    )
    gen.create(
        Measurement,
        (
            Measurement(
                studio=studio, person_id=people[plan.members[x.member].person], kind=weight,
                value=Decimal(str(x.kilograms)), measured_on=x.day, recorded_by=coach, created_at=at(x.day, 9, 30),
                moment=Moment.START if x.day == plan.first_start(plan.members[x.member]) else Moment.OTHER,
            )
            for x in plan.measurements
        ),
    )  # fmt: skip


def clear(studio: Studio) -> None:
    """Before a generated studio is deleted: its measurements, which keep their kinds from going (PROTECT)."""
    Measurement.objects.for_studio(studio).delete()
    ProgressTarget.objects.for_studio(studio).delete()
