# The calendar feed's token kept hashed, step 1 of 3: room for the hash, nullable while 0008 fills it.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0006_health_flags'),
    ]

    operations = [
        migrations.AddField(
            model_name='coachcalendar',
            name='token_hash',
            field=models.CharField(editable=False, max_length=64, null=True, unique=True, verbose_name='hash van het geheime adres'),
        ),
    ]
