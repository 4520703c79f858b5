"""Spend less of an import in PostgreSQL's compression (pglz), and one index less per site.

- A trial's summary, description, eligibility criteria and references are stored out of
  line uncompressed when its row is too long. A third of the rows had them compressed,
  which took 9% of the database's time in an import. It costs about 7% more disk.
  Only a trial's own page reads them, a few kilobytes at a time.
- trials_site loses its index on trial_id: site_unique_key_per_trial starts with
  trial_id and serves the same lookups; each site written updated both.
Values already stored stay as they are until they are written again.
"""

import django.db.models.deletion
from django.db import migrations, models

LONG_TEXTS = ["brief_summary", "detailed_description", "eligibility_criteria", '"references"']


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0013_text_vectors_by_trigger"),
    ]

    operations = [
        migrations.RunSQL(
            sql="ALTER TABLE trials_trial "
            + ", ".join(f"ALTER COLUMN {c} SET STORAGE EXTERNAL" for c in LONG_TEXTS),
            reverse_sql="ALTER TABLE trials_trial "
            + ", ".join(f"ALTER COLUMN {c} SET STORAGE EXTENDED" for c in LONG_TEXTS),
        ),
        migrations.AlterField(
            model_name="site",
            name="trial",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sites",
                to="trials.trial",
            ),
        ),
    ]
