"""Whether a trial has posted results: a column generated from its record, and its copies
in the search tables (the "has posted results" facet)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trials', '0003_coordinators_group'),
    ]

    operations = [
        migrations.AddField(
            model_name='statussummary',
            name='has_results',
            field=models.BooleanField(default=False, verbose_name='has posted results'),
        ),
        migrations.AddField(
            model_name='trial',
            name='has_results',
            field=models.GeneratedField(db_persist=True, expression=models.Q(('raw__has_key', 'resultsSection'), ('raw__contains', {'hasResults': True}), _connector='OR'), output_field=models.BooleanField(default=False, verbose_name='has posted results')),
        ),
        migrations.AddField(
            model_name='trialfacets',
            name='has_results',
            field=models.BooleanField(default=False, verbose_name='has posted results'),
        ),
    ]
