"""The funnel: how the leads that came in over a period went from step to step, grouped by source, campaign, coach
and month, with the drop-off between steps and the median time each step took.

Each lead is followed from its own rows (its first answer, its intake, its conversations, its membership), so a
lead that skipped a step (booked a conversation without an intake) still counts for the steps it reached. "Still a
member after N days" counts only the members whose day N has come: the others are not known yet, not gone.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from django.db.models import Min
from django.http import Http404, HttpResponse
from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.spreadsheet import csv_download
from vollegym.intake.models import Booking, IntakeResponse
from vollegym.leads.models import Lead, Source
from vollegym.programs.models import Enrolment, Member
from vollegym.studios.models import Studio

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
# The fields of a lead the funnel reads (the others stay in the database); `journeys` loads only these.
LEAD_FIELDS = (
    "id", "studio_id", "created_at", "first_contact_at", "source", "campaign",
    "assigned_to__id", "assigned_to__full_name", "assigned_to__email",
)  # fmt: skip
NOBODY = _("(niemand)")


@dataclass
class Journey:
    """One lead's moments through the funnel (None: not reached), and whether they stayed N days as a member."""

    lead: Lead
    moments: dict[str, datetime | None]
    stayed: dict[int, bool | None]  # None: day N has not come yet


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
        for key, label in STEPS:
            count = self.count(key)
            found.append(
                Cell(
                    key=key, label=str(label), short=str(SHORT[key]), count=count,
                    of_leads=round(100 * count / leads) if leads else None,
                    from_before=None if (share := self.share(key)) is None else round(100 * share),
                    median=self.medians.get(key),
                )
            )  # fmt: skip
        return found

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


def _first(pairs: Iterable[tuple[int, datetime | None]]) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for key, moment in pairs:
        if moment is not None and (key not in found or moment < found[key]):
            found[key] = moment
    return found


def journeys(studio: Studio, *, first_day: date, last_day: date) -> list[Journey]:
    """Every real lead that came in from `first_day` to `last_day` (the studio's days), followed step by step."""
    zone = studio.zone
    start = clock.wall_time(first_day, time(0), zone) or clock.now()
    end = clock.wall_time(last_day + timedelta(days=1), time(0), zone) or clock.now()
    in_range = Lead.objects.for_studio(studio).real().filter(created_at__gte=start, created_at__lt=end)
    # Only what the funnel reads of a lead: three years of a busy studio are thousands of them.
    leads = list(in_range.select_related("assigned_to").only(*LEAD_FIELDS).order_by("created_at", "id"))
    ids = in_range.values("pk")  # a subquery: the database matches the leads, no list of ids travels
    intakes = _first(
        IntakeResponse.objects.for_studio(studio)
        .filter(lead_id__in=ids, completed_at__isnull=False)
        .values("lead_id")
        .annotate(first=Min("completed_at"))
        .values_list("lead_id", "first")
    )
    bookings = Booking.objects.for_studio(studio).filter(lead_id__in=ids)
    booked = _first(
        bookings.values("lead_id").annotate(first=Min("created_at")).values_list("lead_id", "first")
    )
    showed = _first(
        bookings.filter(status=Booking.Status.SHOWED)
        .values("lead_id")
        .annotate(first=Min("starts_at"))
        .values_list("lead_id", "first")
    )
    joined_members = Member.objects.for_studio(studio).filter(lead_id__in=ids).order_by()
    members = {m.lead_id: m for m in joined_members.only("id", "lead_id", "created_at")}
    runs: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for member_id, starts, ends in (
        Enrolment.objects.for_studio(studio)
        .filter(member_id__in=joined_members.values("pk"))
        .exclude(status=Enrolment.Status.STOPPED)
        .order_by()
        .values_list("member_id", "starts_on", "ends_on")
    ):
        runs[member_id].append((starts, ends))
    today = clock.local(clock.now(), zone).date()
    found = []
    for lead in leads:
        member = members.get(lead.pk)
        stayed: dict[int, bool | None] = {}
        if member is not None:
            joined = clock.local(member.created_at, zone).date()
            for days in STAYED_DAYS:
                day = joined + timedelta(days=days)
                stayed[days] = None if day > today else any(s <= day <= e for s, e in runs[member.pk])
        found.append(
            Journey(
                lead=lead,
                moments={
                    "lead": lead.created_at,
                    "contacted": lead.first_contact_at,
                    "intake": intakes.get(lead.pk),
                    "booked": booked.get(lead.pk),
                    "showed": showed.get(lead.pk),
                    "won": member.created_at if member else None,
                },
                stayed=stayed,
            )
        )
    return found


def _key_of(grouping: str, zone: object) -> Callable[[Journey], str]:
    if grouping == "campagne":
        return lambda j: j.lead.campaign or str(NO_CAMPAIGN)
    if grouping == "coach":
        return lambda j: j.lead.assigned_to.get_short_name() if j.lead.assigned_to else str(NOBODY)
    if grouping == "maand":
        return lambda j: f"{clock.local(j.lead.created_at, zone):%Y-%m}"  # type: ignore[arg-type]  # sorted, then named
    labels = {value: str(label) for value, label in Source.choices}  # get_source_display() per lead is slow
    return lambda j: labels.get(j.lead.source, j.lead.source)


def _row(label: str, group: list[Journey]) -> Row:
    row = Row(label=label)
    keys = [key for key, _label in STEPS]
    for key in keys:
        row.counts[key] = sum(1 for j in group if j.moments[key] is not None)
    for before, after in pairwise(keys):
        row.went_on[after] = sum(
            1 for j in group if j.moments[before] is not None and j.moments[after] is not None
        )
        # Only leads that took the steps in this order: a web lead fills in the intake before anyone answers it,
        # and a gap of "minus ten minutes" says nothing about how long the step took.
        gaps = [
            gap
            for j in group
            if (a := j.moments[after]) is not None
            and (b := j.moments[before]) is not None
            and (gap := (a - b).total_seconds()) >= 0
        ]
        row.medians[after] = statistics.median(gaps) if gaps else None
    for days in STAYED_DAYS:
        known = [j.stayed[days] for j in group if j.stayed.get(days) is not None]
        row.stayed[days] = (sum(1 for s in known if s), len(known))
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
        key_of = _key_of(grouping, studio.zone)
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
