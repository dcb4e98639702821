"""Benchmark data of the numbers (`vollegym generate`): what each Meta and Google campaign cost per month, as an
import of the platforms' exports would store it, so cost per lead, CAC and payback have their spend."""

from __future__ import annotations

from datetime import timedelta

from vollegym.analytics.models import AdSpend, campaign_key
from vollegym.core.generator.plan import at
from vollegym.core.generator.run import Generation

FILE = "vollegym generate"  # imported after the month, as from the platform's export


def write(gen: Generation) -> None:
    plan, studio = gen.plan, gen.studio
    gen.create(
        AdSpend,
        (
            AdSpend(
                studio=studio, platform=s.platform, campaign=s.campaign, campaign_key=campaign_key(s.campaign),
                month=s.month, amount_cents=s.cents, source=AdSpend.Source.IMPORTED, file_name=FILE,
                updated_at=min(at((s.month + timedelta(days=32)).replace(day=1), 9), plan.now),
                updated_by=gen.team[0],
            )
            for s in plan.spend
        ),
    )  # fmt: skip
