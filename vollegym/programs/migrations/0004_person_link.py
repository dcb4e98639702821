# People, step 1 of 3: the link to the person, nullable while the rows are filled (0002 of people).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_people_and_consent_ledger'),
        ('programs', '0003_enrolment_once'),
    ]

    operations = [
        migrations.AddField(
            model_name='member',
            name='person',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person', verbose_name='persoon'),
        ),
    ]
