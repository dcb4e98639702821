"""Speed-to-lead: how fast each lead got a personal answer, and what that did to conversion.

The seeds: leads that wait longer than an hour convert dramatically worse. This report shows it per studio,
with its own numbers: response times per coach and per source, conversion per response-time bucket, and what each
step of the follow-up of leads who did not answer at once brought in.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import DurationField, Exists, ExpressionWrapper, F, OuterRef, Q

from vollegym.analytics.followup import StepRow, followup_steps
from vollegym.core import clock
from vollegym.leads.models import Lead, Source, Stage
from vollegym.people.events import ConversationBooked, ConversationRecorded, LeadStageChanged
from vollegym.people.models import DomainEvent
from vollegym.studios.models import Studio, User

BOOKED_STAGES = [Stage.INTAKE_BOOKED, Stage.INTAKE_HELD, Stage.NO_SHOW, Stage.WON]
HELD_STAGES = [Stage.INTAKE_HELD, Stage.WON]
BUCKETS: list[tuple[str, int | None]] = [
    ("< 5 min", 5 * 60),
    ("5–60 min", 60 * 60),
    ("1–24 uur", 24 * 3600),
    ("> 24 uur", None),
]
NEVER = "nooit"


@dataclass(frozen=True)
class Row:
    label: str
    leads: int
    booked: int
    won: int
    showed: int = 0
    median_seconds: float | None = None
    within_hour: int = 0

    @property
    def booked_rate(self) -> float:
        return self.booked / self.leads if self.leads else 0.0

    @property
    def booked_percent(self) -> int:
        """The booked rate in whole percent: the bar's length on a scale of 0–100 and its label, one number."""
        return round(100 * self.booked_rate)

    @property
    def showed_rate(self) -> float:
        """Share of all leads that sat down for the kennismakingsgesprek."""
        return self.showed / self.leads if self.leads else 0.0

    @property
    def won_rate(self) -> float:
        return self.won / self.leads if self.leads else 0.0

    @property
    def within_hour_rate(self) -> float:
        """Share of all leads (answered or not) that got a personal answer within the hour."""
        return self.within_hour / self.leads if self.leads else 0.0


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    leads: int
    median_seconds: float | None
    within_hour_rate: float
    by_bucket: list[Row]
    by_coach: list[Row]
    by_source: list[Row]
    # What each step of the leads' follow-up brought in (analytics/followup.py).
    by_step: list[StepRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Lead:
    seconds: int | None
    booked: bool
    showed: bool
    won: bool
    coach: str
    source: str


def bucket_of(seconds: int | None) -> str:
    if seconds is None:
        return NEVER
    for label, limit in BUCKETS:
        if limit is None or seconds < limit:
            return label
    return BUCKETS[-1][0]


def _rows(groups: dict[str, list[_Lead]]) -> list[Row]:
    rows = []
    for label, items in groups.items():
        times = [i.seconds for i in items if i.seconds is not None]
        rows.append(
            Row(
                label=label,
                leads=len(items),
                booked=sum(i.booked for i in items),
                won=sum(i.won for i in items),
                showed=sum(i.showed for i in items),
                median_seconds=statistics.median(times) if times else None,
                within_hour=sum(1 for t in times if t < 3600),
            )
        )
    return rows


def speed_to_lead(studio: Studio, *, since: datetime | None = None, until: datetime | None = None) -> Report:
    """The report over leads that came in between `since` and `until` (default: the last 12 months)."""
    until = until or clock.now()
    since = since or until - timedelta(days=365)
    # What happened to each lead, from its domain events: a conversation booked or held, or a stage that says so.
    events = DomainEvent.objects.for_studio(studio).filter(lead_id=OuterRef("pk"))
    # The kinds named first as well, so the database reads only those events (an index has them together).
    ever_booked = events.filter(kind__in=[ConversationBooked.kind, LeadStageChanged.kind]).filter(
        Q(kind=ConversationBooked.kind) | Q(kind=LeadStageChanged.kind, payload__after__in=BOOKED_STAGES)
    )
    ever_held = events.filter(kind__in=[ConversationRecorded.kind, LeadStageChanged.kind]).filter(
        Q(kind=ConversationRecorded.kind, payload__status="showed")
        | Q(kind=LeadStageChanged.kind, payload__after__in=HELD_STAGES)
    )
    # Only the columns the report reads, as tuples: a year of a busy studio is thousands of leads. The wait for the
    # first answer is subtracted by the database: no moment is read.
    waited = ExpressionWrapper(F("first_contact_at") - F("created_at"), output_field=DurationField())
    rows = list(
        Lead.objects.for_studio(studio)
        .real()
        .filter(created_at__gte=since, created_at__lt=until)
        .annotate(was_booked=Exists(ever_booked), was_held=Exists(ever_held), waited=waited)
        .values_list(
            "waited", "stage", "source", "was_booked", "was_held", "first_contact_by_id", "assigned_to_id",
        )
    )  # fmt: skip
    people = {row[5] or row[6] for row in rows} - {None}
    names = {user.pk: user.get_short_name() for user in User.objects.filter(pk__in=people)}
    sources = {value: str(label) for value, label in Source.choices}
    items = [
        _Lead(
            seconds=None if waited is None else int(waited.total_seconds()),  # Lead.response_seconds
            booked=booked or stage in BOOKED_STAGES,
            showed=held or stage in HELD_STAGES,
            won=stage == Stage.WON,
            coach=names.get(by or assigned or 0, "—"),
            source=sources.get(source, source),
        )
        for waited, stage, source, booked, held, by, assigned in rows
    ]
    by_bucket: dict[str, list[_Lead]] = {label: [] for label, _limit in BUCKETS}
    by_bucket[NEVER] = []
    by_coach: dict[str, list[_Lead]] = {}
    by_source: dict[str, list[_Lead]] = {}
    for item in items:
        by_bucket[bucket_of(item.seconds)].append(item)
        by_coach.setdefault(item.coach, []).append(item)
        by_source.setdefault(item.source, []).append(item)
    times = [i.seconds for i in items if i.seconds is not None]
    return Report(
        since=since,
        until=until,
        leads=len(items),
        median_seconds=statistics.median(times) if times else None,
        within_hour_rate=(sum(1 for t in times if t < 3600) / len(items)) if items else 0.0,
        by_bucket=_rows(by_bucket),
        by_coach=sorted(_rows(by_coach), key=lambda r: -r.leads),
        by_source=sorted(_rows(by_source), key=lambda r: -r.leads),
        by_step=followup_steps(studio, since=since, until=until),
    )


def duration_label(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} uur".replace(".", ",")
    return f"{round(seconds / 86400)} dagen"
