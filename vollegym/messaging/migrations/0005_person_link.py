# People, step 1 of 3: the link to the person, nullable while the rows are filled (0002 of people).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0004_reply_to'),
        ('people', '0001_people_and_consent_ledger'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='marketing',
            field=models.BooleanField(default=False, verbose_name='marketing'),
        ),
        migrations.AddField(
            model_name='message',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person'),
        ),
    ]
