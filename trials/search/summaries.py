"""What search reads precomputed, rebuilt at the end of every import: the condition
vocabulary (autocomplete, spelling), the status summary, the towns of the sites (the
"Near" box) and the search bitmaps."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction

from .. import geo
from ..models import ConditionTerm, StatusSummary, Trial, TrialFacets
from ..vocabularies import OPEN_STATUSES
from . import bitmaps
from .facets import COLUMNS, FACETS, STATUS, Kind


def refresh() -> None:
    """Rebuild the condition vocabulary, the status summary and the search bitmaps.

    Outside a transaction the vocabulary and the summary are rebuilt on a second
    connection while this one rebuilds the bitmaps, keeping two cores busy. Inside one
    (a test, a strict import), only this connection sees the trials just written."""
    if connection.in_atomic_block:
        refresh_condition_terms()
        refresh_status_summary()
        geo.refresh_site_towns()
        bitmaps.rebuild()
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        others = pool.submit(
            _on_own_connection,
            refresh_condition_terms,
            refresh_status_summary,
            geo.refresh_site_towns,
        )
        bitmaps.rebuild()
        others.result()


def copy_facets(trial_ids: list[int] | None = None) -> None:
    """Write the TrialFacets rows of `trial_ids` (None: every trial) from their trials."""
    columns = ", ".join(COLUMNS)
    where, params = ("WHERE id = ANY(%s)", [trial_ids]) if trial_ids is not None else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TrialFacets._meta.db_table} (trial_id, {columns}) "
            f"SELECT id, {columns} FROM {Trial._meta.db_table} {where} "
            f"ON CONFLICT (trial_id) DO UPDATE SET ({columns}) = "
            f"ROW({', '.join(f'EXCLUDED.{c}' for c in COLUMNS)})",
            params,
        )


def refresh_after_fixture(sender, instance, raw: bool = False, **kwargs) -> None:
    """post_save of a fixture's trial (raw=True): copy the facets and rebuild the
    summaries once, at commit."""
    pending = any(entry[1] is _after_fixture for entry in connection.run_on_commit)
    if raw and not pending:
        transaction.on_commit(_after_fixture)


def _after_fixture() -> None:
    copy_facets()
    refresh()


def _on_own_connection(*functions) -> None:
    """In a thread: run `functions` on the thread's own connection, then close it."""
    try:
        for function in functions:
            function()
    finally:
        connection.close()


def refresh_status_summary() -> None:
    """One "combo" row per combination of the enumerated facets' values, and for each
    open-ended facet one row per status and value, each with its number of trials."""
    table, facets = StatusSummary._meta.db_table, TrialFacets._meta.db_table
    combo = list(dict.fromkeys([STATUS.column, *(f.column for f in FACETS if f.enumerated)]))
    columns = ", ".join(combo)
    selects = [f"SELECT 'combo', '', {columns}, count(*) FROM {facets} GROUP BY {columns}"]
    params: list = []
    for facet in FACETS:
        if facet.kind is not Kind.TERMS:
            continue
        # Only the status is read with these rows; the other columns get their defaults.
        others, defaults = [], []
        for column in combo:
            if column == STATUS.column:
                others.append(column)
            else:
                field = StatusSummary._meta.get_field(column)
                others.append(f"%s::{field.db_type(connection)}")
                defaults.append(None if field.null else field.get_default())
        selects.append(
            f"SELECT %s, v, {', '.join(others)}, count(*) FROM {facets}, "
            f"unnest({facet.column}) v GROUP BY {STATUS.column}, v"
        )
        params.extend([facet.key, *defaults])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('trials.statussummary'))")
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (kind, value, {columns}, n) " + " UNION ALL ".join(selects),
            params,
        )


def refresh_condition_terms() -> None:
    """Rebuild the condition vocabulary (conditions and MeSH terms) with trial counts.

    Each trial counts once per term however many of its conditions and MeSH terms spell
    it; a term is shown in the spelling most trials use."""
    open_statuses = [str(s) for s in OPEN_STATUSES]
    trials, vocabulary = Trial._meta.db_table, ConditionTerm._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Two imports finishing at once take turns (the second rebuild is then complete).
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('trials.conditionterm'))")
        cursor.execute(f"DELETE FROM {vocabulary}")
        # Each spelling is normalized once (a JSON object from spelling to normalized form,
        # looked up for every trial's terms) rather than once per trial. Terms are
        # deduplicated within each trial, then counted by spelling: no count(DISTINCT),
        # which would sort every (trial, term) pair of the database.
        terms = "t.conditions || t.mesh_terms || t.mesh_ancestors"
        cursor.execute(
            f"""
            WITH spellings AS MATERIALIZED (
                SELECT jsonb_object_agg(
                    term, lower(regexp_replace(unaccent(term), '\\s+', ' ', 'g'))
                ) AS normalized
                FROM (SELECT DISTINCT unnest({terms}) AS term FROM {trials} t) d
            )
            INSERT INTO {vocabulary} (term, normalized, trial_count, open_trial_count)
            SELECT (array_agg(term ORDER BY n DESC, term))[1], normalized, sum(n), sum(n_open)
            FROM (
                SELECT normalized, term, count(*) AS n, count(*) FILTER (WHERE open) AS n_open
                FROM {trials} t CROSS JOIN LATERAL (
                    SELECT DISTINCT ON (normalized) normalized, term,
                           t.overall_status = ANY(%s) AS open
                    FROM (
                        SELECT term, (SELECT normalized FROM spellings) ->> term AS normalized
                        FROM unnest({terms}) AS term
                    ) spelled
                    WHERE normalized <> ''
                    ORDER BY normalized, term
                ) x
                GROUP BY normalized, term
            ) counted
            GROUP BY normalized
            """,
            [open_statuses],
        )
