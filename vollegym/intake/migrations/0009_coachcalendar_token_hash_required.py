# The calendar feed's token kept hashed, step 3 of 3: every feed has its hash (0008); the token itself goes.
# Going back cannot bring the tokens back: the feeds are then removed, and each coach makes a new address.

from django.db import migrations, models


def drop_feeds(apps, schema_editor):
    apps.get_model("intake", "CoachCalendar")._base_manager.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0008_hash_calendar_tokens'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='coachcalendar',
            name='token',
        ),
        migrations.AlterField(
            model_name='coachcalendar',
            name='token_hash',
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name='hash van het geheime adres'),
        ),
        # Last, so that going back removes the feeds before the token's column returns.
        migrations.RunPython(migrations.RunPython.noop, drop_feeds),
    ]
