"""Reads about progress: a member's values per kind with their chart, the studio's kinds, and the intake's goal."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from vollegym.people.models import Person
from vollegym.progress.charts import Chart, line_chart
from vollegym.progress.models import Measurement, MeasurementKind, ProgressTarget
from vollegym.progress.units import plain
from vollegym.studios.models import Studio


def kinds_of(studio: Studio, *, archived: bool = False) -> QuerySet[MeasurementKind]:
    kinds = MeasurementKind.objects.for_studio(studio)
    return kinds if archived else kinds.filter(archived_at__isnull=True)


@dataclass(frozen=True)
class Series:
    """One kind's values for one person, oldest first, with the current target and the chart."""

    kind: MeasurementKind
    measurements: list[Measurement]
    target: ProgressTarget | None
    chart: Chart

    @property
    def first(self) -> Decimal:
        return plain(self.measurements[0].value)

    @property
    def last(self) -> Decimal:
        return plain(self.measurements[-1].value)

    @property
    def change(self) -> Decimal:
        return plain(self.measurements[-1].value - self.measurements[0].value)

    @property
    def improved(self) -> bool:
        """Moved the good way since the first value (a change of nothing is no improvement)."""
        return self.change != 0 and self.kind.better(self.last, self.first)


def progress_of(person: Person) -> list[Series]:
    """Every kind measured for the person (archived kinds too: their values stay), in the studio's order."""
    rows = list(
        Measurement.objects.for_studio(person.studio_id)
        .filter(person=person)
        .select_related("kind")
        .order_by("kind__position", "kind_id", "measured_on", "id")
    )
    targets = {
        t.kind_id: t
        for t in ProgressTarget.objects.for_studio(person.studio_id).filter(
            person=person, replaced_at__isnull=True
        )
    }
    by_kind: dict[int, list[Measurement]] = {}
    for row in rows:
        by_kind.setdefault(row.kind_id, []).append(row)
    found = []
    for values in by_kind.values():
        kind = values[0].kind
        target = targets.get(kind.pk)
        chart = line_chart(
            [(m.measured_on, m.value, m.get_moment_display()) for m in values],
            target.value if target else None,
        )
        found.append(Series(kind=kind, measurements=values, target=target, chart=chart))
    return found


def targets_of(person: Person) -> dict[int, ProgressTarget]:
    """The current target per kind id."""
    return {
        t.kind_id: t
        for t in ProgressTarget.objects.for_studio(person.studio_id).filter(
            person=person, replaced_at__isnull=True
        )
    }


def intake_goal(person: Person) -> str:
    """What the person said they want in their latest completed intake ("Afvallen en fitter worden: …"), or ""."""
    from vollegym.intake.models import IntakeResponse

    response = (
        IntakeResponse.objects.for_studio(person.studio_id)
        .filter(person=person, completed_at__isnull=False)
        .select_related("version")
        .order_by("-completed_at")
        .first()
    )
    if response is None:
        return ""
    question = response.version.content.question("goal")
    chosen = response.answers.get("goal")
    label = next((o.label for o in question.options if o.value == chosen), "") if question else ""
    words = str(response.answers.get("goal_words") or "").strip()
    return ": ".join(part for part in (label, words) if part)
