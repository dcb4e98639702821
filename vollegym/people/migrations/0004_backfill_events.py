# Domain events for the history from before there were events, so reports that read events see all of it.

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    from vollegym.people.backfill import events_backfill

    events_backfill(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_domain_events"),
        ("leads", "0007_person_required"),
        ("intake", "0005_person_required"),
        ("programs", "0005_person_required"),
        ("schedule", "0005_person_required"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
