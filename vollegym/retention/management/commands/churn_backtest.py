from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vollegym.retention.backtest import backtest_markdown, backtest_run
from vollegym.studios.models import Studio


class Command(BaseCommand):
    help = (
        "Replays a studio's history week by week with the churn-risk rule and writes what it caught: of the members "
        "who left, how many were flagged two weeks ahead; of the members flagged, how many did not leave."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--studio", default="demo", help="the studio's slug (default: demo)")
        parser.add_argument(
            "--output", default="docs/churn-backtest.md", help="the Markdown file to write, or - for stdout"
        )

    def handle(self, *args: Any, studio: str, output: str, **options: Any) -> None:
        found = Studio.objects.filter(slug=studio).first()
        if found is None:
            raise CommandError(f"no studio with the slug {studio!r}")
        text = backtest_markdown(backtest_run(found))
        if output == "-":
            self.stdout.write(text)
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: cannot write the file: {exc.strerror}") from exc
        self.stderr.write(f"back-test of {found.slug} written to {output}")
