"""Ad spend from the CSV exports of Meta Ads Manager and Google Ads, as an owner downloads them, in Dutch or English.

Pure: bytes in, spend per campaign and month out, with every refused row by line and field. No database.

- Meta Ads Manager: "Campaign name"/"Campagnenaam", "Amount spent (EUR)"/"Besteed bedrag (EUR)" (the currency in
  the header), "Reporting starts"/"Start rapportage" and "Reporting ends"/"Einde rapportage"; a row must fall in one
  month, so an export of several months is broken down by month ("Month"/"Maand") or by day ("Day"/"Dag").
- Google Ads: a report title and a date range above the header row; "Campaign"/"Campagne", "Cost"/"Kosten",
  "Currency code"/"Valutacode", "Month"/"Maand" or "Day"/"Dag" (without either, the date range must be one month);
  totals at the bottom ("Total: Account", "Totaal: account") are skipped. Its "CSV (Excel)" download is UTF-16
  with tabs.
- Amounts the Dutch way (1.234,56) or the English way (1,234.56), with or without "€"; money has two decimals at
  most, which tells "1.234" (a thousand) from "1.23". Negative amounts and other currencies are refused.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.utils import dateformat
from django.utils.translation import gettext as _

from vollegym.analytics.models import CAMPAIGN_MAX, MAX_CENTS, campaign_key

MAX_BYTES = 10 * 1024 * 1024  # a year of daily rows for fifty campaigns, in UTF-16, is well under this
MAX_ROWS = 50_000
HEADER_WITHIN = 20  # the header row is among the first lines (Google puts a title and a date range above it)

_COLUMNS = {
    "campaign": {
        "campaign name",
        "campagnenaam",
        "naam campagne",
        "naam van campagne",
        "campaign",
        "campagne",
    },
    "ref": {"campaign id", "campagne-id", "campagne id", "id campagne"},
    "starts": {"reporting starts", "start rapportage", "begin rapportage"},
    "ends": {"reporting ends", "einde rapportage", "eind rapportage"},
    "month": {"month", "maand"},
    "day": {"day", "dag", "date", "datum"},
    "currency": {"currency code", "valutacode", "currency", "valuta"},
    "google_cost": {"cost", "kosten"},
}
_META_COST = re.compile(r"^(?:amount spent|besteed bedrag)(?: \((?P<currency>[a-z]{3})\))?$")
# Google's totals rows: "Total: Account", "Total: Campaigns", "Totaal: account" (a campaign may well be called
# "Totaal fit", so only with the colon).
_TOTAL = re.compile(r"^(?:total|totaal|totalen)\s*:", re.IGNORECASE)
_EMPTY = {"", "--", "-", "—", "–"}
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "maa": 3, "mrt": 3, "apr": 4, "may": 5, "mei": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_AMOUNT = re.compile(
    r"(?P<whole>\d{1,3}(?:(?P<group>[.,])\d{3})+|\d+)(?:(?P<point>[.,])(?P<fraction>\d{1,3}))?"
)


class ImportRefused(Exception):
    """A file refused as a whole, before any row is read into spend."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rejected:
    line: int  # the physical line of the file; the first line is 1
    field: str  # the column as the file names it
    reason: str


@dataclass(frozen=True)
class SpendLine:
    line: int
    campaign: str
    ref: str
    month: date
    cents: int


@dataclass
class Parsed:
    platform: str  # "meta" or "google"
    lines: list[SpendLine] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    totals_skipped: int = 0
    warnings: list[str] = field(default_factory=list)

    def per_month(self) -> dict[tuple[str, date], SpendLine]:
        """The file's spend added up per campaign and month (a daily export has a row a day); the name as last
        written."""
        found: dict[tuple[str, date], SpendLine] = {}
        for line in self.lines:
            key = (campaign_key(line.campaign), line.month)
            before = found.get(key)
            cents = line.cents + (before.cents if before else 0)
            found[key] = SpendLine(line.line, line.campaign, line.ref or (before.ref if before else ""), line.month,
                                   cents)  # fmt: skip
        return found


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).replace("\ufeff", "").casefold().split())


def decode(data: bytes) -> str:
    """The file's text: UTF-8 with or without a byte-order mark, UTF-16 (Google's "CSV (Excel)"), or Windows-1252."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("Het bestand is groter dan %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not data.strip():
        raise ImportRefused(_("Het bestand is leeg."))
    if data.startswith(b"PK\x03\x04"):
        raise ImportRefused(_("Dit is een Excel-werkmap of een zip-bestand: download de export als CSV."))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif len(data) >= 4 and data[1::2][:200].count(0) > 50 and data[0::2][:200].count(0) == 0:
        text = data.decode("utf-16-le", errors="replace")  # UTF-16 without a byte-order mark
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ImportRefused(_("Het bestand bevat NUL-tekens: het is geen CSV-tekstbestand."))
    return text.removeprefix("\ufeff")


@dataclass(frozen=True)
class _Layout:
    delimiter: str
    header_line: int  # index of the header among the rows
    columns: dict[str, int]
    cost: int
    platform: str
    currency: str  # from a Meta header ("eur"), else ""


def _layout_of(cells: list[str]) -> tuple[dict[str, int], int, str, str] | None:
    columns: dict[str, int] = {}
    meta_cost: tuple[int, str] | None = None
    for index, name in enumerate(_squash(c) for c in cells):
        for kind, aliases in _COLUMNS.items():
            if name in aliases and kind not in columns:
                columns[kind] = index
        if meta_cost is None and (match := _META_COST.match(name)):
            meta_cost = (index, match.group("currency") or "")
    if "campaign" not in columns:
        return None
    if meta_cost is not None:
        return columns, meta_cost[0], "meta", meta_cost[1]
    if "google_cost" in columns:
        return columns, columns["google_cost"], "google", ""
    return None


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            yield start, cells
    except csv.Error as exc:
        raise ImportRefused(
            _("Regel %(line)s is geen geldige CSV (%(error)s).") % {"line": reader.line_num, "error": exc}
        ) from None


def _find_layout(text: str) -> tuple[_Layout, list[tuple[int, list[str]]]]:
    head = "\n".join(text.splitlines()[:HEADER_WITHIN])
    for delimiter in ("\t", ";", ","):
        for index, (_line, cells) in enumerate(_rows(head, delimiter)):
            found = _layout_of(cells)
            if found is not None:
                columns, cost, platform, currency = found
                rows = list(_rows(text, delimiter))
                return _Layout(delimiter, index, columns, cost, platform, currency), rows
    first = next((c for _l, c in _rows(head, ",") if any(x.strip() for x in c)), [])
    named = ", ".join(f'"{c.strip()}"' for c in first if c.strip())[:300] or _("geen")
    raise ImportRefused(
        _(
            "Dit lijkt geen export van Meta Ads Manager of Google Ads: er is geen kolom met de campagne en het "
            'bedrag (zoals "Campagnenaam" en "Besteed bedrag (EUR)", of "Campagne" en "Kosten"). '
            "Gevonden: %(named)s."
        )
        % {"named": named}
    )


def parse_amount(text: str, point: str | None) -> int:
    """An amount in cents. `point` is the file's decimal separator when its other amounts tell it (else None)."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]|eur", "", text.strip(), flags=re.IGNORECASE)
    if cleaned in _EMPTY:
        return 0
    if cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")")):
        raise ValueError(_("een negatief bedrag is geen uitgave"))
    if re.search(r"[$£¥]|usd|gbp", cleaned, re.IGNORECASE):
        raise ValueError(_("een bedrag in een andere valuta dan euro's"))
    match = _AMOUNT.fullmatch(cleaned.removeprefix("+"))
    if match is None or len(cleaned) > 16:
        raise ValueError(_("geen bedrag: %(text)s") % {"text": text.strip()[:40]})
    whole, group, sep, fraction = match.group("whole", "group", "point", "fraction")
    # "1.234" and "1,234" are a thousand: money has two decimals at most. Unless the file's other amounts write
    # that separator as their decimal point: then it is an amount with three decimals, which no export writes.
    if (group and group in (sep, point)) or (sep and len(fraction) == 3):
        raise ValueError(_("geen bedrag met twee decimalen: %(text)s") % {"text": text.strip()[:40]})
    cents = int(whole.replace(".", "").replace(",", "")) * 100 + int((fraction or "").ljust(2, "0"))
    if cents > MAX_CENTS:
        raise ValueError(_("een onwaarschijnlijk hoog bedrag: %(text)s") % {"text": text.strip()[:40]})
    return cents


def decimal_point(values: list[str]) -> str | None:
    """The decimal separator the file's amounts show: "." or ",", or None when none of them tells."""
    seen = set()
    for text in values:
        cleaned = re.sub(r"[^\d.,]", "", text)
        if "." in cleaned and "," in cleaned:
            seen.add("." if cleaned.rfind(".") > cleaned.rfind(",") else ",")
        elif match := re.search(r"([.,])\d{1,2}$", cleaned):
            seen.add(match.group(1))
    return seen.pop() if len(seen) == 1 else None


def _year_month(year: str, month: int) -> date | None:
    number = int(year)
    return date(number, month, 1) if 2000 <= number <= 2100 and 1 <= month <= 12 else None


def parse_day(text: str) -> date | None:
    """A day as the exports write it: 2026-03-05, 05-03-2026 (day first), "5 mrt. 2026", "Mar 5, 2026"."""
    value = text.strip().casefold()
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t].*)?", value):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", value):
            return date(int(match[3]), int(match[2]), int(match[1]))
        words = re.findall(r"[a-z]+|\d+", value)
        numbers = [w for w in words if w.isdigit()]
        month = next((_MONTHS[w[:3]] for w in words if not w.isdigit() and w[:3] in _MONTHS), None)
        if month and len(numbers) == 2:
            day, year = sorted(numbers, key=len)
            return date(int(year), month, int(day))
    except ValueError:
        return None
    return None


def parse_month(text: str) -> date | None:
    """A month as the exports write it: 2026-03, 2026-03-01, "maart 2026", "March 2026", or a range within it."""
    value = text.strip().casefold()
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:\s*-\s*.*)?", value):
        return _year_month(match[1], int(match[2]))
    if match := re.fullmatch(r"(\d{1,2})[-/](\d{4})", value):
        return _year_month(match[2], int(match[1]))
    words = re.findall(r"[a-z]+|\d+", value)
    years = [w for w in words if len(w) == 4 and w.isdigit()]
    month = next((_MONTHS[w[:3]] for w in words if not w.isdigit() and w[:3] in _MONTHS), None)
    if month and years and len(words) <= 3:
        return _year_month(years[0], month)
    day = parse_day(text)
    return day.replace(day=1) if day else None


def _date_range(title_rows: list[list[str]]) -> tuple[date, date] | None:
    """The date range line above a Google report's header ("1 maart 2026 - 31 maart 2026"), or None."""
    for cells in title_rows:
        parts = re.split(r"\s+[-–]\s+", " ".join(cells).strip())
        if len(parts) == 2:
            first, last = parse_day(parts[0]), parse_day(parts[1])
            if first and last:
                return first, last
    return None


def _month_of(
    cells: list[str], layout: _Layout, fallback: date | None
) -> tuple[date, None] | tuple[None, str]:
    """The row's month, or the column that did not tell it."""
    columns = layout.columns

    def cell(kind: str) -> str:
        index = columns.get(kind)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    if "month" in columns:
        found = parse_month(cell("month"))
        return (found, None) if found else (None, "month")
    if "day" in columns:
        day = parse_day(cell("day"))
        return (day.replace(day=1), None) if day else (None, "day")
    if "starts" in columns:
        first = parse_day(cell("starts"))
        last = parse_day(cell("ends")) if "ends" in columns else first
        if first is None:
            return None, "starts"
        if last is None:
            return None, "ends"
        if (first.year, first.month) != (last.year, last.month):
            return None, "span"
        return first.replace(day=1), None
    if fallback is not None:
        return fallback, None
    return None, "none"


def parse_export(data: bytes) -> Parsed:
    """Reads a Meta Ads Manager or Google Ads export: its spend per row, and every row it refused, by line and field."""
    text = decode(data)
    layout, rows = _find_layout(text)
    header = rows[layout.header_line][1]
    names = {kind: header[index].strip() for kind, index in layout.columns.items()}
    cost_name = header[layout.cost].strip()
    parsed = Parsed(platform=layout.platform)
    if layout.currency and layout.currency != "eur":
        raise ImportRefused(
            _("De bedragen in dit bestand zijn in %(currency)s; Volle Gym rekent alleen in euro's.")
            % {"currency": layout.currency.upper()}
        )
    if not layout.currency and "currency" not in layout.columns:
        parsed.warnings.append(_("Het bestand noemt geen valuta: de bedragen zijn gelezen als euro's."))
    span = _date_range([cells for _line, cells in rows[: layout.header_line]])
    fallback = (
        span[0].replace(day=1)
        if span and (span[0].year, span[0].month) == (span[1].year, span[1].month)
        else None
    )
    # A month the file starts after its first day: importing it replaces the whole month by that part.
    late: dict[date, date] = {span[0].replace(day=1): span[0]} if span and span[0].day != 1 else {}
    body = [(line, cells) for line, cells in rows[layout.header_line + 1 :] if any(c.strip() for c in cells)]
    if len(body) > MAX_ROWS:
        raise ImportRefused(_("Het bestand heeft meer dan %(rows)s rijen: deel het op.") % {"rows": MAX_ROWS})
    dated = any(kind in layout.columns for kind in ("month", "day", "starts"))
    if not dated and fallback is None:
        raise ImportRefused(
            _(
                "Het bestand zegt niet over welke maand het gaat: voeg de kolom Maand (of Dag) toe, of exporteer "
                "één maand tegelijk."
            )
        )
    point = decimal_point([cells[layout.cost] for _line, cells in body if layout.cost < len(cells)])
    campaign_at = layout.columns["campaign"]
    for line, cells in body:
        first = next((c.strip() for c in cells if c.strip()), "")
        campaign = cells[campaign_at].strip() if campaign_at < len(cells) else ""
        if _TOTAL.match(first) or _TOTAL.match(campaign) or not campaign or campaign in _EMPTY:
            parsed.totals_skipped += 1  # a totals row, or a summary row without a campaign
            continue
        campaign = "".join(ch for ch in campaign if unicodedata.category(ch) != "Cc")
        if len(campaign) > CAMPAIGN_MAX:
            parsed.rejected.append(Rejected(line, names["campaign"], _("de campagnenaam is langer dan %(max)s tekens")
                                            % {"max": CAMPAIGN_MAX}))  # fmt: skip
            continue
        if "currency" in layout.columns:
            at = layout.columns["currency"]
            currency = cells[at].strip().upper() if at < len(cells) else ""
            if currency not in ("", "EUR", "--"):
                parsed.rejected.append(Rejected(line, names["currency"], _("alleen euro's, niet %(currency)s")
                                                % {"currency": currency[:10]}))  # fmt: skip
                continue
        month, bad = _month_of(cells, layout, fallback)
        if month is None:
            parsed.rejected.append(_month_rejection(line, bad or "", names))
            continue
        try:
            cents = parse_amount(cells[layout.cost] if layout.cost < len(cells) else "", point)
        except ValueError as exc:
            parsed.rejected.append(Rejected(line, cost_name, str(exc)))
            continue
        ref_at = layout.columns.get("ref")
        ref = cells[ref_at].strip()[:64] if ref_at is not None and ref_at < len(cells) else ""
        parsed.lines.append(SpendLine(line, campaign, "" if ref in _EMPTY else ref, month, cents))
        starts_at = layout.columns.get("starts")
        starts = parse_day(cells[starts_at]) if starts_at is not None and starts_at < len(cells) else None
        if starts is not None and starts.day != 1 and starts.replace(day=1) == month:
            late.setdefault(month, starts)
    for month, starts in sorted(late.items()):
        if any(line.month == month for line in parsed.lines):
            parsed.warnings.append(
                _(
                    "%(month)s begint in dit bestand pas op %(day)s: wat er voor die maand stond, is vervangen door "
                    "alleen dit deel. Lees een export van de hele maand in."
                )
                % {"month": dateformat.format(month, "F Y"), "day": dateformat.format(starts, "j F")}
            )
    return parsed


def _month_rejection(line: int, bad: str, names: dict[str, str]) -> Rejected:
    if bad == "span":
        return Rejected(
            line,
            f"{names['starts']} / {names.get('ends', '')}",
            _(
                "de rij loopt over meer dan één maand: exporteer uitgesplitst per maand (Uitsplitsing → Tijd → Maand)"
            ),
        )
    if bad == "none":
        return Rejected(line, "", _("de rij zegt niet over welke maand het gaat"))
    return Rejected(line, names.get(bad, bad), _("geen datum of maand die te lezen is"))
