"""Compress less of what PostgreSQL compresses slowly (pglz) and gains little from.

- trials_trial.raw, each trial's original JSON: compressing it took about a fifth of
  the database's time in an import, and only the admin reads it, one trial at a time.
  It costs about 5 KB more per trial on disk.
- trials_searchindex.data, the search bitmaps: compressing them took a third of their
  rebuild after each import (50 MB at 100,000 trials, 300 MB at 600,000).
- trials_trial rows up to 4 KB stay whole (the default is 2 KB): most trials' rows
  were compressed column by column to fit in 2 KB. Two rows still fit in a page, and
  the database came out smaller, not larger (20,000 trials: 452 MB against 467 MB).
Values already stored stay as they are until they are written again.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0011_search_index"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "ALTER TABLE trials_trial ALTER COLUMN raw SET STORAGE EXTERNAL",
                "ALTER TABLE trials_searchindex ALTER COLUMN data SET STORAGE EXTERNAL",
                "ALTER TABLE trials_trial SET (toast_tuple_target = 4080)",
            ],
            reverse_sql=[
                "ALTER TABLE trials_trial ALTER COLUMN raw SET STORAGE EXTENDED",
                "ALTER TABLE trials_searchindex ALTER COLUMN data SET STORAGE EXTENDED",
                "ALTER TABLE trials_trial RESET (toast_tuple_target)",
            ],
        ),
    ]
