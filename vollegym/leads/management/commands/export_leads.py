from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vollegym.leads.exporting import leads_export_csv, leads_export_json, leads_export_rows
from vollegym.studios.cli import studio_argument


class Command(BaseCommand):
    help = "Writes every lead of a studio, with its consents, as JSON or CSV (UTF-8) to stdout or a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("studio", help="the studio's slug")
        parser.add_argument("--format", dest="fmt", choices=["json", "csv"], required=True)
        parser.add_argument("--output", help="write to this file instead of stdout")
        parser.add_argument("--include-test", action="store_true", help="include test leads")

    def handle(
        self, *args: Any, studio: str, fmt: str, output: str | None, include_test: bool, **options: Any
    ) -> None:
        found = studio_argument(studio)
        rows = leads_export_rows(found, include_test=include_test)
        text = leads_export_json(rows) if fmt == "json" else leads_export_csv(rows)
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            # newline="": the CSV keeps its own \r\n line ends.
            with Path(output).open("w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write the file: {exc.strerror}") from exc
        self.stderr.write(f"{len(rows)} leads written to {output}")
