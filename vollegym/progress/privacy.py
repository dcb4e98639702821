"""What the progress app keeps about a person, for export, erasure and withdrawal: measurements and targets.

Measurements are health data (AVG special category) kept on the person's own consent for measurements: withdrawing
that consent removes them, and so does erasure (no count needs them).
"""

from __future__ import annotations

from typing import Any

from vollegym.people.models import Person, Purpose
from vollegym.progress.models import Measurement, ProgressTarget
from vollegym.progress.services import measurements_forget
from vollegym.progress.units import plain


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    measurements = (
        Measurement.objects.for_studio(person.studio_id)
        .filter(person=person)
        .select_related("kind")
        .order_by("measured_on", "id")
    )
    targets = (
        ProgressTarget.objects.for_studio(person.studio_id)
        .filter(person=person)
        .select_related("kind")
        .order_by("created_at", "id")
    )
    return {
        "measurements": [
            {"kind": m.kind.name, "unit": m.kind.unit, "value": str(plain(m.value)),
             "measured_on": m.measured_on.isoformat(), "moment": m.moment}
            for m in measurements
        ],
        "progress_targets": [
            {"kind": t.kind.name, "unit": t.kind.unit, "target": str(plain(t.value)),
             "set_on": t.created_at.isoformat(), "reached_at": t.reached_at.isoformat() if t.reached_at else None}
            for t in targets
        ],
    }  # fmt: skip


def refs(person: Person) -> set[str]:
    return set()


def erase(person: Person, refs: set[str]) -> int:
    return measurements_forget(person=person)


def withdraw(person: Person, purpose: str) -> int:
    if purpose != Purpose.MEASUREMENTS:
        return 0
    return measurements_forget(person=person)
