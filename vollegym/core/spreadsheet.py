"""CSV files that a Dutch studio opens in Excel: UTF-8 with a byte-order mark (or Excel reads "Chloë" as "ChloÃ«"),
a semicolon between cells (a Dutch Excel's list separator: with commas every row lands in one column), dates as
dd-mm-jjjj, and no cell that Excel would run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo

from django.http import HttpResponse

from vollegym.core import clock

BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets ("=HYPERLINK(...)" in a
# name typed into a public form): such a cell gets a leading apostrophe, which shows it as the text it is.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Euros(int):
    """An amount in cents that a cell shows in euros with a decimal comma ("-12,50"): a number to Excel, and never a
    formula, since it is only digits, a comma and perhaps a minus."""


Cell = str | int | date | datetime | None


def cell(value: Cell, zone: tzinfo = clock.AMSTERDAM) -> str:
    """One value as the text of a cell: a date dd-mm-jjjj, a moment dd-mm-jjjj hh:mm on the studio's clock."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{clock.local(value, zone):%d-%m-%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, Euros):
        whole, rest = divmod(abs(value), 100)
        return f"{'-' if value < 0 else ''}{whole},{rest:02d}"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_START):
        return f"'{text}"
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]], zone: tzinfo = clock.AMSTERDAM) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([cell(value, zone) for value in row])
    return BOM + out.getvalue()


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], zone: tzinfo = clock.AMSTERDAM
) -> HttpResponse:
    response = HttpResponse(csv_text(header, rows, zone), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
