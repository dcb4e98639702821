from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from vollegym.analytics.adspend import adspend_import
from vollegym.analytics.adspend_import import MAX_BYTES, ImportRefused
from vollegym.studios.cli import studio_argument


class Command(BaseCommand):
    help = (
        "Imports ad spend from a CSV export of Meta Ads Manager or Google Ads (Dutch or English; UTF-8 or UTF-16; "
        "comma, semicolon or tab). Each campaign's month in the file replaces the stored one, so importing a file "
        "again never doubles it. Prints every rejected row as FILE: line N: COLUMN: why, and exits 1 if the file "
        "is refused or any row is rejected; the other rows are imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("studio", help="the studio's slug")
        parser.add_argument("file", help="the exported CSV file")

    def handle(self, *args: Any, studio: str, file: str, **options: Any) -> None:
        found = studio_argument(studio)
        try:
            with Path(file).open("rb") as stream:
                data = stream.read(MAX_BYTES + 1)  # one byte past the limit: refused unread
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file: {exc.strerror}") from exc
        # The command speaks English, as Django's own do; the page says the same in Dutch.
        with translation.override("en"):
            try:
                report = adspend_import(studio=found, data=data, file_name=Path(file).name)
            except ImportRefused as exc:
                raise CommandError(f"{file}: {exc.reason}") from exc
            for warning in report.warnings:
                self.stdout.write(self.style.WARNING(f"{file}: warning: {warning}"))
            for rejected in report.rejected:
                column = f"{rejected.field}: " if rejected.field else ""
                self.stdout.write(
                    self.style.ERROR(f"{file}: line {rejected.line}: {column}{rejected.reason}")
                )
            months = ", ".join(f"{m:%Y-%m}" for m in report.months) or "none"
            summary = (
                f"{report.platform_label}: {report.created} new and {report.replaced} replaced campaign months "
                f"({months}), {report.totals_skipped} totals rows skipped, {len(report.rejected)} rows rejected"
            )
        if report.rejected:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
