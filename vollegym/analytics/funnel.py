"""The funnel: how the leads that came in over a period went from step to step, grouped by source, campaign, coach
and month, with the drop-off between steps and the median time each step took.

Each lead is followed from its own rows (its first answer, its intake, its conversations, its membership), so a
lead that skipped a step (booked a conversation without an intake) still counts for the steps it reached. "Still a
member after N days" counts only the members whose day N has come: the others are not known yet, not gone.
"""

from __future__ import annotations

import functools
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.db.models import (
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import TruncDate
from django.http import Http404, HttpResponse
from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.spreadsheet import csv_download
from vollegym.intake.models import Booking, IntakeResponse
from vollegym.leads.models import Lead, Source
from vollegym.programs.models import Enrolment, Member
from vollegym.studios.models import Studio, User

# A lead's campaign is what its door gave: the ad platform's campaign, an import's column, a form's utm_campaign.
# The steps in order: key, label. The first six are moments; the last three are "still a member after N days".
STEPS: list[tuple[str, str | Promise]] = [
    ("lead", _("Lead")),
    ("contacted", _("Persoonlijk contact")),
    ("intake", _("Intake ingevuld")),
    ("booked", _("Gesprek gepland")),
    ("showed", _("Gesprek gehouden")),
    ("won", _("Lid geworden")),
]
# The same steps in a table's narrow column head.
SHORT: dict[str, str | Promise] = {
    "lead": _("Leads"), "contacted": _("Contact"), "intake": _("Intake"), "booked": _("Gepland"),
    "showed": _("Gehouden"), "won": _("Lid"),
}  # fmt: skip
# What each step counts, shown under it in one click (the page adds the period and how the shares are taken).
EXPLAINED: dict[str, str | Promise] = {
    "lead": _("Elke lead die in de periode binnenkwam, uit elke bron; testleads tellen niet mee. Een lead telt in de "
              "maand, bron, campagne en coach die hij had toen hij binnenkwam."),
    "contacted": _("Leads met een eerste persoonlijk contact: een belpoging, WhatsApp of mail die iemand van de studio "
                   "vastlegde (het automatische bericht telt niet). De tijd is vanaf het binnenkomen."),
    "intake": _("Leads die de vragenlijst helemaal invulden, op het moment van de eerste afgeronde vragenlijst."),
    "booked": _("Leads met een kennismakingsgesprek in de agenda, ook als het later is afgezegd; de tijd is tot het "
                "moment van inplannen."),
    "showed": _("Leads die op een kennismakingsgesprek verschenen, op het tijdstip van het gesprek."),
    "won": _("Leads die lid werden, op de dag van inschrijven (ook als ze een stap oversloegen)."),
}  # fmt: skip
STAYED_EXPLAINED = _(
    "Van de leden uit deze leads: het deel met een lopende inschrijving op de 30e, 90e en 180e dag na hun "
    "inschrijving. Alleen leden bij wie die dag al geweest is tellen mee (tussen haakjes: hoeveel); wie nog niet zo "
    "lang lid is, is nog niet bekend en telt niet als vertrokken. Een gestopte inschrijving telt niet."
)
STAYED_DAYS = (30, 90, 180)
GROUPINGS: list[tuple[str, str | Promise]] = [
    ("bron", _("Bron")),
    ("campagne", _("Campagne")),
    ("coach", _("Coach")),
    ("maand", _("Maand")),
]
NO_CAMPAIGN = _("(geen campagne)")
NOBODY = _("(niemand)")
ZERO = timedelta(0)
NOT_KNOWN: tuple[bool | None, ...] = (None,) * len(STAYED_DAYS)


@dataclass(slots=True)
class Journey:
    """One lead followed through the funnel: the month it came in (on the studio's calendar), its source, campaign
    and coach, how long after coming in it reached each step (None: not reached), and whether it stayed N days as a
    member (None: day N has not come yet)."""

    lead_id: int
    day: date  # the day it came in, on the studio's calendar
    source: str
    campaign: str
    coach: str  # the short name of the coach it was assigned to, or NOBODY
    after: tuple[timedelta | None, ...]  # per step of STEPS, from coming in (the first is zero)
    stayed: dict[int, bool | None]
    # Worked out once from the above, for the tables (each lead is in five of them):
    reached: tuple[bool, ...] = ()  # per step
    gaps: tuple[float | None, ...] = ()  # per step, seconds since the step before when taken in that order
    shape: tuple[tuple[bool, ...], tuple[bool | None, ...]] = ((), ())  # (went on to each step, stayed)

    @property
    def won(self) -> bool:
        return self.reached[-1]

    @property
    def response_seconds(self) -> int | None:
        """Seconds to the first personal answer, as `Lead.response_seconds` says it."""
        contacted = self.after[1]
        return None if contacted is None else int(contacted.total_seconds())


def _journey(
    lead_id: int, day: date, source: str, campaign: str, coach: str, after: tuple[timedelta | None, ...],
    stayed: dict[int, bool | None],
) -> Journey:  # fmt: skip
    reached = tuple(moment is not None for moment in after)
    went_on = [False] * len(after)
    gaps: list[float | None] = [None] * len(after)
    before = after[0]
    for i in range(1, len(after)):
        later = after[i]
        if before is not None and later is not None:
            went_on[i] = True
            # Only leads that took the steps in this order: a web lead fills in the intake before anyone answers
            # it, and a gap of "minus ten minutes" says nothing about how long the step took.
            if later >= before:
                gaps[i] = (later - before).total_seconds()
        before = later
    kept = tuple(stayed.get(days) for days in STAYED_DAYS) if stayed else NOT_KNOWN
    return Journey(
        lead_id,
        day,
        source,
        campaign,
        coach,
        after,
        stayed,
        reached,
        tuple(gaps),
        (reached + tuple(went_on), kept),
    )


@functools.cache
def _step_names(language: str | None) -> list[tuple[str, str, str]]:
    """The steps' keys, names and short names in a language (the tables name them on every row)."""
    return [(key, str(label), str(SHORT[key])) for key, label in STEPS]


@functools.cache
def _stayed_names(language: str | None) -> dict[int, str]:
    return {days: gettext("Lid na %(days)s dagen") % {"days": days} for days in STAYED_DAYS}


@dataclass
class Row:
    """One group's counts per step, the share that went on from each step, and the median time between steps."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)
    stayed: dict[int, tuple[int, int]] = field(default_factory=dict)  # days: (stayed, whose day has come)
    medians: dict[str, float | None] = field(default_factory=dict)  # step: seconds from the step before
    went_on: dict[str, int] = field(
        default_factory=dict
    )  # step: of those at the step before, how many reached it

    def count(self, step: str) -> int:
        return self.counts.get(step, 0)

    def share(self, step: str) -> float | None:
        """Of those at the step before, the share that reached this one too (a lead may skip a step: one who booked
        a conversation without an intake does not count as going on from the intake)."""
        keys = [key for key, _label in STEPS]
        index = keys.index(step)
        if not index or not self.count(keys[index - 1]):
            return None
        return self.went_on.get(step, 0) / self.count(keys[index - 1])

    def stayed_share(self, days: int) -> float | None:
        stayed, known = self.stayed.get(days, (0, 0))
        return stayed / known if known else None

    @property
    def cells(self) -> list[Cell]:
        """Each step as the pages show it: how many, the share of all leads, the share of the step before."""
        leads = self.count("lead")
        found = []
        for key, label, short in _step_names(get_language()):
            count = self.count(key)
            found.append(
                Cell(
                    key=key, label=label, short=short, count=count,
                    of_leads=round(100 * count / leads) if leads else None,
                    from_before=None if (share := self.share(key)) is None else round(100 * share),
                    median=self.medians.get(key),
                )
            )  # fmt: skip
        return found

    @property
    def stayed_columns(self) -> list[tuple[str, int | None, int]]:
        """The stayed cells as a table row shows them: (its column's name, % still a member, of how many)."""
        names = _stayed_names(get_language())
        return [(names[days], share, known) for days, share, known in self.stayed_cells]

    @property
    def stayed_cells(self) -> list[tuple[int, int | None, int]]:
        """(days, % still a member, of how many members whose day has come)."""
        return [
            (
                days,
                None if (share := self.stayed_share(days)) is None else round(100 * share),
                self.stayed[days][1],
            )
            for days in STAYED_DAYS
        ]


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    short: str
    count: int
    of_leads: int | None  # percent of the group's leads that reached this step
    from_before: int | None  # percent of those at the step before
    median: float | None  # seconds from the step before (None for the first step, or nobody went on)

    @property
    def explained(self) -> str | Promise:
        return EXPLAINED[self.key]


def _after(moment: F | Subquery) -> ExpressionWrapper[CombinedExpression]:
    """How long after the lead came in: the database subtracts, so no moment is read (reading one costs more)."""
    return ExpressionWrapper(moment - F("created_at"), output_field=DurationField())


def journeys(studio: Studio, *, first_day: date, last_day: date) -> list[Journey]:
    """Every real lead that came in from `first_day` to `last_day` (the studio's days), followed step by step.

    One query for the leads, each with how long after coming in it reached each step, and one each for their
    members and those members' runs: three years of a busy studio are thousands of leads."""
    zone = studio.zone
    start = clock.wall_time(first_day, time(0), zone) or clock.now()
    end = clock.wall_time(last_day + timedelta(days=1), time(0), zone) or clock.now()
    in_range = Lead.objects.for_studio(studio).real().filter(created_at__gte=start, created_at__lt=end)
    lead = OuterRef("pk")
    intakes = IntakeResponse.objects.for_studio(studio).filter(lead=lead, completed_at__isnull=False)
    bookings = Booking.objects.for_studio(studio).filter(lead=lead)
    showed = bookings.filter(status=Booking.Status.SHOWED)
    member = Member.objects.for_studio(studio).filter(lead=lead)

    def first(rows: QuerySet[Any], field: str) -> Subquery:
        return Subquery(rows.order_by().values("lead").annotate(first=Min(field)).values("first"))

    rows = (
        in_range.annotate(
            day=TruncDate("created_at", tzinfo=zone),
            contacted=_after(F("first_contact_at")),
            intake=_after(first(intakes, "completed_at")),
            booked=_after(first(bookings, "created_at")),
            showed=_after(first(showed, "starts_at")),
            won=_after(Subquery(member.order_by().values("created_at")[:1])),
        )
        .order_by("created_at", "id")
        .values_list(
            "id", "day", "source", "campaign", "assigned_to_id", "contacted", "intake", "booked", "showed", "won"
        )
    )  # fmt: skip
    found = list(rows)
    # The members these leads became: the day they joined (on the studio's calendar) and their runs, as dates.
    joined: dict[int, tuple[int, date]] = {
        lead_id: (member_id, day)
        for member_id, lead_id, day in Member.objects.for_studio(studio)
        .filter(lead_id__in=in_range.values("pk"))
        .order_by()
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values_list("pk", "lead_id", "day")
    }
    runs: dict[int, list[tuple[date, date]]] = defaultdict(list)
    if joined:
        for member_id, starts, ends in (
            Enrolment.objects.for_studio(studio)
            .filter(member_id__in=[member_id for member_id, _day in joined.values()])
            .exclude(status=Enrolment.Status.STOPPED)
            .order_by()
            .values_list("member_id", "starts_on", "ends_on")
        ):
            runs[member_id].append((starts, ends))
    coaches = {row[4] for row in found} - {None}
    names = {
        user.pk: user.get_short_name()
        for user in User.objects.filter(pk__in=coaches).only("full_name", "email")
    }
    nobody = str(NOBODY)
    today = clock.local(clock.now(), zone).date()
    journeys_found = []
    for lead_id, day, source, campaign, coach, contacted, intake, booked, showed_at, won in found:
        stayed: dict[int, bool | None] = {}
        member_joined = joined.get(lead_id)
        if member_joined is not None and won is not None:
            member_id, joined_on = member_joined
            for days in STAYED_DAYS:
                moment = joined_on + timedelta(days=days)
                stayed[days] = None if moment > today else any(s <= moment <= e for s, e in runs[member_id])
        journeys_found.append(
            _journey(
                lead_id, day, source, campaign, names.get(coach, nobody) if coach is not None else nobody,
                (ZERO, contacted, intake, booked, showed_at, won), stayed,
            )
        )  # fmt: skip
    return journeys_found


def _key_of(grouping: str) -> Callable[[Journey], str]:
    if grouping == "campagne":
        no_campaign = str(NO_CAMPAIGN)
        return lambda j: j.campaign or no_campaign
    if grouping == "coach":
        return lambda j: j.coach
    if grouping == "maand":
        return lambda j: f"{j.day:%Y-%m}"  # sorted, then named
    labels = {value: str(label) for value, label in Source.choices}  # get_source_display() per lead is slow
    return lambda j: labels.get(j.source, j.source)


def _row(label: str, group: list[Journey]) -> Row:
    row = Row(label=label)
    keys = [key for key, _label in STEPS]
    steps = len(keys)
    counts = [0] * (2 * steps)  # reached each step, then went on to it from the step before
    stayed = {days: [0, 0] for days in STAYED_DAYS}
    # Leads of the same shape (the steps they reached, whether they stayed) count alike: counted per shape.
    for (flags, kept), n in Counter(j.shape for j in group).items():
        for i, flag in enumerate(flags):
            if flag:
                counts[i] += n
        for days, state in zip(STAYED_DAYS, kept, strict=True):
            if state is not None:
                stayed[days][1] += n
                if state:
                    stayed[days][0] += n
    for i, key in enumerate(keys):
        row.counts[key] = counts[i]
        if i:
            row.went_on[key] = counts[steps + i]
            gaps = [gap for j in group if (gap := j.gaps[i]) is not None]
            row.medians[key] = statistics.median(gaps) if gaps else None
    for days in STAYED_DAYS:
        row.stayed[days] = (stayed[days][0], stayed[days][1])
    return row


@dataclass(frozen=True)
class Funnel:
    first_day: date
    last_day: date
    total: Row
    groups: dict[str, list[Row]]  # grouping key: rows, largest first (months in order)


def funnel(studio: Studio, *, first_day: date, last_day: date) -> Funnel:
    """The funnel of the leads that came in over the days, in all and per source, campaign, coach and month."""
    found = journeys(studio, first_day=first_day, last_day=last_day)
    groups: dict[str, list[Row]] = {}
    for grouping, _label in GROUPINGS:
        key_of = _key_of(grouping)
        buckets: dict[str, list[Journey]] = defaultdict(list)
        for journey in found:
            buckets[key_of(journey)].append(journey)
        rows = [_row(label, members) for label, members in buckets.items()]
        if grouping == "maand":
            rows.sort(key=lambda r: r.label)
            for row in rows:
                year, month = (int(part) for part in row.label.split("-"))
                row.label = dateformat.format(date(year, month, 1), "F Y")
        else:
            rows.sort(key=lambda r: (-r.count("lead"), r.label))
        groups[grouping] = rows
    return Funnel(
        first_day=first_day, last_day=last_day, total=_row(str(_("Alle leads")), found), groups=groups
    )


def funnel_total(found: list[Journey]) -> Row:
    """The whole funnel of these journeys as one row (the growth simulator states its step shares)."""
    return _row(str(_("Alle leads")), found)


def funnel_csv(found: Funnel, wanted: str, *, studio_slug: str) -> HttpResponse:
    """One table of the funnel as a CSV for Excel: the whole funnel ("totaal") or one grouping's rows."""
    if wanted == "totaal":
        rows, title = [found.total], str(_("Alle leads"))
    elif wanted in found.groups:
        rows, title = found.groups[wanted], str(dict(GROUPINGS)[wanted])
    else:
        raise Http404("No such table")
    header = [title]
    for _key, label in STEPS:
        header += [
            str(label),
            _("%(step)s %%") % {"step": label},
            _("%(step)s %% van de stap ervoor") % {"step": label},
            _("%(step)s mediaan minuten") % {"step": label},
        ]
    for days in STAYED_DAYS:
        header += [
            _("Na %(days)s dagen nog lid %%") % {"days": days},
            _("Na %(days)s dagen: bekend") % {"days": days},
        ]
    lines = []
    for row in rows:
        line: list[str | int | None] = [row.label]
        for cell in row.cells:
            minutes = None if cell.median is None else round(cell.median / 60)
            line += [cell.count, cell.of_leads, cell.from_before, minutes]
        for _days, share, known in row.stayed_cells:
            line += [share, known]
        lines.append(line)
    name = f"funnel-{studio_slug}-{wanted}-{found.first_day:%Y%m%d}-{found.last_day:%Y%m%d}.csv"
    return csv_download(name, header, lines)
