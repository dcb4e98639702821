"""The growth simulator's page: the scenarios side by side at 12, 24 and 36 months with the range from resampling
the studio's own history, which lever moves revenue most, and, in plain words, whether the seeds' rule ("20% better
retention has more impact on revenue than doubling the inflow") holds for this studio, and why.

The arithmetic is in analytics/simulator.py, the studio's numbers are read in analytics/growth_inputs.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vollegym.analytics.bootstrap import SAMPLES, SEED, Band, Outcome, Resampled, resample
from vollegym.analytics.charts import ChartImage, line_chart, range_chart
from vollegym.analytics.growth_inputs import Inputs, growth_inputs
from vollegym.analytics.simulator import (
    BASE,
    HORIZON,
    HORIZONS,
    LEADS,
    LEVERS,
    RETENTION,
    Baseline,
    Curve,
    Projection,
    Scenario,
    project,
    with_places,
)
from vollegym.analytics.templatetags.analytics_tags import cents
from vollegym.studios.models import Studio

MIX = Scenario("mix", retention=0.1, leads=1.5, price=0.05)  # the owner's mix until they choose their own
ADVICE = 0.1  # the price advice: a tenth more for newcomers (schedule/pricing.py, before its rounding to € 5)
CACHE_SECONDS = 6 * 3600  # the range is a pure function of the numbers: the same numbers, the same range
KEPT_VERSION = 1  # of the model and of what is kept: a new one leaves the old ranges unread

NAMES: dict[str, tuple[str | Promise, str | Promise]] = {
    "basis": (gettext_lazy("Zo doorgaan"), gettext_lazy("Zo doorgaan")),
    "retentie": (gettext_lazy("Retentie +20%"), gettext_lazy("Retentie +20%")),
    "leads": (gettext_lazy("Twee keer zoveel leads"), gettext_lazy("2× leads")),
    "prijs": (gettext_lazy("+10% prijs voor nieuwe leden"), gettext_lazy("+10% prijs")),
    "snel": (gettext_lazy("Elke lead binnen 5 minuten"), gettext_lazy("Binnen 5 min")),
    "mix": (gettext_lazy("Jouw mix"), gettext_lazy("Jouw mix")),
}
EXPLAINED: dict[str, str | Promise] = {
    "basis": gettext_lazy("Je cijfers van de laatste 12 maanden, zoals ze zijn."),
    "retentie": gettext_lazy("Elke maand 20% minder leden die stoppen, ook van wie nu lid is."),
    "leads": gettext_lazy("Elke bron twee keer zoveel leads, die even vaak lid worden als nu."),
    "prijs": gettext_lazy("Nieuwe leden betalen 10% meer; wie nu lid is, houdt de eigen prijs."),
    "snel": gettext_lazy(
        "Elke lead krijgt binnen vijf minuten persoonlijk antwoord en wordt zo vaak lid als jouw snel beantwoorde "
        "leads nu."
    ),
}


def euros(value: float) -> str:
    """Cents in whole euros, "€ 1.234", a loss as "− € 1.234"."""
    return ("−\u00a0" if round(value / 100) < 0 else "") + cents(abs(value))


def signed(value: float) -> str:
    """ "+ € 1.234" or "− € 1.234": what a scenario adds."""
    return ("−\u00a0" if round(value / 100) < 0 else "+\u00a0") + cents(abs(value))


def _count(value: float) -> str:
    return str(round(value))


def describe(mix: Scenario) -> str:
    """The owner's mix in words: "retentie +10%, 1,5× leads, +5% prijs, binnen 5 minuten"."""
    parts = []
    if mix.retention:
        parts.append(_("retentie %(sign)s%(n)s%%") % {"sign": "+" if mix.retention > 0 else "−",
                                                     "n": round(abs(mix.retention) * 100)})  # fmt: skip
    if mix.leads != 1:
        parts.append(_("%(n)s× leads") % {"n": f"{mix.leads:g}".replace(".", ",")})
    if mix.price:
        parts.append(_("%(sign)s%(n)s%% prijs voor nieuwe leden") % {"sign": "+" if mix.price > 0 else "−",
                                                                    "n": round(abs(mix.price) * 100)})  # fmt: skip
    if mix.fast:
        parts.append(_("elke lead binnen 5 minuten"))
    return ", ".join(parts) or _("niets veranderd")


@dataclass(frozen=True)
class Cell:
    """One scenario at one horizon: members and fill in that month, revenue until then, and their ranges."""

    horizon: int
    members: float
    members_band: Band | None
    revenue: float
    revenue_band: Band | None
    extra: float  # revenue more than going on as now
    extra_band: Band | None
    fill: float | None
    fill_band: Band | None
    waiting: float
    full: bool  # at or above the studio's "full" for the price advice


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    short: str
    explained: str
    projection: Projection
    cells: list[Cell]

    @property
    def last(self) -> Cell:
        return self.cells[-1]

    @property
    def first_waiting(self) -> int | None:
        return self.projection.first_waiting


@dataclass(frozen=True)
class Ceiling:
    """A scenario that reaches the classes' ceiling: from when people wait, and what the price advice adds."""

    row: Row
    month: int
    waiting: float  # in month 36
    gave_up: float  # over the 36 months
    advised_revenue: float  # over 36 months, with the advice from the month after the first wait


@dataclass(frozen=True)
class GrowthReport:
    inputs: Inputs
    baseline: Baseline
    mix: Scenario
    rows: list[Row]
    best: Row | None
    best_text: str
    rule_holds: bool
    rule_text: str
    ceilings: list[Ceiling]
    revenue_chart: ChartImage
    extra_chart: ChartImage
    samples: int
    seed: int

    @property
    def horizons(self) -> tuple[int, ...]:
        return HORIZONS

    @property
    def curve(self) -> Curve:
        return self.baseline.curve

    def row(self, key: str) -> Row:
        return next(row for row in self.rows if row.key == key)

    @property
    def mix_row(self) -> Row:
        return self.row("mix")

    @property
    def sources(self) -> list[tuple[str, float, float, float]]:
        """Per source: its name, leads a month, the share that became a member, and that share answered fast."""
        inflows = {inflow.key: inflow for inflow in self.baseline.inflows}
        return [
            (
                s.label,
                inflows[s.key].leads_per_month,
                inflows[s.key].conversion,
                inflows[s.key].fast_conversion,
            )
            for s in self.inputs.sources
            if s.key in inflows
        ]

    @property
    def curve_marks(self) -> list[tuple[int, float]]:
        return [(m, self.curve.survival[m]) for m in (1, 3, 6, 12, 24) if m <= self.curve.reach]


Kept = dict[tuple[str, int], list[tuple[float, float, float | None]]]


def _kept(value: object) -> Kept | None:
    """A kept range as stored: plain tuples, so a change of the code's classes never breaks reading it back."""
    return value if isinstance(value, dict) else None


def _resampled(studio: Studio, inputs: Inputs, scenarios: list[Scenario]) -> Resampled:
    """The bootstrap, kept while the studio's numbers stay the same (it is a pure function of them). The draws
    depend on the seed and the history only, so the fixed scenarios and the owner's mix are kept apart and still
    compared sample by sample: a new mix costs only its own projections."""
    parts = [scenarios[:-1], scenarios[-1:]]
    keys = [
        f"analytics:growth:{KEPT_VERSION}:{studio.pk}:"
        + hashlib.sha256(repr((inputs.history, part, SAMPLES, SEED)).encode()).hexdigest()
        for part in parts
    ]
    kept = [_kept(cache.get(key)) for key in keys]
    missing = [s for part, got in zip(parts, kept, strict=True) if got is None for s in part]
    if missing:
        fresh = resample(inputs.history, missing, samples=SAMPLES, seed=SEED)
        for i, part in enumerate(parts):
            if kept[i] is None:
                names = {s.key for s in part}
                plain: Kept = {
                    k: [(o.members, o.revenue_cents, o.fill) for o in v]
                    for k, v in fresh.outcomes.items()
                    if k[0] in names
                }
                cache.set(keys[i], plain, CACHE_SECONDS)
                kept[i] = plain
    found = Resampled(samples=SAMPLES, seed=SEED)
    for part_kept in kept:
        for key, values in (part_kept or {}).items():
            found.outcomes[key] = [Outcome(*value) for value in values]
    return found


def _rows(baseline: Baseline, scenarios: list[Scenario], ranges: Resampled, threshold: float) -> list[Row]:
    projections = {s.key: project(baseline, s) for s in scenarios}
    base = projections[BASE.key]
    rows = []
    for scenario in scenarios:
        found = projections[scenario.key]
        cells = []
        for horizon in HORIZONS:
            month = found.month(horizon)
            cells.append(
                Cell(
                    horizon=horizon, members=month.members,
                    members_band=ranges.band(scenario.key, horizon, "members"),
                    revenue=found.revenue_until(horizon),
                    revenue_band=ranges.band(scenario.key, horizon, "revenue_cents"),
                    extra=found.revenue_until(horizon) - base.revenue_until(horizon),
                    extra_band=ranges.extra_band(scenario.key, horizon) if scenario.key != BASE.key else None,
                    fill=month.fill, fill_band=ranges.band(scenario.key, horizon, "fill"),
                    waiting=month.waiting, full=month.fill is not None and month.fill >= threshold,
                )
            )  # fmt: skip
        label, short = NAMES[scenario.key]
        explained = EXPLAINED.get(scenario.key) or describe(scenario)
        rows.append(Row(scenario.key, str(label), str(short), str(explained), found, cells))
    return rows


def _band_words(band: Band | None) -> str:
    if band is None:
        return ""
    return _(" (in 8 van de 10 trekkingen uit je eigen geschiedenis tussen %(low)s en %(high)s)") % {
        "low": euros(band.low), "high": euros(band.high),
    }  # fmt: skip


def best_lever(rows: list[Row]) -> tuple[Row | None, str]:
    """The single lever that adds the most revenue over 36 months, in a sentence."""
    levers = [row for row in rows if row.key in {lever.key for lever in LEVERS}]
    if not levers:
        return None, ""
    best = max(levers, key=lambda row: row.last.extra)
    if best.last.extra <= 0:
        return None, _("Geen van de vier knoppen levert in 36 maanden meer omzet op dan zo doorgaan.")
    text = _("Op jouw cijfers levert %(lever)s het meeste op: %(extra)s meer omzet in 36 maanden dan zo "
             "doorgaan%(band)s.") % {"lever": best.label[:1].lower() + best.label[1:],
                                     "extra": cents(best.last.extra), "band": _band_words(best.last.extra_band)}  # fmt: skip
    return best, text


def seeds_rule(
    *, base: Projection, retention: Projection, leads: Projection, baseline: Baseline,
    share_ahead: float | None = None, opened: tuple[Projection, Projection, Projection] | None = None,
) -> tuple[bool, str]:  # fmt: skip
    """Whether 20% better retention brings more revenue over 36 months than twice the leads here, and why, in
    plain words. `share_ahead`: in which share of the resamples it does; `opened`: going on, retention and leads
    without the classes' ceiling, said when the ceiling decides it."""
    months = len(base.months)
    gained_r = retention.revenue_until(months) - base.revenue_until(months)
    gained_l = leads.revenue_until(months) - base.revenue_until(months)
    holds = gained_r > gained_l
    more_r = retention.members[-1] - base.members[-1]
    more_l = leads.members[-1] - base.members[-1]
    newcomers = baseline.newcomers(LEADS) - baseline.newcomers(BASE)
    full_l, full_r = leads.first_waiting, retention.first_waiting
    facts = {
        "gained_r": signed(gained_r), "gained_l": signed(gained_l), "months": months,
        "more_r": _count(more_r), "more_l": _count(more_l), "newcomers": _count(newcomers),
        "full_l": full_l, "full_r": full_r, "places": _count(baseline.places or 0),
    }  # fmt: skip
    if holds:
        text = _("Bij jouw cijfers klopt de vuistregel: 20%% betere retentie levert in %(months)s maanden meer op "
                 "(%(gained_r)s) dan twee keer zoveel leads (%(gained_l)s), omdat ") % facts  # fmt: skip
        if full_l is not None:
            text += _("twee keer zoveel leads in maand %(full_l)s tegen de grens van je lessen loopt (plek voor "
                      "ongeveer %(places)s leden): wie er daarna bij komt, moet wachten, terwijl wie blijft, "
                      "doorbetaalt.") % facts  # fmt: skip
        else:
            text += _("20%% minder opzeggingen na %(months)s maanden ongeveer %(more_r)s leden meer oplevert en twee "
                      "keer zoveel leads ongeveer %(more_l)s: bij jou stoppen veel leden in verhouding tot wie er "
                      "bijkomt.") % facts  # fmt: skip
    else:
        text = _("Bij jouw cijfers levert twee keer zoveel leads meer op dan 20%% betere retentie (%(gained_l)s "
                 "tegen %(gained_r)s in %(months)s maanden), omdat ") % facts  # fmt: skip
        if full_l is not None:
            text += (
                _("je lessen dan al in maand %(full_l)s vol zitten (plek voor ongeveer %(places)s leden) en met 20%% "
                  "betere retentie %(later)s: vol is vol, en wie eerder binnenkomt, betaalt eerder.")
                % {**facts, "later": _("pas in maand %(m)s") % {"m": full_r} if full_r is not None
                   else _("niet binnen %(months)s maanden") % facts}
            )  # fmt: skip
            if gained_r < 0 < baseline.revenue_new_cents - baseline.revenue_existing_cents:
                text += " " + _("Dat 20% betere retentie hier zelfs iets minder oplevert, komt doordat wie blijft "
                                "een plek houdt tegen een oudere, lagere prijs, waar anders een nieuw lid tegen de "
                                "prijs van nu had gezeten.")  # fmt: skip
        else:
            text += _("twee keer zoveel leads elke maand ongeveer %(newcomers)s nieuwe leden extra brengt: na "
                      "%(months)s maanden ongeveer %(more_l)s leden meer, tegen %(more_r)s met 20%% minder "
                      "opzeggingen.") % facts  # fmt: skip
    if opened is not None and full_l is not None:
        open_base, open_retention, open_leads = opened
        text += " " + _("Met meer plek in je lessen (zonder die grens) zou 20%% betere retentie %(r)s opleveren "
                        "en twee keer zoveel leads %(l)s.") % {
            "r": euros(open_retention.revenue_until(months) - open_base.revenue_until(months)),
            "l": euros(open_leads.revenue_until(months) - open_base.revenue_until(months)),
        }  # fmt: skip
    if share_ahead is not None:
        text += " " + _("In %(n)s van de %(samples)s trekkingen uit je eigen geschiedenis levert 20%% betere "
                        "retentie meer op.") % {"n": round(share_ahead * SAMPLES), "samples": SAMPLES}  # fmt: skip
    return holds, text


def growth_report(studio: Studio, *, mix: Scenario = MIX) -> GrowthReport | Inputs:
    """The page's report; only the inputs when there is too little history to project."""
    inputs = growth_inputs(studio)
    if not inputs.enough:
        return inputs
    baseline = inputs.history.baseline()
    mix = replace(mix, key="mix")
    scenarios = [BASE, *LEVERS, mix]
    ranges = _resampled(studio, inputs, scenarios)
    rows = _rows(baseline, scenarios, ranges, inputs.capacity.threshold)
    best, best_text = best_lever(rows)
    by_key = {row.key: row for row in rows}
    open_baseline = with_places(baseline, None)
    holds, rule_text = seeds_rule(
        base=by_key[BASE.key].projection, retention=by_key[RETENTION.key].projection,
        leads=by_key[LEADS.key].projection, baseline=baseline,
        share_ahead=ranges.share_ahead(RETENTION.key, LEADS.key, HORIZON),
        opened=(project(open_baseline, BASE), project(open_baseline, RETENTION), project(open_baseline, LEADS)),
    )  # fmt: skip
    ceilings = []
    for row in rows:
        month = row.first_waiting
        if month is not None:
            advised = project(baseline, replace(row.projection.scenario, raise_when_full=ADVICE))
            ceilings.append(
                Ceiling(row, month, row.projection.waiting[-1], row.projection.gave_up_until(HORIZON),
                        advised.revenue_until(HORIZON))
            )  # fmt: skip
    return GrowthReport(
        inputs=inputs, baseline=baseline, mix=mix, rows=rows, best=best, best_text=best_text, rule_holds=holds,
        rule_text=rule_text, ceilings=ceilings,
        revenue_chart=line_chart([(row.short, row.projection.revenue_cents) for row in rows], euros),
        extra_chart=range_chart(
            [(row.short, row.last.extra, row.last.extra_band) for row in rows if row.key != BASE.key], euros
        ),
        samples=ranges.samples, seed=ranges.seed,
    )  # fmt: skip
