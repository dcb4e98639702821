import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vollegym.people.cli import add_person_arguments, person_argument
from vollegym.people.models import PrivacyRequest
from vollegym.people.rights import person_export, privacy_request_open


class Command(BaseCommand):
    help = (
        "Writes everything a studio keeps about one person as JSON (AVG art. 15 and 20), to stdout or a file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_person_arguments(parser)
        parser.add_argument("--output", help="write to this file instead of stdout")

    def handle(
        self,
        *args: Any,
        studio: str,
        email: str | None,
        phone: str | None,
        output: str | None,
        **options: Any,
    ) -> None:
        person = person_argument(studio, email, phone)
        request = privacy_request_open(
            person=person, kind=PrivacyRequest.Kind.EXPORT, by=None, note="command line"
        )
        text = json.dumps(
            person_export(person=person, by=None, request=request), ensure_ascii=False, indent=2
        )
        if output is None:
            self.stdout.write(text)
            return
        try:
            Path(output).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: cannot write the file: {exc.strerror}") from exc
        self.stderr.write(f"person {person.pk} written to {output}")
