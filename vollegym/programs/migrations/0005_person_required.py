# People, step 3 of 3: every row has its person (filled by 0002 of people); the copied details go.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_fill_people'),
        ('programs', '0004_person_link'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='member',
            options={'ordering': ['person__name', 'id'], 'verbose_name': 'lid', 'verbose_name_plural': 'leden'},
        ),
        migrations.RemoveField(
            model_name='member',
            name='email',
        ),
        migrations.RemoveField(
            model_name='member',
            name='name',
        ),
        migrations.RemoveField(
            model_name='member',
            name='phone',
        ),
        migrations.AlterField(
            model_name='member',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person', verbose_name='persoon'),
        ),
    ]
