"""The agency's portfolio: every studio in one table, each figure set against the median of all studios, the ones
far from the rest marked, and the trend against the period before.

One grouped query per figure for all studios together (not one set of queries per studio), so the page stays fast
with fifty studios and years of history. The agency crosses studios on purpose here: every query below uses the
named crossing (`all_studios`), always limited to the active studios in the table.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import Cast, TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vollegym.analytics.speed import duration_label
from vollegym.core import clock
from vollegym.intake.models import IntakeResponse
from vollegym.leads.models import Lead
from vollegym.programs.models import Enrolment, Member
from vollegym.schedule.models import ClassSession, SessionBooking
from vollegym.studios.models import Studio

PERIOD = timedelta(days=28)
CONVERSION_WINDOW = timedelta(days=90)  # intakes of the last 90 days: long enough for most to have decided
RETENTION_DAY = 90
RETENTION_COHORT = timedelta(days=180)  # members who joined 90 to 270 days ago: their day 90 has come
ZERO = timedelta(0)


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    higher_is_better: bool
    show: Callable[[float | None], str]
    help: str | Promise = ""


def _count(value: float | None) -> str:
    return "—" if value is None else f"{round(value)}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


def _euros(cents: float | None) -> str:
    return "—" if cents is None else "€ " + f"{round(cents / 100):,}".replace(",", ".")


COLUMNS = [
    Column("leads", _("Leads"), True, _count, _("de laatste 4 weken")),
    Column("speed", _("Reactietijd"), False, duration_label, _("mediaan, de laatste 4 weken")),
    Column("conversion", _("Intake → lid"), True, _percent, _("intakes van de laatste 90 dagen")),
    Column("fill", _("Bezetting"), True, _percent, _("de lessen van de laatste 4 weken")),
    Column(
        "retention",
        _("Na 90 dagen nog lid"),
        True,
        _percent,
        _("leden die 90 tot 270 dagen geleden begonnen"),
    ),
    Column("revenue", _("Verkocht"), True, _euros, _("afgesproken prijzen, de laatste 4 weken")),
]


@dataclass(frozen=True)
class Figure:
    value: float | None
    before: float | None  # the same figure over the period before (for the trend); None where it has none
    shown: str
    against_median: str  # "better", "worse" or "" (at the median, or nothing to compare)
    outlier: (
        bool  # far from the other studios (beyond 1.5 times the spread of the middle half), on the bad side
    )

    @property
    def trend(self) -> str:
        if self.value is None or self.before is None:
            return ""
        if abs(self.value - self.before) <= 0.05 * max(abs(self.before), 1e-9):
            return "same"
        return "up" if self.value > self.before else "down"


@dataclass(frozen=True)
class StudioRow:
    studio: Studio
    figures: list[Figure]

    @property
    def cells(self) -> list[tuple[Column, Figure]]:
        return list(zip(COLUMNS, self.figures, strict=True))

    @property
    def outliers(self) -> int:
        return sum(1 for f in self.figures if f.outlier)


@dataclass(frozen=True)
class Portfolio:
    columns: list[Column]
    rows: list[StudioRow]
    medians: list[str]
    since: datetime
    until: datetime

    @property
    def median_cells(self) -> list[tuple[Column, str]]:
        return list(zip(self.columns, self.medians, strict=True))


def _leads_and_speed(
    ids: list[int], start: datetime, end: datetime
) -> tuple[dict[int, float], dict[int, float]]:
    """Per studio the leads that came in, and the median time to their first personal answer, from one read of the
    leads: how long each waited, subtracted by the database (no moment is read)."""
    leads = Lead.all_studios.filter(
        studio_id__in=ids, is_test=False, created_at__gte=start, created_at__lt=end
    )
    waited = ExpressionWrapper(F("first_contact_at") - F("created_at"), output_field=DurationField())
    counts: dict[int, float] = defaultdict(float)
    per_studio: dict[int, list[float]] = defaultdict(list)
    for studio_id, answered_after in leads.annotate(waited=waited).values_list("studio_id", "waited"):
        counts[studio_id] += 1
        if answered_after is not None and answered_after >= ZERO:
            per_studio[studio_id].append(answered_after.total_seconds())
    return dict(counts), {studio_id: statistics.median(values) for studio_id, values in per_studio.items()}


def _fill(ids: list[int], start: datetime, end: datetime) -> dict[int, float]:
    sessions = ClassSession.all_studios.filter(
        studio_id__in=ids, status=ClassSession.Status.SCHEDULED, starts_at__gte=start, starts_at__lt=end
    )
    mats = {
        row["studio_id"]: row["mats"] for row in sessions.values("studio_id").annotate(mats=Sum("capacity"))
    }
    taken = {
        row["studio_id"]: row["n"]
        for row in SessionBooking.all_studios.filter(
            session__in=sessions, status__in=SessionBooking.HOLDS_A_MAT
        )
        .values("studio_id")
        .annotate(n=Count("id"))
    }
    return {studio_id: taken.get(studio_id, 0) / total for studio_id, total in mats.items() if total}


def _revenue(ids: list[int], start: datetime, end: datetime) -> dict[int, float]:
    # What was sold: not a run undone (stopped) nor a membership's month that went on by itself.
    sold = (
        Enrolment.all_studios.filter(studio_id__in=ids, created_at__gte=start, created_at__lt=end)
        .exclude(status=Enrolment.Status.STOPPED)
        .exclude(origin=Enrolment.Origin.CONTINUED)
    )
    return {
        row["studio_id"]: float(row["cents"])
        for row in sold.values("studio_id").annotate(cents=Sum("price_cents"))
    }


def _conversion(ids: list[int], now: datetime) -> dict[int, float]:
    done = (
        IntakeResponse.all_studios.filter(
            studio_id__in=ids, completed_at__gte=now - CONVERSION_WINDOW, completed_at__lt=now
        )
        .values_list("studio_id", "lead_id")
        .distinct()
    )
    leads: dict[int, set[int]] = defaultdict(set)
    for studio_id, lead_id in done:
        leads[studio_id].add(lead_id)
    became = {
        row["studio_id"]: row["n"]
        for row in Member.all_studios.filter(
            studio_id__in=ids,
            lead_id__in=IntakeResponse.all_studios.filter(
                studio_id__in=ids, completed_at__gte=now - CONVERSION_WINDOW, completed_at__lt=now
            ).values("lead_id"),
        )
        .order_by()  # not by the person's name: no join for a count
        .values("studio_id")
        .annotate(n=Count("id", distinct=True))
    }
    return {studio_id: became.get(studio_id, 0) / len(found) for studio_id, found in leads.items() if found}


def _retention(ids: list[int], now: datetime) -> dict[int, float]:
    """Of the members who joined 90 to 270 days ago (and have a run), the share with a run going on their day 90.

    Counted by the database: each member's day 90 (on the Dutch calendar) and whether a run holds it."""
    joined_before = now - timedelta(days=RETENTION_DAY)
    runs = Enrolment.all_studios.exclude(status=Enrolment.Status.STOPPED)
    # Only the runs that can hold a day 90 (one of the last 180 days).
    earliest = clock.local(joined_before - RETENTION_COHORT).date() + timedelta(days=RETENTION_DAY)
    holding = runs.filter(ends_on__gte=earliest, starts_on__lte=clock.local(now).date()).filter(
        member=OuterRef("pk"), starts_on__lte=OuterRef("day_90"), ends_on__gte=OuterRef("day_90")
    )
    cohort = (
        Member.all_studios.filter(
            studio_id__in=ids, created_at__lt=joined_before, created_at__gte=joined_before - RETENTION_COHORT
        )
        .filter(Exists(runs.filter(member=OuterRef("pk"))))
        .annotate(
            day_90=Cast(
                TruncDate("created_at", tzinfo=clock.AMSTERDAM) + timedelta(days=RETENTION_DAY), DateField()
            )
        )
        .annotate(holds=Exists(holding))
        .order_by()
        .values("studio_id")
        .annotate(members=Count("id"), kept=Count("id", filter=Q(holds=True)))
    )
    return {row["studio_id"]: row["kept"] / row["members"] for row in cohort}


def _spread(values: list[float]) -> tuple[float, float, float] | None:
    """Median and the limits beyond which a value is far from the rest (1.5 times the middle half's spread)."""
    if len(values) < 4:
        return None
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    gap = 1.5 * (q3 - q1)
    return median, q1 - gap, q3 + gap


def portfolio(studios: list[Studio], *, now: datetime | None = None) -> Portfolio:
    """The table of every studio given, over the last four weeks (and the four before, for the trend)."""
    now = now or clock.now()
    ids = [s.pk for s in studios]
    start, before = now - PERIOD, now - 2 * PERIOD
    leads, speed = _leads_and_speed(ids, start, now)
    leads_before, speed_before = _leads_and_speed(ids, before, start)
    values: dict[str, tuple[dict[int, float], dict[int, float] | None]] = {
        "leads": (leads, leads_before),
        "speed": (speed, speed_before),
        "conversion": (_conversion(ids, now), None),
        "fill": (_fill(ids, start, now), _fill(ids, before, start)),
        "retention": (_retention(ids, now), None),
        "revenue": (_revenue(ids, start, now), _revenue(ids, before, start)),
    }
    # Counts with no rows are 0, not unknown; a time or a share with no rows stays unknown.
    for key in ("leads", "revenue"):
        now_values, before_values = values[key]
        values[key] = (
            {i: now_values.get(i, 0.0) for i in ids},
            {i: (before_values or {}).get(i, 0.0) for i in ids},
        )
    medians: list[str] = []
    spreads: dict[str, tuple[float, float, float] | None] = {}
    middle: dict[str, float | None] = {}
    for column in COLUMNS:
        known = sorted(v for v in values[column.key][0].values())
        middle[column.key] = statistics.median(known) if known else None
        spreads[column.key] = _spread(known)
        medians.append(column.show(middle[column.key]))
    rows = []
    for studio in studios:
        figures = []
        for column in COLUMNS:
            current, previous = values[column.key]
            value = current.get(studio.pk)
            median = middle[column.key]
            against = ""
            if value is not None and median is not None and value != median:
                against = "better" if (value > median) == column.higher_is_better else "worse"
            spread = spreads[column.key]
            outlier = False
            if spread is not None and value is not None:
                _m, low, high = spread
                outlier = value < low if column.higher_is_better else value > high
            figures.append(
                Figure(
                    value=value, before=None if previous is None else previous.get(studio.pk),
                    shown=column.show(value), against_median=against, outlier=outlier,
                )
            )  # fmt: skip
        rows.append(StudioRow(studio, figures))
    rows.sort(key=lambda r: (-r.outliers, r.studio.name.lower()))
    return Portfolio(columns=COLUMNS, rows=rows, medians=medians, since=start, until=now)
