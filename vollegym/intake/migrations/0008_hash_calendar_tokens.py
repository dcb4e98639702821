# The calendar feed's token kept hashed, step 2 of 3: every existing token is hashed in place, so a calendar
# app subscribed to an address keeps working. The hash is written out here (not imported) so this step stays
# what it was when the models change.

import hashlib

from django.db import migrations


def hash_tokens(apps, schema_editor):
    CoachCalendar = apps.get_model("intake", "CoachCalendar")
    for feed in CoachCalendar._base_manager.filter(token_hash__isnull=True).only("pk", "token"):
        feed.token_hash = hashlib.sha256(feed.token.encode()).hexdigest()
        feed.save(update_fields=["token_hash"])


def forget_hashes(apps, schema_editor):
    apps.get_model("intake", "CoachCalendar")._base_manager.update(token_hash=None)


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0007_coachcalendar_token_hash'),
    ]

    operations = [
        migrations.RunPython(hash_tokens, forget_hashes),
    ]
