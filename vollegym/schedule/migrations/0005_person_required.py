# People, step 3 of 3: every row has its person (filled by 0002 of people); the copied details go.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_fill_people'),
        ('schedule', '0004_person_link'),
    ]

    operations = [
        migrations.AlterField(
            model_name='sessionbooking',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person'),
        ),
    ]
