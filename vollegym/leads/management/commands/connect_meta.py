from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vollegym.leads.services import meta_page_connect
from vollegym.studios.cli import studio_argument


class Command(BaseCommand):
    help = "Connects a Facebook page's Lead Ads to a studio: deliveries for that page become its leads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("studio", help="the studio's slug")
        parser.add_argument("--page-id", required=True)
        parser.add_argument("--page-token", required=True, help="a page access token with leads_retrieval")
        parser.add_argument("--name", default="")

    def handle(
        self, *args: Any, studio: str, page_id: str, page_token: str, name: str, **options: Any
    ) -> None:
        found = studio_argument(studio)
        try:
            page = meta_page_connect(studio=found, page_id=page_id, page_token=page_token, name=name)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Meta page {page.page_id} now delivers leads to {found.name}"))
