"""A new studio from a template: the kinds of measurement it uses (the template's own kinds included)."""

from __future__ import annotations

from vollegym.core.studiosetup import Setup, copy_of
from vollegym.progress.models import MeasurementKind

STEP = 60


def copy(setup: Setup) -> None:
    existing = set(MeasurementKind.objects.for_studio(setup.target).values_list("name", flat=True))
    for kind in (
        MeasurementKind.objects.for_studio(setup.source).filter(archived_at__isnull=True).order_by("id")
    ):
        if kind.name not in existing:
            copy_of(kind, studio=setup.target).save()
