# Memberships go on month by month (Wet Van Dam), step 2 of 2: runs made before the fields existed say how they came
# about (a renewal of a membership is its next term), and a membership's term still running goes on.

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone


def fill(apps: Any, schema_editor: Any) -> None:
    Enrolment = apps.get_model("programs", "Enrolment")
    renewals = Enrolment.objects.filter(renewal_of__isnull=False)
    renewals.filter(program__kind="membership").update(origin="continued")
    renewals.exclude(program__kind="membership").update(origin="renewed")
    renewed = Enrolment.objects.filter(renewal_of__isnull=False).values("renewal_of_id")
    # Only a term still running: one that ended without a next term was stopped by the studio, by hand.
    today = timezone.localdate()
    Enrolment.objects.filter(program__kind="membership", status="active", ends_on__gte=today).exclude(
        pk__in=renewed
    ).update(continues=True)


class Migration(migrations.Migration):

    dependencies = [
        ("programs", "0009_pauses_cancellations_renewal_talks"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
