"""The coordinators' trial list finds the start of an NCT ID as a range of the trials'
unique NCT ID index (trials.admin._nct_id_range), which lists them in order and stops at
the page: the facets' LIKE-prefix index is no longer read, and every import wrote it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0014_store_long_texts_whole"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="trialfacets",
            name="facets_nct_id_prefix_idx",
        ),
    ]
