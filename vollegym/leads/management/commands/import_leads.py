from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from vollegym.leads.importing import MAX_BYTES, ImportRefused, leads_import_csv
from vollegym.studios.cli import studio_argument


class Command(BaseCommand):
    help = (
        "Imports leads from a CSV file (UTF-8 or Windows-1252, ',' or ';', Dutch or English headers). "
        "Exits 1 if the file is refused or any row is rejected; the other rows are imported. A row imported with "
        "a value set aside (an invalid e-mail next to a phone number, an unknown source) is printed as a warning."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("studio", help="the studio's slug")
        parser.add_argument("file", help="the CSV file")

    def handle(self, *args: Any, studio: str, file: str, **options: Any) -> None:
        found = studio_argument(studio)
        try:
            with Path(file).open("rb") as stream:
                data = stream.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file: {exc.strerror}") from exc
        try:
            report = leads_import_csv(studio=found, data=data)
        except ImportRefused as exc:
            raise CommandError(f"{file}: {exc.reason}") from exc
        except Exception as exc:
            # The import ran in one transaction: a crash leaves the studio's leads as they were.
            raise CommandError(f"{file}: the import failed, nothing was imported: {exc!r}") from exc
        lines = [
            (line, self.style.ERROR(f"{file}: line {line}: {reason}")) for line, reason in report.rejected
        ]
        # The command speaks English, as its other output does; the page shows the same warnings in Dutch.
        with translation.override("en"):
            lines += [
                (warned.line, self.style.WARNING(f"{file}: line {warned.line}: warning: {warned.message}"))
                for warned in report.warnings
            ]
        for _line, text in sorted(lines, key=lambda each: each[0]):
            self.stdout.write(text)
        summary = f"{report.created} imported, {report.merged} merged into open leads, {len(report.rejected)} rejected"
        if report.warnings:
            summary += f", {len({warned.line for warned in report.warnings})} imported with a warning"
        if report.rejected:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
