"""Demo data of the numbers: the demo history is written in bulk, so its domain events are derived afterwards.

Runs last (analytics is the last app), when every other app's demo rows exist.
"""

from __future__ import annotations

from django.apps import apps

from vollegym.people.backfill import events_backfill
from vollegym.studios.models import Studio


def load() -> None:
    studio = Studio.objects.filter(slug="demo").first()
    if studio is not None:
        events_backfill(apps, [studio.pk])
