"""Day 0 of every run so far is its enrolment's start: written down, so a run no longer needs an enrolment."""

from typing import Any

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps: Any, schema_editor: Any) -> None:
    Run = apps.get_model("retention", "Run")
    Enrolment = apps.get_model("programs", "Enrolment")
    starts = Enrolment._base_manager.filter(pk=OuterRef("enrolment_id")).values("starts_on")[:1]
    Run._base_manager.filter(starts_on__isnull=True, enrolment__isnull=False).update(starts_on=Subquery(starts))


class Migration(migrations.Migration):
    dependencies = [("retention", "0004_lead_sequences")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
