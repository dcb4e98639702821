from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vollegym.people.cli import add_person_arguments, person_argument
from vollegym.people.models import PrivacyRequest
from vollegym.people.rights import person_erase, privacy_request_open


class Command(BaseCommand):
    help = (
        "Erases one person of a studio everywhere (AVG art. 17): name, addresses, answers, message texts and raw "
        "deliveries; the rows stay, so report counts stay right. Asks for confirmation unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_person_arguments(parser)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(
        self, *args: Any, studio: str, email: str | None, phone: str | None, yes: bool, **options: Any
    ) -> None:
        person = person_argument(studio, email, phone)
        if person.erased_at is not None:
            raise CommandError(f"person {person.pk} in {studio} was erased already")
        if not yes:
            answer = input(f"Erase {person} (person {person.pk}) in {studio} everywhere? Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("not erased")
        request = privacy_request_open(
            person=person, kind=PrivacyRequest.Kind.ERASURE, by=None, note="command line"
        )
        erased = person_erase(
            person=person, by=None, request=request, reason="op verzoek, via de opdrachtregel"
        )
        self.stdout.write(f"person {erased.person_id} in {studio} erased ({erased.rows} rows cleaned)")
