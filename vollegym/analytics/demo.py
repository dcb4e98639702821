"""Demo data of the numbers: the demo history is written in bulk, so its domain events are derived afterwards.

Runs last (analytics is the last app), when every other app's demo rows exist.
"""

from __future__ import annotations

from django.apps import apps

from vollegym.leads.models import Lead
from vollegym.people.backfill import events_backfill
from vollegym.people.models import DomainEvent
from vollegym.studios.models import Studio


def load() -> None:
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None:
        return
    leads = Lead.objects.for_studio(studio).real().count()
    derived = DomainEvent.objects.for_studio(studio).filter(kind="lead.captured").count()
    if derived < leads:  # a fresh demo history; a demo loaded before (and used since) keeps its events
        events_backfill(apps, [studio.pk], replace=True)
