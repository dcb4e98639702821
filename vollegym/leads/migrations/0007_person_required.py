# People, step 3 of 3: every row has its person (filled by 0002 of people); the copied details go.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_fill_people'),
        ('leads', '0006_person_link'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='lead',
            name='email',
        ),
        migrations.RemoveField(
            model_name='lead',
            name='name',
        ),
        migrations.RemoveField(
            model_name='lead',
            name='phone',
        ),
        migrations.RemoveField(
            model_name='lead',
            name='phone_as_given',
        ),
        migrations.RemoveField(
            model_name='lead',
            name='phone_invalid',
        ),
        migrations.AlterField(
            model_name='lead',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person', verbose_name='persoon'),
        ),
        migrations.DeleteModel(
            name='Consent',
        ),
    ]
