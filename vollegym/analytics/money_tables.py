"""What the money pages show besides the figures: their charts, the months picked for the tables, and each table as a
CSV for Excel."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.utils import dateformat
from django.utils.translation import gettext as _

from vollegym.analytics.adspend import SpendReport
from vollegym.analytics.charts import ChartImage, bar_chart, step_chart
from vollegym.analytics.money import MoneyReport
from vollegym.core.spreadsheet import Cell, csv_download

MARKS = (1, 2, 3, 6, 9, 12, 18, 24, 36)  # months since joining that the tables show


def marks_within(horizon: int) -> list[int]:
    return [m for m in MARKS if m <= horizon]


def _euros(cents: float) -> str:
    return "€\u00a0" + f"{round(cents / 100):,}".replace(",", ".")


def _month_tick(month: date) -> str:
    return dateformat.format(month, "M") if month.month != 1 else dateformat.format(month, "M 'y")


def survival_chart(report: MoneyReport) -> ChartImage | None:
    if len(report.curve) < 2:
        return None
    return step_chart([point.survival for point in report.curve])


def revenue_chart(report: MoneyReport) -> ChartImage | None:
    if not report.months:
        return None
    return bar_chart(
        [
            (_month_tick(r.month), dateformat.format(r.month, "F Y"), float(r.revenue_cents))
            for r in report.months
        ],
        _euros,
    )


def spend_chart(report: SpendReport) -> ChartImage | None:
    if not any(bought.spend_cents for _month, bought in report.months):
        return None
    return bar_chart(
        [(_month_tick(m), dateformat.format(m, "F Y"), float(b.spend_cents)) for m, b in report.months],
        _euros,
    )


def _cents(value: float | None) -> int | None:
    return None if value is None else round(value)


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


def money_csv(report: MoneyReport, wanted: str, *, studio_slug: str) -> HttpResponse:
    """The months ("maanden") or the cohorts ("cohorten") of the members page as a CSV for Excel."""
    period = f"{report.first_day:%Y%m%d}-{report.last_day:%Y%m%d}"
    if wanted == "maanden":
        header = [_("Maand"), _("Leden aan het begin"), _("Nieuw"), _("Gestopt"), _("Netto"), _("Verloop %"),
                  _("Leden aan het eind"), _("Omzet afgesproken (cent)"), _("Terugkerende omzet (cent)")]  # fmt: skip
        if report.collects:
            header.append(_("Geïnd via Mollie (cent)"))
        rows: list[list[Cell]] = [
            [
                f"{r.month:%Y-%m}",
                r.at_start,
                r.joined,
                r.left,
                r.net,
                _percent(r.churn),
                r.at_end,
                r.revenue_cents,
                r.recurring_cents,
                *([r.collected_cents] if report.collects else []),
            ]
            for r in report.months
        ]
    elif wanted == "cohorten":
        marks = marks_within(report.horizon)
        header = [_("Maand van instroom"), _("Leden")] + [_("Na %(n)s mnd %%") % {"n": m} for m in marks]
        rows = []
        for c in report.cohorts:
            shares: list[Cell] = [_percent(c.survival[m]) if m < len(c.survival) else None for m in marks]
            rows.append([f"{c.month:%Y-%m}", c.size, *shares])
    else:
        raise Http404("No such table")
    return csv_download(f"leden-{studio_slug}-{wanted}-{period}.csv", header, rows)


def spend_csv(report: SpendReport, wanted: str, *, studio_slug: str) -> HttpResponse:
    """The campaigns ("campagnes") or the months ("maanden") of the ad spend page as a CSV for Excel."""
    header = [_("Campagne") if wanted == "campagnes" else _("Maand"), _("Uitgegeven (cent)"), _("Leads"),
              _("Gesprek gepland"), _("Lid geworden"), _("Per lead (cent)"), _("Per gepland gesprek (cent)"),
              _("Per nieuw lid (cent)")]  # fmt: skip
    if wanted == "campagnes":
        pairs = [(b.label, b) for b in report.campaigns]
    elif wanted == "maanden":
        pairs = [(f"{m:%Y-%m}", b) for m, b in report.months]
    else:
        raise Http404("No such table")
    rows: list[list[Cell]] = [
        [
            label,
            b.spend_cents,
            b.leads,
            b.booked,
            b.won,
            _cents(b.per_lead),
            _cents(b.per_booked),
            _cents(b.cac),
        ]
        for label, b in pairs
    ]
    period = f"{report.first_month:%Y%m}-{report.last_month:%Y%m}"
    return csv_download(f"advertenties-{studio_slug}-{wanted}-{period}.csv", header, rows)
