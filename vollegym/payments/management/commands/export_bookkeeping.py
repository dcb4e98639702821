"""`vollegym export-bookkeeping --studio <slug> --month 2026-11`: the month for the bookkeeper as a CSV."""

import re
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vollegym.core.spreadsheet import csv_text
from vollegym.payments.books import bookkeeping_header, bookkeeping_rows
from vollegym.studios.cli import studio_argument

MONTH = re.compile(r"(20\d\d|2100)-(0[1-9]|1[0-2])")  # the same years as the back office's month form


class Command(BaseCommand):
    help = (
        "Writes a studio's month for the bookkeeper (invoices and credit notes per line with BTW, payments, refunds, "
        "charge-backs) as a CSV for Excel (UTF-8, semicolons) to stdout or a file. Mollie's fees are not in it: the "
        "studio's API key does not give them; they are on Mollie's monthly settlement."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--studio", required=True, help="the studio's slug")
        parser.add_argument("--month", required=True, help="the month, as 2026-11")
        parser.add_argument("--output", help="write to this file instead of stdout")

    def handle(self, *args: Any, studio: str, month: str, output: str | None, **options: Any) -> None:
        found = studio_argument(studio)
        matched = MONTH.fullmatch(month.strip())
        if matched is None:
            raise CommandError(f"{month!r}: give the month as YYYY-MM between 2000 and 2100, such as 2026-11")
        first = date(int(matched.group(1)), int(matched.group(2)), 1)
        rows = bookkeeping_rows(found, first)
        text = csv_text(bookkeeping_header(), rows, found.zone)
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            with Path(output).open("w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write the file: {exc.strerror}") from exc
        self.stderr.write(f"{len(rows)} rows written to {output}")
