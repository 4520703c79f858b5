"""The PostgreSQL engine: a search's facet counts and page in one statement.

Each criterion is one SQL condition on a relation `f` that holds the facet columns
under their Trial names: the narrow trials_trialfacets table, trials_trial itself, the
text matches gathered once (`matched`), or the status summary's rows. What differs
between relations is how the text criteria are tested, so each relation has its own
small function that gives every criterion as a condition, keyed like
`Criteria.keys()`; `_where` joins them, leaving one out for a facet's counts.

With a place, the statement first finds `near` (`near()`): each trial with a site that
counts within reach of the place and the distance of its nearest one, over the sites'
GiST index. The distance criterion, the radius bands and the nearest-first order read
it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .. import geo
from ..models import Site, StatusSummary, Trial, TrialFacets
from ..vocabularies import OPEN_STATUSES
from . import tsquery
from .criteria import AGE_KEY, Criteria
from .db import reading
from .facets import COLUMNS, DISTANCE, FACETS, RADII, Facet, Kind
from .relevance import CONDITION_FIELDS, TEXT_FIELDS, points_sql

TABLE = Trial._meta.db_table
FACETS_TABLE = TrialFacets._meta.db_table
SUMMARY = StatusSummary._meta.db_table
SITES = Site._meta.db_table
# The columns of the enumerated facets: counted over rows grouped by all of them.
GROUP_COLUMNS = ", ".join(dict.fromkeys(f.column for f in FACETS if f.enumerated))
ENUMERATED = {f.key for f in FACETS if f.enumerated}
ARRAY_TYPES = {Kind.VALUES: "varchar[]", Kind.TERMS: "text[]"}
OPEN = "ARRAY[" + ", ".join(f"'{s.value}'" for s in OPEN_STATUSES) + "]::varchar[]"


@dataclass(frozen=True)
class Sql:
    sql: str
    params: tuple = ()


TRUE = Sql("TRUE")


def _where(conditions: dict[str, Sql], without: str | None = None) -> Sql:
    """The conditions joined by AND, leaving out the one keyed `without`."""
    parts = [c for key, c in conditions.items() if key != without]
    if not parts:
        return TRUE
    return Sql(" AND ".join(f"({c.sql})" for c in parts), tuple(p for c in parts for p in c.params))


# Conditions


def _texts(criteria: Criteria) -> dict[str, Sql]:
    """The text criteria as conditions on a row of trials_trial (its indexed vectors)."""
    found = {}
    if criteria.q:
        found["q"] = Sql(f"search_document @@ {tsquery.query_sql('q')}", (criteria.q,))
    if criteria.condition:
        terms = criteria.condition_terms
        found["condition"] = Sql(
            f"condition_document @@ {tsquery.query_sql('condition', len(terms))}", terms
        )
    return found


def _facet(facet: Facet, values: tuple[str, ...]) -> Sql:
    column = f"f.{facet.column}"
    if facet.kind is Kind.VALUE:
        return Sql(f"{column} = ANY(%s)", ([*values, *facet.wildcards],))
    if facet.kind is Kind.FLAG:
        return Sql(f"{column} IS {'TRUE' if values[0] == 'true' else 'FALSE'}")
    return Sql(f"{column} && %s::{ARRAY_TYPES[facet.kind]}", (list(values),))


def _age(criteria: Criteria) -> Sql:
    low, high = criteria.age_days
    return Sql(
        "(f.min_age_days IS NULL OR f.min_age_days <= %s) "
        "AND (f.max_age_days IS NULL OR f.max_age_days >= %s)",
        (high, low),
    )


def _filters(criteria: Criteria, age: Sql | None = None, key: str = "trial_id") -> dict[str, Sql]:
    """Every criterion but the texts; the age as `age` when given (a grouped row's flag).
    `key` is the column of `f` that holds the trial's id (the distance reads it)."""
    found = {
        facet.key: _facet(facet, values)
        for facet, values in criteria.filters().items()
        if facet.kind is not Kind.DISTANCE
    }
    if (radius := criteria.radius_km) is not None:
        found[DISTANCE.key] = Sql(
            f"f.{key} IN (SELECT trial_id FROM near WHERE d <= %s)", (radius,)
        )
    if criteria.age is not None:
        ages = [age or _age(criteria), *([found[AGE_KEY]] if AGE_KEY in found else [])]
        found[AGE_KEY] = _where(dict(enumerate(ages)))  # type: ignore[arg-type]
    return found


def _texts_of_trial(criteria: Criteria) -> dict[str, Sql]:
    return {key: Sql(f"f.{c.sql}", c.params) for key, c in _texts(criteria).items()}


def on_trials(criteria: Criteria) -> dict[str, Sql]:
    """Every criterion on `f`, a row of trials_trial."""
    return {**_texts_of_trial(criteria), **_filters(criteria, key="id")}


def on_facets(criteria: Criteria) -> dict[str, Sql]:
    """Every criterion on `f`, a row of trials_trialfacets (texts by the trial's id)."""
    texts = {
        key: Sql(f"f.trial_id IN (SELECT id FROM {TABLE} WHERE {c.sql})", c.params)
        for key, c in _texts(criteria).items()
    }
    return {**texts, **_filters(criteria)}


def on_found_texts(criteria: Criteria) -> dict[str, Sql]:
    """Every criterion on `f`, a row of trials_trialfacets, the texts' matches read from
    the `<key>_ids` relations of `with_texts()`."""
    texts = {key: Sql(f"f.trial_id IN (SELECT id FROM {key}_ids)") for key in criteria.texts()}
    return {**texts, **_filters(criteria)}


def near(criteria: Criteria, reach_km: float) -> Sql:
    """The relation `near` (for a WITH clause): each trial with a site that counts within
    `reach_km` of the place, and `d`, the distance of its nearest one in km. The sites'
    GiST index finds the sites in a box around the place; the great circle decides."""
    center = "ll_to_earth(%s, %s)"
    point = (criteria.near.lat, criteria.near.lon)
    trial = "" if criteria.every_site else f" JOIN {FACETS_TABLE} t ON t.trial_id = s.trial_id"
    return Sql(
        f"near AS MATERIALIZED (SELECT s.trial_id, min({geo.km_sql(center)}) AS d "
        f"FROM {SITES} s{trial} WHERE {geo.within_sql(center)} "
        f"AND {geo.counting_sql(criteria.every_site)} AND {geo.km_sql(center)} <= %s "
        "GROUP BY s.trial_id)",
        (*point, *point, reach_km, *point, reach_km),
    )


def _bands_km(criteria: Criteria) -> list[tuple[str, float]]:
    """Each radius offered, with its distance in km."""
    return [(radius, criteria.near.km(float(radius))) for radius in RADII]


def with_texts(criteria: Criteria) -> Sql:
    """A WITH clause that finds each text's matches once, for a statement of many SELECTs,
    and with a place the trials within the radius (`near`)."""
    ctes = [
        Sql(f"{key}_ids AS MATERIALIZED (SELECT id FROM {TABLE} WHERE {c.sql})", c.params)
        for key, c in _texts(criteria).items()
    ]
    if criteria.near:
        ctes.append(near(criteria, criteria.radius_km))
    return _with(ctes)


def _with(ctes: list[Sql]) -> Sql:
    """A WITH clause of these relations (nothing when there are none)."""
    if not ctes:
        return Sql("")
    return Sql(
        "WITH " + ", ".join(c.sql for c in ctes) + " ", tuple(p for c in ctes for p in c.params)
    )


# Order


def _rank(criteria: Criteria) -> Sql:
    """How much a trial `f` of trials_trial is about the text criteria (relevance.py)."""
    parts, params = [], []
    texts = tsquery.parsed(criteria)
    for key, fields in (("condition", CONDITION_FIELDS), ("q", TEXT_FIELDS)):
        if not (ranking := tsquery.ranking(texts.get(key))):
            continue
        for weights, points in fields.values():
            held = f"(ts_filter(f.rank_document, '{{{','.join(weights)}}}') @@ %s::tsquery)::int"
            parts.append(f"{points_sql(points, 'f.conditions')} * {held}")
            params.append(ranking)
    # Never a bare 0: in an ORDER BY, PostgreSQL reads it as a column number.
    return Sql(" + ".join(parts) or "0::int", tuple(params))


def _order(criteria: Criteria, rank: str = "", alias: str = "f", distance: str = "") -> str:
    """The ORDER BY of the chosen sort; `rank` is the relevance when ranked (then trials
    open to enrollment come first at equal relevance); `distance` the nearest site's
    distance, when sorted by it."""
    if criteria.sort == "nearest" and distance:
        return f"{distance}, {alias}.last_update DESC NULLS LAST, {alias}.nct_id"
    if criteria.sort == "newest":
        return f"{alias}.first_posted DESC NULLS LAST, {alias}.nct_id"
    updated = f"{alias}.last_update DESC NULLS LAST, {alias}.nct_id"
    if not rank:
        return updated
    return f"{rank} DESC, {alias}.overall_status = ANY({OPEN}) DESC, {updated}"


# Searching


def page(criteria: Criteria, offset: int, limit: int) -> list[int]:
    """The ids of one page of matching trials, in the chosen order.

    With text criteria the matches are read from trials_trial itself: its vectors'
    indexes find them and its rows carry every column the other criteria test, so
    ranking them needs no join."""
    if criteria.texts():
        table, key, where = TABLE, "id", _where(on_trials(criteria))
    else:
        table, key, where = FACETS_TABLE, "trial_id", _where(on_facets(criteria))
    rank = _rank(criteria) if criteria.ranked else Sql("")
    ctes = _with([near(criteria, criteria.radius_km)] if criteria.near else [])
    nearest = criteria.near is not None and criteria.sort == "nearest"
    join = f" JOIN near n ON n.trial_id = f.{key}" if nearest else ""
    order = _order(criteria, rank.sql, distance="n.d" if nearest else "")
    sql = (
        f"{ctes.sql}SELECT f.{key} FROM {table} f{join} WHERE {where.sql} "
        f"ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with reading().cursor() as cursor:
        cursor.execute(sql, [*ctes.params, *where.params, *rank.params, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def among(criteria: Criteria, ids: list[int]) -> list[int]:
    """The trials of `ids` that match, in id order."""
    where = _where(on_trials(criteria))
    ctes = _with([near(criteria, criteria.radius_km)] if criteria.near else [])
    with reading().cursor() as cursor:
        cursor.execute(
            f"{ctes.sql}SELECT f.id FROM {TABLE} f WHERE f.id = ANY(%s) AND {where.sql} "
            "ORDER BY f.id",
            [*ctes.params, ids, *where.params],
        )
        return [row[0] for row in cursor.fetchall()]


def counts_and_page(
    criteria: Criteria, offset: int, limit: int
) -> tuple[dict[str, dict[str, int]], list[int]]:
    """Every facet's counts and the ids of one page, in one statement.

    The rows to count are the text matches, found once in trials_trial (`matched`,
    with their relevance), or else the narrow trials_trialfacets table. The enumerated
    facets are counted over those rows grouped by every enumerated column (a few hundred
    groups, however many trials), each option with a FILTER over the groups; the
    open-ended ones (countries, MeSH terms) after unnest. Where the criteria a count
    depends on are statuses alone, it is read from the StatusSummary rows instead.
    """
    texts = criteria.texts()
    ctes, params = [], []
    if criteria.near:
        # Far enough for every band's count.
        reach = near(criteria, max(km for _, km in _bands_km(criteria)))
        ctes.append(reach.sql)
        params.extend(reach.params)
    source = FACETS_TABLE
    rank = ""
    if texts:
        where = _where(_texts_of_trial(criteria))
        columns = "f.id, " + ", ".join(f"f.{c}" for c in COLUMNS)
        if criteria.ranked:
            ranked = _rank(criteria)
            columns += f", {ranked.sql} AS rank"
            params.extend(ranked.params)
            rank = "rank"
        ctes.append(f"matched AS MATERIALIZED (SELECT {columns} FROM {TABLE} f WHERE {where.sql})")
        params.extend(where.params)
        source = "matched"
    # On `matched` the texts hold already; on trials_trialfacets there are none.
    key = "id" if texts else "trial_id"
    on_source = _filters(criteria, key=key)

    parts, labels, aggregates = [], [], []
    # A group of rows holds the enumerated columns, and the age criterion as age_ok.
    grouped_filters = {
        key: c
        for key, c in _filters(criteria, age=Sql("f.age_ok")).items()
        if key in ENUMERATED or key == AGE_KEY
    }
    for facet in FACETS:
        if not facet.enumerated:
            continue
        where = _where(grouped_filters, without=facet.key)
        for code in facet.codes:
            option = _option(facet, code)
            aggregates.append(
                f"sum(f.n) FILTER (WHERE ({where.sql}) AND {option.sql}) AS c{len(labels)}"
            )
            params.extend([*where.params, *option.params])
            labels.append((facet.key, code))
    if criteria.only_statuses:
        grouped = Sql(
            f"SELECT {GROUP_COLUMNS}, TRUE AS age_ok, n FROM {SUMMARY} WHERE kind = 'combo'"
        )
    else:
        # The open-ended facets' filters narrow the rows to group: no enumerated facet's
        # counts leave them out.
        narrowing = _where(
            {f.key: c for f in FACETS if not f.enumerated and (c := on_source.get(f.key))}
        )
        age = _age(criteria) if criteria.age is not None else TRUE
        grouped = Sql(
            f"SELECT {GROUP_COLUMNS}, {age.sql} AS age_ok, count(*) AS n FROM {source} f "
            f"WHERE {narrowing.sql} GROUP BY {GROUP_COLUMNS}, age_ok",
            (*age.params, *narrowing.params),
        )
    parts.append(f"SELECT {', '.join(aggregates)} FROM ({grouped.sql}) f")
    params.extend(grouped.params)

    terms = [f for f in FACETS if f.kind is Kind.TERMS]
    for facet in terms:
        part = _terms(criteria, facet, source, texts)
        parts.append(part.sql)
        params.extend(part.params)
    if criteria.near:
        part = _bands(criteria, source, key, on_source)
        parts.append(part.sql)
        params.extend(part.params)

    where = _where(on_source)
    column = "id" if texts else "trial_id AS id"
    nearest = criteria.near and criteria.sort == "nearest"
    join = f" JOIN near n ON n.trial_id = f.{key}" if nearest else ""
    parts.append(
        "SELECT jsonb_agg(x.id ORDER BY "
        f"{_order(criteria, f'x.{rank}' if rank else '', 'x', 'x.d' if nearest else '')}) "
        f"AS ids FROM (SELECT f.{column}, f.nct_id, f.last_update, f.first_posted, f.overall_status"
        f"{', f.rank' if rank else ''}{', n.d' if nearest else ''} FROM {source} f{join} "
        f"WHERE {where.sql} ORDER BY "
        f"{_order(criteria, f'f.{rank}' if rank else '', 'f', 'n.d' if nearest else '')} "
        "LIMIT %s OFFSET %s) x"
    )
    params.extend([*where.params, limit, offset])

    sql = ("WITH " + ", ".join(ctes) + " " if ctes else "") + " UNION ALL ".join(
        f"(SELECT {number}, to_jsonb(r) FROM ({part}) r)" for number, part in enumerate(parts)
    )
    with reading().cursor() as cursor:
        cursor.execute(sql, params)
        rows = dict(cursor.fetchall())
    found = [json.loads(r) if isinstance(r, str) else r for _, r in sorted(rows.items())]
    counts: dict[str, dict[str, int]] = {facet.key: {} for facet in FACETS}
    for number, (key, code) in enumerate(labels):
        if value := found[0][f"c{number}"]:
            counts[key][code] = int(value)
    for facet, result in zip(terms, found[1 : 1 + len(terms)], strict=True):
        counts[facet.key] = {k: int(v) for k, v in (result["o"] or {}).items()}
    if criteria.near:
        bands = found[1 + len(terms)]["o"] or {}
        counts[DISTANCE.key] = {k: int(v) for k, v in bands.items() if v}
    return counts, found[-1]["ids"] or []


def _option(facet: Facet, code: str) -> Sql:
    """The condition that a (grouped) row `f` counts for one option of an enumerated facet."""
    column = f"f.{facet.column}"
    if facet.kind is Kind.FLAG:
        return Sql(f"{column} IS {'TRUE' if code == 'true' else 'FALSE'}")
    if facet.kind is Kind.VALUES:
        return Sql(f"{column} @> ARRAY[%s]::varchar[]", (code,))
    if facet.wildcards:
        return Sql(f"{column} = ANY(%s)", ([code, *facet.wildcards],))
    return Sql(f"{column} = %s", (code,))


def _terms(criteria: Criteria, facet: Facet, source: str, texts: dict) -> Sql:
    """The counts of an open-ended facet's `size` commonest values, as a JSON object."""
    top = f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {facet.size}"
    if set(criteria.keys()) - {facet.key} <= {"status"}:
        where = _where(on_facets(criteria), without=facet.key)
        return Sql(
            f"SELECT jsonb_object_agg(v, n) AS o FROM (SELECT f.value AS v, sum(f.n) AS n "
            f"FROM {SUMMARY} f WHERE f.kind = %s AND {where.sql} {top}) x",
            (facet.key, *where.params),
        )
    if facet.key in texts:
        # Its own criterion is a text that `matched` holds: count what the other criteria
        # match, in trials_trial when another text remains, else in trials_trialfacets.
        others = set(texts) - {facet.key}
        table = TABLE if others else FACETS_TABLE
        where = _where((on_trials if others else on_facets)(criteria), without=facet.key)
    else:
        table = source
        key = "id" if source == "matched" else "trial_id"
        where = _where(_filters(criteria, key=key), without=facet.key)
    return Sql(
        f"SELECT jsonb_object_agg(v, n) AS o FROM (SELECT v, count(*) AS n FROM "
        f"(SELECT unnest(f.{facet.column}) AS v FROM {table} f WHERE {where.sql}) x {top}) x",
        where.params,
    )


def _bands(criteria: Criteria, source: str, key: str, conditions: dict[str, Sql]) -> Sql:
    """The distance facet's counts as a JSON object: for each radius, the trials matching
    every other criterion with a site that counts within it."""
    where = _where(conditions, without=DISTANCE.key)
    bands = _bands_km(criteria)
    counted = ", ".join("%s::text, count(*) FILTER (WHERE n.d <= %s)" for _ in bands)
    return Sql(
        f"SELECT jsonb_build_object({counted}) AS o FROM {source} f "
        f"JOIN near n ON n.trial_id = f.{key} WHERE {where.sql}",
        (*(p for band in bands for p in band), *where.params),
    )


def relaxations(criteria: Criteria) -> dict[str, int]:
    """For each active criterion, how many trials match when it alone is left out."""
    keys = criteria.keys()
    if not keys:
        return {}
    with_sql = with_texts(criteria)
    conditions = on_found_texts(criteria)
    selects, params = [], list(with_sql.params)
    for key in keys:
        where = _where(conditions, without=key)
        selects.append(f"(SELECT count(*) FROM {FACETS_TABLE} f WHERE {where.sql})")
        params.extend(where.params)
    with reading().cursor() as cursor:
        cursor.execute(with_sql.sql + "SELECT " + ", ".join(selects), params)
        return dict(zip(keys, cursor.fetchone(), strict=True))
