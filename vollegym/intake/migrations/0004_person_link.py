# People, step 1 of 3: the link to the person, nullable while the rows are filled (0002 of people).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0003_restrict_on_kind_and_version'),
        ('people', '0001_people_and_consent_ledger'),
    ]

    operations = [
        migrations.AddField(
            model_name='booking',
            name='person',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person'),
        ),
        migrations.AddField(
            model_name='intakeresponse',
            name='person',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person'),
        ),
    ]
