"""What the models cannot say: the trigger that writes the text vectors, and how
PostgreSQL stores and analyzes trials_trial."""

from django.db import migrations

# Parses each text once and assembles the three vectors from the pieces: generated
# columns would parse the title and conditions once per vector. rank_document weighs
# where a word stands, for relevance: the title (A), the first condition (B), the other
# conditions (C), keywords and the trial's own MeSH terms (D); MeSH ancestors only match.
TEXT_VECTORS_FUNCTION = """
CREATE FUNCTION trials_trial_text_vectors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    title tsvector := to_tsvector('english', coalesce(NEW.brief_title, ''));
    official tsvector := to_tsvector('english', coalesce(NEW.official_title, ''));
    first_condition tsvector := to_tsvector('english', unaccent(coalesce(NEW.conditions[1], '')));
    other_conditions tsvector := to_tsvector(
        'english', unaccent(array_to_string(NEW.conditions[2:], ' ; '))
    );
    terms tsvector := to_tsvector(
        'english', unaccent(array_to_string(NEW.keywords || NEW.mesh_terms, ' ; '))
    );
    ancestors tsvector := to_tsvector(
        'english', unaccent(array_to_string(NEW.mesh_ancestors, ' ; '))
    );
    conditions tsvector := first_condition || other_conditions || terms || ancestors;
BEGIN
    NEW.search_document := setweight(title, 'A')
        || setweight(official || to_tsvector('english', coalesce(NEW.acronym, '')), 'B')
        || setweight(conditions, 'A')
        || setweight(to_tsvector('english', coalesce(NEW.search_interventions, '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.brief_summary, '')), 'C');
    NEW.condition_document := setweight(conditions, 'A') || setweight(title || official, 'B');
    NEW.rank_document := setweight(title, 'A') || setweight(first_condition, 'B')
        || setweight(other_conditions, 'C') || setweight(terms, 'D');
    RETURN NEW;
END
$$
"""
TEXT_VECTORS_TRIGGER = """
CREATE TRIGGER trials_trial_text_vectors
BEFORE INSERT OR UPDATE OF brief_title, official_title, acronym, conditions, keywords,
                           mesh_terms, mesh_ancestors, search_interventions, brief_summary
ON trials_trial FOR EACH ROW EXECUTE FUNCTION trials_trial_text_vectors()
"""
# Read for every match a search ranks or counts: kept in the row (compressed), never
# moved out to TOAST, where each would cost several more buffer visits.
INLINE = ["search_document", "condition_document", "rank_document"]
INLINE += ["phases", "std_ages", "countries", "mesh_terms"]
# Read one trial at a time (its page, the admin): stored out of line uncompressed, as
# compressing them is a large share of an import's time for little space.
UNCOMPRESSED = ["raw", "brief_summary", "detailed_description", "eligibility_criteria"]
UNCOMPRESSED += ['"references"']
# Never filtered, joined or grouped on: ANALYZE (run by autovacuum during large imports)
# skips them.
UNQUERIED = [
    "raw",
    "brief_title",
    "official_title",
    "brief_summary",
    "detailed_description",
    "eligibility_criteria",
    '"references"',
    "rank_document",
    "search_conditions",
    "search_interventions",
    "overall_officials",
    "responsible_party",
    "collaborators",
    "secondary_ids",
    "see_also_links",
    "intervention_model_description",
    "source_hash",
    "keywords",
    "cities",
    "mesh_ancestors",
    "intervention_names",
]


def _alter(template: str, columns: list[str]) -> str:
    return "ALTER TABLE trials_trial " + ", ".join(template.format(c) for c in columns)


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[TEXT_VECTORS_FUNCTION, TEXT_VECTORS_TRIGGER],
            reverse_sql=[
                "DROP TRIGGER trials_trial_text_vectors ON trials_trial",
                "DROP FUNCTION trials_trial_text_vectors()",
            ],
        ),
        migrations.RunSQL(
            sql=[
                _alter("ALTER COLUMN {} SET STORAGE MAIN", INLINE),
                _alter("ALTER COLUMN {} SET STORAGE EXTERNAL", UNCOMPRESSED),
                # The search bitmaps: compressing them is a large share of their rebuild.
                "ALTER TABLE trials_searchindex ALTER COLUMN data SET STORAGE EXTERNAL",
                # Rows up to 4 KB stay whole: most trials fit, and two rows still share a page.
                "ALTER TABLE trials_trial SET (toast_tuple_target = 4080)",
                _alter("ALTER COLUMN {} SET STATISTICS 0", UNQUERIED),
            ],
            reverse_sql=[
                _alter("ALTER COLUMN {} SET STORAGE EXTENDED", INLINE + UNCOMPRESSED),
                "ALTER TABLE trials_searchindex ALTER COLUMN data SET STORAGE EXTENDED",
                "ALTER TABLE trials_trial RESET (toast_tuple_target)",
                _alter("ALTER COLUMN {} SET STATISTICS -1", UNQUERIED),
            ],
        ),
    ]
