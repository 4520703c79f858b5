"""Keep the arrays that search counts in trials_trial inline, not in TOAST.

A search with words counts its matches straight from trials_trial (trials.search).
Left to the default storage, wide rows pushed these small arrays into the TOAST
table, and counting 25,000 matches then made half a million buffer visits.
Existing rows are rewritten so that their arrays move back inline.
"""

from django.db import migrations

COLUMNS = {
    "phases": "varchar[]",
    "std_ages": "varchar[]",
    "countries": "text[]",
    "mesh_terms": "text[]",
}


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0006_text_vectors_inline"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "ALTER TABLE trials_trial "
                + ", ".join(f"ALTER COLUMN {c} SET STORAGE MAIN" for c in COLUMNS),
                # A new value (not the stored one) is what the new storage applies to.
                "UPDATE trials_trial SET "
                + ", ".join(f"{c} = {c} || '{{}}'::{kind}" for c, kind in COLUMNS.items()),
            ],
            reverse_sql=[
                "ALTER TABLE trials_trial "
                + ", ".join(f"ALTER COLUMN {c} SET STORAGE EXTENDED" for c in COLUMNS),
            ],
        ),
    ]
