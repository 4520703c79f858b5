"""The three text vectors, written by a trigger that parses each text once.

As generated columns, search_document, condition_document and rank_document each
parsed their own texts: the title three times, the conditions three times, the
official title twice. Parsing and stemming was a third of PostgreSQL's time in an
import. The trigger parses each text once and assembles the three vectors from the
pieces, with the same words and weights. (Positions can differ by a stop word where two
texts meet, as each text is parsed on its own.) Stored vectors are kept as they are.
"""

from django.db import migrations

import trials.models

FUNCTION = """
CREATE FUNCTION trials_trial_text_vectors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    title tsvector := to_tsvector('english', coalesce(NEW.brief_title, ''));
    official tsvector := to_tsvector('english', coalesce(NEW.official_title, ''));
    conditions tsvector := to_tsvector('english', coalesce(NEW.search_conditions, ''));
BEGIN
    NEW.search_document := setweight(title, 'A')
        || setweight(official || to_tsvector('english', coalesce(NEW.acronym, '')), 'B')
        || setweight(conditions, 'A')
        || setweight(to_tsvector('english', coalesce(NEW.search_interventions, '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.brief_summary, '')), 'C');
    NEW.condition_document := setweight(conditions, 'A') || setweight(title || official, 'B');
    NEW.rank_document := setweight(title, 'A') || setweight(conditions, 'B');
    RETURN NEW;
END
$$
"""

TRIGGER = """
CREATE TRIGGER trials_trial_text_vectors
BEFORE INSERT OR UPDATE OF brief_title, official_title, acronym, search_conditions,
                           search_interventions, brief_summary
ON trials_trial FOR EACH ROW EXECUTE FUNCTION trials_trial_text_vectors()
"""


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0012_store_uncompressed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "ALTER TABLE trials_trial "
                        "ALTER COLUMN search_document DROP EXPRESSION, "
                        "ALTER COLUMN condition_document DROP EXPRESSION, "
                        "ALTER COLUMN rank_document DROP EXPRESSION",
                        FUNCTION,
                        TRIGGER,
                    ],
                    # PostgreSQL 15 cannot turn a column back into a generated one.
                    reverse_sql=None,
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="trial", name=name, field=trials.models.TextVector()
                )
                for name in ("search_document", "condition_document", "rank_document")
            ],
        ),
    ]
