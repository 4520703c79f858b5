"""A trial's related trials: the same conditions, open ones first."""

from __future__ import annotations

from django.db.models import Case, F, FloatField, IntegerField, Value, When
from django.db.models.expressions import RawSQL

from ..ctgov import normalize_term
from ..models import ConditionTerm, Trial
from ..vocabularies import OPEN_STATUSES

RELATED_LIMIT = 6
RELATED_CANDIDATES = 40
# Candidates come from a trial's rarest terms, together matching at most this many trials
# (the rarest one always counts, however common).
RELATED_TERM_BUDGET = 5000


def related_trials(trial: Trial) -> list[Trial]:
    """Trials of the same conditions or MeSH terms: open ones first, then the closest.

    Candidates share the trial's most specific terms (those fewest trials list): an exact
    index lookup whose size does not grow with the common terms ("Neoplasms" matches a
    fifth of all trials). The condition index, which also matches keywords and titles
    (short records name their condition only in the title), is searched only when those
    are too few. Trials sharing more terms rank first.
    """
    terms = list(dict.fromkeys(normalize_term(t) for t in trial.conditions + trial.mesh_terms))
    terms = [t for t in terms if t][:20]
    if not terms:
        return []
    query = "(" + " || ".join(["phraseto_tsquery('english', %s)"] * len(terms)) + ")"
    rank = RawSQL(f"ts_rank(condition_document, {query})", terms, output_field=FloatField())
    shared = RawSQL(
        "cardinality(ARRAY(SELECT unnest(condition_terms) INTERSECT SELECT unnest(%s::text[])))",
        [terms],
        output_field=IntegerField(),
    )
    open_first = Case(When(overall_status__in=OPEN_STATUSES, then=Value(0)), default=Value(1))
    # A bounded set of candidates from the rarest terms (the rarest one always, then more
    # while together they match at most RELATED_TERM_BUDGET trials), read in the table's
    # order up to a limit: a common condition costs no more, and the page shows the same
    # trials each time (settings turn off synchronized scans, which would start a scan
    # wherever the last one stopped).
    candidates = RawSQL(
        "WITH counted AS (SELECT t.term, coalesce(c.trial_count, 0) AS n "
        "FROM unnest(%s::text[]) AS t(term) "
        f"LEFT JOIN {ConditionTerm._meta.db_table} c ON c.normalized = t.term), "
        "rarest AS MATERIALIZED (SELECT array_agg(term) AS terms FROM "
        "(SELECT term, row_number() OVER w AS k, sum(n) OVER w AS running FROM counted "
        "WINDOW w AS (ORDER BY n, term)) x WHERE k = 1 OR running <= %s), "
        f"exact AS MATERIALIZED (SELECT id FROM {Trial._meta.db_table} "
        f"WHERE condition_terms && (SELECT terms FROM rarest) LIMIT {RELATED_CANDIDATES}) "
        "SELECT id FROM exact UNION "
        f"(SELECT id FROM {Trial._meta.db_table} WHERE condition_document @@ {query} "
        f"AND (SELECT count(DISTINCT id) FROM exact) <= {RELATED_LIMIT} "
        f"LIMIT {RELATED_CANDIDATES})",
        [terms, RELATED_TERM_BUDGET, *terms],
    )
    return list(
        Trial.objects.filter(pk__in=candidates)
        .exclude(pk=trial.pk)
        .annotate(open_first=open_first, shared=shared, rank=rank)
        .order_by(
            "open_first", "-shared", "-rank", F("last_update").desc(nulls_last=True), "nct_id"
        )
        .cards()[:RELATED_LIMIT]
    )
