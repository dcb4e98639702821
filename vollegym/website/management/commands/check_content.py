from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vollegym.website.site import load_site


class Command(BaseCommand):
    help = "Checks a content folder: front matter, duplicate slugs and internal links. Exits 1 on any error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", nargs="?", help="content folder (default: VOLLEGYM_CONTENT_DIR)")

    def handle(self, *args: Any, folder: str | None = None, **options: Any) -> None:
        path = Path(folder) if folder else Path(settings.VOLLEGYM_CONTENT_DIR)
        site = load_site(path)
        for problem in site.problems:
            style = self.style.ERROR if problem.level == "error" else self.style.WARNING
            self.stdout.write(style(str(problem)))
        errors, warnings = len(site.errors), len(site.problems) - len(site.errors)
        summary = f"{len(site.pages)} pages served, {errors} errors, {warnings} warnings in {path}"
        if errors:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
