"""The demo's sibling studios: a few studios with years of generated history beside the demo studio, so the agency's
portfolio compares studios on the demo's first run. Made by `vollegym demo` (not by `load_demo_data`, which every
demo test loads and which stays quick), once: a demo started again keeps them as they were used."""

from __future__ import annotations

import random
from dataclasses import replace

from django.contrib.auth.hashers import make_password

from vollegym.core.generator.run import generated_studios, studio_generate
from vollegym.core.generator.spec import realistic

SIBLINGS = 3
YEARS = 3
PREFIX = "zus"  # their slugs: zus-01, zus-02, …
LEADS_PER_WEEK = 4.0  # at most: small studios keep the demo's start quick
SEED = 1212


def demo_siblings_load(*, password: str, years: int | None = None) -> list[str]:
    """Makes the sibling studios, with `years` of history (YEARS unless given), unless they exist; their logins take
    `password`. Returns the slugs made."""
    if generated_studios(PREFIX):
        return []
    hashed = make_password(password)
    made = []
    for number in range(1, SIBLINGS + 1):
        spec = realistic(number, prefix=PREFIX, rng=random.Random(f"{SEED}-{number}"))
        rates = replace(spec.rates, leads_per_week=min(spec.rates.leads_per_week, LEADS_PER_WEEK))
        generation, _seconds = studio_generate(
            replace(spec, rates=rates), seed=SEED + number, years=years or YEARS, password_hash=hashed
        )
        made.append(generation.studio.slug)
    return made
