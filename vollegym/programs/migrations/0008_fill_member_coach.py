# A member's coach, step 2 of 2: members enrolled before the field existed get their lead's coach.

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps: Any, schema_editor: Any) -> None:
    Lead = apps.get_model("leads", "Lead")
    Member = apps.get_model("programs", "Member")
    coach = Lead.objects.filter(pk=OuterRef("lead_id")).values("assigned_to_id")[:1]
    Member.objects.filter(coach__isnull=True, lead__isnull=False).update(coach_id=Subquery(coach))


class Migration(migrations.Migration):

    dependencies = [
        ("leads", "0001_initial"),
        ("programs", "0007_member_coach"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
