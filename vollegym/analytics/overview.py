"""The owner's overview: what needs doing now, as counts that lead to the work, and last week's figures set
against the four weeks before it.

Weeks are calendar weeks on the studio's clock (Monday to Sunday), the last one complete: every figure then
compares like with like, and fill uses the same weeks as the fill page.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vollegym.analytics.speed import duration_label
from vollegym.core import clock
from vollegym.intake.models import Booking, IntakeResponse
from vollegym.leads.models import Lead, Stage
from vollegym.programs.models import Enrolment, Member
from vollegym.schedule.models import ClassSession
from vollegym.schedule.pricing import recommendations
from vollegym.schedule.selectors import Fill, fill_rates
from vollegym.studios.models import Studio, User
from vollegym.today.selectors import day_counts

WEEKS_BEFORE = 4

# What each figure counts and how, shown under it in one click (the weeks' dates stand beside it on the page).
EXPLAINED: dict[str, str | Promise] = {
    "leads": _("Elke lead die in de week binnenkwam, uit elke bron (formulier, advertentie, import, handmatig); "
               "testleads tellen niet mee."),
    "speed": _("Per lead die in de week binnenkwam de tijd tot het eerste persoonlijke contact (een belpoging, "
               "WhatsApp of mail die iemand van de studio vastlegt; het automatische bericht telt niet); daarvan de middelste waarde. "
               "Leads zonder contact tellen niet mee. Lager is beter."),
    "intakes": _("Vragenlijsten die in de week helemaal zijn ingevuld, op het moment van afronden."),
    "conversations": _("Kennismakingsgesprekken in de week waarbij de lead verscheen, op de dag van het gesprek; "
                       "een no-show of afgezegd gesprek telt niet."),
    "members": _("Leden die in de week zijn ingeschreven (uit een lead of rechtstreeks)."),
    "active": _("Leden met een inschrijving die op de zondag van de week loopt; een gestopte inschrijving telt "
                "niet. Ieder lid telt één keer."),
    "fill": _("Geboekte matten gedeeld door alle matten van de lessen in de week (afgelaste lessen niet); een "
              "boeking telt, ook als het lid niet kwam. Dezelfde berekening als op de bezettingspagina."),
    "sold": _("De afgesproken prijs van elke inschrijving die in de week is gemaakt, verlengingen inbegrepen; niet "
              "een ongedaan gemaakte, en niet een maand van een lidmaatschap die vanzelf doorliep."),
    "left": _("Leden van wie de laatste inschrijving in de week eindigde en die daarna geen nieuwe hebben; alleen "
              "als die dag al voorbij is. Lager is beter."),
}  # fmt: skip


@dataclass(frozen=True)
class Todo:
    """One kind of work waiting, counted, with where it is done."""

    label: str | Promise
    count: int
    url: str
    urgent: bool = False  # late already: shown first, in red
    explained: str | Promise = ""  # what counts, in one sentence


@dataclass(frozen=True)
class Week:
    monday: date
    start: datetime
    end: datetime

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


@dataclass(frozen=True)
class Figure:
    """A figure of last week next to the average of the four weeks before; `higher_is_better` colours the change."""

    key: str
    label: str | Promise
    week: float | None
    before: float | None  # the average over the weeks before that had a value
    shown: str
    shown_before: str
    higher_is_better: bool = True

    @property
    def explained(self) -> str | Promise:
        return EXPLAINED[self.key]

    @property
    def change(self) -> str:
        """ "up", "down" or "same", for the arrow; "" when there is nothing to compare."""
        if self.week is None or self.before is None:
            return ""
        if abs(self.week - self.before) < max(0.05 * abs(self.before), 1e-9):
            return "same"
        return "up" if self.week > self.before else "down"

    @property
    def better(self) -> bool | None:
        if self.change in ("", "same"):
            return None
        return (self.change == "up") == self.higher_is_better


@dataclass(frozen=True)
class Overview:
    todos: list[Todo]
    weeks: list[Week]  # oldest first; the last is the week reported
    figures: list[Figure]

    @property
    def week(self) -> Week:
        return self.weeks[-1]

    @property
    def before_first(self) -> date:
        """The first day of the weeks the figures are set against."""
        return self.weeks[0].monday

    @property
    def before_last(self) -> date:
        return self.weeks[-2].sunday if len(self.weeks) > 1 else self.weeks[0].monday


def weeks_back(studio: Studio, *, count: int = WEEKS_BEFORE + 1) -> list[Week]:
    """The last `count` complete calendar weeks on the studio's clock, oldest first."""
    zone = studio.zone
    today = clock.local(clock.now(), zone).date()
    last_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=1)
    weeks = []
    for n in range(count - 1, -1, -1):
        monday = last_monday - timedelta(weeks=n)
        start = clock.wall_time(monday, time(0), zone) or clock.now()
        end = clock.wall_time(monday + timedelta(days=7), time(0), zone) or clock.now()
        weeks.append(Week(monday, start, end))
    return weeks


def _counts(queryset: QuerySet[Any], weeks: list[Week], field: str) -> list[float]:
    """How many rows fall in each week by a moment field, in one query (over those weeks' rows only)."""
    found = queryset.filter(**{f"{field}__gte": weeks[0].start, f"{field}__lt": weeks[-1].end}).aggregate(
        **{
            f"w{i}": Count("id", filter=Q(**{f"{field}__gte": w.start, f"{field}__lt": w.end}))
            for i, w in enumerate(weeks)
        }
    )
    return [float(found[f"w{i}"]) for i in range(len(weeks))]


def _medians(studio: Studio, weeks: list[Week]) -> list[float | None]:
    """Median seconds from a lead coming in to its first personal answer, per week the lead came in."""
    rows = (
        Lead.objects.for_studio(studio)
        .real()
        .filter(created_at__gte=weeks[0].start, created_at__lt=weeks[-1].end, first_contact_at__isnull=False)
        .values_list("created_at", "first_contact_at")
    )
    per_week: list[list[float]] = [[] for _ in weeks]
    for created, answered in rows:
        if answered is None:
            continue
        for i, week in enumerate(weeks):
            if week.start <= created < week.end:
                per_week[i].append(max(0.0, (answered - created).total_seconds()))
                break
    return [statistics.median(values) if values else None for values in per_week]


def _active_on(studio: Studio, weeks: list[Week]) -> list[float]:
    """Members with a run going on each week's Sunday (a stopped run no longer counts), in one query."""
    runs = (
        Enrolment.objects.for_studio(studio)
        .exclude(status=Enrolment.Status.STOPPED)
        .filter(starts_on__lte=weeks[-1].sunday, ends_on__gte=weeks[0].sunday)
    )
    found = runs.aggregate(
        **{
            f"w{i}": Count(
                "member_id", distinct=True, filter=Q(starts_on__lte=w.sunday, ends_on__gte=w.sunday)
            )
            for i, w in enumerate(weeks)
        }
    )
    return [float(found[f"w{i}"]) for i in range(len(weeks))]


def _left(studio: Studio, weeks: list[Week]) -> list[float]:
    """Members whose last run ended in each week and who have no run after it."""
    today = clock.local(clock.now(), studio.zone).date()
    last_ends = (
        Enrolment.objects.for_studio(studio)
        .values("member_id")
        .annotate(last=Max("ends_on"))
        .filter(last__lt=today, last__gte=weeks[0].monday, last__lte=weeks[-1].sunday)
        .values_list("last", flat=True)
    )
    per_week = [0.0 for _ in weeks]
    for last in last_ends:
        for i, week in enumerate(weeks):
            if week.monday <= last <= week.sunday:
                per_week[i] += 1
    return per_week


def _sold(studio: Studio, weeks: list[Week]) -> list[float]:
    """The agreed price of every enrolment made in a week (renewals included; not one undone, nor a membership's
    month that went on by itself), in cents."""
    made = (
        Enrolment.objects.for_studio(studio)
        .filter(created_at__gte=weeks[0].start, created_at__lt=weeks[-1].end)
        .exclude(status=Enrolment.Status.STOPPED)
        .exclude(origin=Enrolment.Origin.CONTINUED)
    )
    found = made.aggregate(
        **{
            f"w{i}": Sum("price_cents", filter=Q(created_at__gte=week.start, created_at__lt=week.end))
            for i, week in enumerate(weeks)
        }
    )
    return [float(found[f"w{i}"] or 0) for i in range(len(weeks))]


def _average(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _euros(cents: float | None) -> str:
    if cents is None:
        return "—"
    return "€ " + f"{round(cents / 100):,}".replace(",", ".")


def _count(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",").removesuffix(",0")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _figure(
    key: str, label: str | Promise, values: list[float | None], show: Callable[[float | None], str], *,
    higher_is_better: bool = True,
) -> Figure:  # fmt: skip
    before = _average(values[:-1])
    return Figure(
        key=key, label=label, week=values[-1], before=before, shown=show(values[-1]), shown_before=show(before),
        higher_is_better=higher_is_better,
    )  # fmt: skip


def figures_of(studio: Studio, weeks: list[Week], *, fill: Fill | None = None) -> list[Figure]:
    """Last week's figures of the studio, each next to the average of the weeks before it. `fill`: the fill rates
    of the weeks up to the last one, when the caller has them already (the price advice reads them too)."""
    leads = Lead.objects.for_studio(studio).real()
    held = Booking.objects.for_studio(studio).filter(status=Booking.Status.SHOWED)
    if fill is None:
        fill = fill_rates(studio, weeks=len(weeks))[0]
    fill_by_monday = dict(fill.weeks)
    medians = _medians(studio, weeks)
    return [
        _figure("leads", _("Nieuwe leads"), list(_counts(leads, weeks, "created_at")), _count),
        _figure("speed", _("Mediane reactietijd"), list(medians), duration_label, higher_is_better=False),
        _figure("intakes", _("Intakes ingevuld"),
                list(_counts(IntakeResponse.objects.for_studio(studio), weeks, "completed_at")), _count),
        _figure("conversations", _("Gesprekken gehouden"), list(_counts(held, weeks, "starts_at")), _count),
        _figure("members", _("Nieuwe leden"),
                list(_counts(Member.objects.for_studio(studio), weeks, "created_at")), _count),
        _figure("active", _("Actieve leden"), list(_active_on(studio, weeks)), _count),
        _figure("fill", _("Bezetting lessen"), [fill_by_monday.get(w.monday) for w in weeks], _percent),
        _figure("sold", _("Verkocht (afgesproken prijs)"), list(_sold(studio, weeks)), _euros),
        _figure("left", _("Leden gestopt"), list(_left(studio, weeks)), _count, higher_is_better=False),
    ]  # fmt: skip


def todos_of(studio: Studio, user: User, role: str, *, advice: int | None = None) -> list[Todo]:
    """The studio's waiting work as counts; only kinds with something waiting, the late ones first. `advice`: how
    many price advices there are, when the caller has them already."""
    slug = studio.slug
    day = day_counts(studio, user, mine=False, role=role)
    today_url = reverse("today:today", args=[slug])
    ready = (
        Lead.objects.for_studio(studio)
        .real()
        .filter(stage=Stage.WON)
        .exclude(pk__in=Member.objects.for_studio(studio).filter(lead__isnull=False).values("lead_id"))
        .count()
    )
    spots = (
        ClassSession.objects.for_studio(studio)
        .upcoming()
        .filter(starts_at__lt=clock.now() + timedelta(days=7))
        .aggregate(free=Sum(F("capacity") - F("booked")))["free"]
        or 0
    )
    if advice is None:
        advice = len(recommendations(studio)[0])
    todos = [
        Todo(_("Leads te laat"), day.late, f"{today_url}#leads", urgent=True,
             explained=_("Open leads zonder persoonlijk contact van wie de reactietijd van de studio al voorbij is.")),
        Todo(_("Leads die op antwoord wachten"), day.waiting, f"{today_url}#leads",
             explained=_("Open leads zonder persoonlijk contact, nog binnen de reactietijd.")),
        Todo(_("Leads opvolgen"), day.lead_steps, f"{today_url}#opvolgen",
             explained=_("Opvolgstappen bij leads die vandaag of eerder aan de beurt zijn en nog open staan.")),
        Todo(_("Gesprekken vandaag"), day.later_today, f"{today_url}#gesprekken",
             explained=_("Kennismakingsgesprekken die vandaag nog beginnen.")),
        Todo(_("Gesprekken vastleggen"), day.to_record, f"{today_url}#gesprekken",
             explained=_("Gesprekken die voorbij zijn zonder uitkomst (verschenen, no-show, lid geworden).")),
        Todo(_("Gewonnen, nog inschrijven"), ready, reverse("leads:inbox", args=[slug]) + "?fase=won",
             explained=_("Leads in de fase gewonnen die nog geen lid zijn.")),
        Todo(_("Betalingen niet gelukt"), day.payments, f"{today_url}#betalingen", urgent=True,
             explained=_("Afschrijvingen die mislukten of werden teruggeboekt en die nog niet betaald zijn en waarover "
                         "nog niet beslist is.")),
        Todo(_("Leden bellen"), day.calls, f"{today_url}#bellen",
             explained=_("Leden met een risico op stoppen die nog niet bereikt zijn, nieuwe leden die achterlopen en "
                         "lage beoordelingen waar nog niemand op reageerde.")),
        Todo(_("Contactmomenten nieuwe leden"), day.steps, f"{today_url}#nieuwe-leden",
             explained=_("Stappen uit het plan voor de eerste 30 dagen die vandaag of eerder aan de beurt zijn.")),
        Todo(_("Verlenggesprekken"), day.talks, f"{today_url}#verlengen",
             explained=_("Open verlenggesprekken die vandaag of eerder aan de beurt zijn, voor het einde van een "
                         "programma.")),
        Todo(_("Beloningen om te geven"), day.rewards, f"{today_url}#beloningen",
             explained=_("Verdiende beloningen voor doorverwijzingen die nog niet gegeven zijn.")),
        Todo(_("Open plekken deze week"), spots, reverse("agenda:open_spots", args=[slug]),
             explained=_("Vrije matten in de lessen van de komende zeven dagen: capaciteit min boekingen.")),
        Todo(_("Prijsadvies"), advice, reverse("agenda:fill", args=[slug]),
             explained=_("Small-group-programma's waarvan de lessen weken achter elkaar boven de drempel vol zaten: "
                         "een advies voor een hogere prijs voor nieuwe leden.")),
    ]  # fmt: skip
    waiting = [todo for todo in todos if todo.count > 0]
    return sorted(waiting, key=lambda todo: not todo.urgent)


def overview_of(studio: Studio, user: User, role: str) -> Overview:
    weeks = weeks_back(studio)
    # The price advice reads the fill of the same calendar weeks (and a few before): read once, for both.
    advice, fill, _classes, _programs = recommendations(studio)
    return Overview(
        todos=todos_of(studio, user, role, advice=len(advice)),
        weeks=weeks,
        figures=figures_of(studio, weeks, fill=fill),
    )
