"""API v2 queries answered in PostgreSQL, over trials_trial (`f`) and its original JSON.

An Essie expression compiles to one SQL condition. Words search a text document:
the indexed vectors where an area is one (BasicSearch is search_document,
ConditionSearch condition_document), else the text of the fields themselves, read from
the original JSON. Where those fields' words are also in an indexed vector, the
condition first asks the vector (a necessary condition the index answers), so the
exact test runs on the few rows it lets through. Values of fields that the trial row
copies (status, phases, dates, enrollment, ages) are compared on those columns; any
other field on the JSON, with SQL/JSON path expressions.

What TrialFinder's search criteria say of a query is tested with the search engine's
own conditions (`trials.search.sql.on_trials`), so those studies are exactly the ones
the search page finds.

Pages are keyset pages: the next page starts after the last study's sort key (and
NCT ID), so a page follows the one before it whatever an import adds or removes
meanwhile. The studies' JSON is streamed through a server-side cursor.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import OperationalError, connection, transaction

from ..ctgov import normalize_term
from ..models import Trial
from ..search import sql as search_sql
from ..search.facets import FACETS, Kind
from ..search.sql import Sql
from .model import Field, SearchArea
from .query import And, InArea, Missing, Node, Not, Or, Range, StudyQuery, Text, Value

TABLE = Trial._meta.db_table
NCT_ID_WORD = r"^NCT\d{1,12}$"
ALIASES = "(f.raw #> '{protocolSection,identificationModule,nctIdAliases}')"
FALSE = Sql("FALSE")
TRUE = Sql("TRUE")
BIG_AGE = 2**31 - 1  # days: a missing maximum age is no limit
AMONG_AT_MOST = 20_000  # ids of the matching studies sent with a page's query


class QueryTooSlow(Exception):
    """The database gave up on a query after the statement timeout."""


# Text documents


@dataclass(frozen=True)
class Document:
    """Where a context's words are looked for: a tsvector SQL expression on `f`, whether
    words are normalized first (as condition_document's are), and optionally an indexed
    vector every match also matches (a prefilter), with its own normalization."""

    vector: str
    params: tuple = ()
    normalized: bool = False
    prefilter: str = ""
    prefilter_normalized: bool = False


SEARCH_DOCUMENT = "f.search_document"
CONDITION_DOCUMENT = "f.condition_document"
# Fields whose words search_document holds as written, or condition_document normalized.
IN_SEARCH_DOCUMENT = {
    "BriefTitle",
    "OfficialTitle",
    "Acronym",
    "BriefSummary",
    "InterventionName",
    "InterventionOtherName",
}
IN_CONDITION_DOCUMENT = {"Condition", "Keyword", "ConditionMeshTerm", "ConditionAncestorTerm"}


# Areas whose fields the trial's own rows hold (sites, outcomes) or small columns: read
# there rather than in the original JSON, which each row would have to read whole. Each
# value stays a string of its own in the vector (a phrase does not run from one to the
# next), as in a vector of the JSON's strings.
CHILD_DOCUMENTS = {
    "LocationSearch": (
        "(SELECT to_tsvector('english', coalesce(jsonb_agg(s.facility) || jsonb_agg(s.city) "
        "|| jsonb_agg(s.state) || jsonb_agg(s.zip_code) || jsonb_agg(s.country), '[]')) "
        "FROM trials_site s WHERE s.trial_id = f.id AND s.listed)"
    ),
    "OutcomeSearch": (
        "(SELECT to_tsvector('english', coalesce(jsonb_agg(o.measure) "
        "|| jsonb_agg(o.description), '[]')) FROM trials_outcome o WHERE o.trial_id = f.id)"
    ),
    "SponsorSearch": (
        "to_tsvector('english', jsonb_build_array(f.lead_sponsor) "
        "|| jsonb_path_query_array(f.collaborators, '$[*].name'))"
    ),
}


def _json_vector(fields: tuple[Field, ...]) -> tuple[str, tuple]:
    """A tsvector of the string values of `fields` in the original JSON."""
    arrays = " || ".join("jsonb_path_query_array(f.raw, %s::jsonpath)" for _ in fields)
    return f"to_tsvector('english', {arrays})", tuple(f.jsonpath for f in fields)


def _document(target: Field | SearchArea) -> Document:
    if isinstance(target, SearchArea):
        name = target.name
        if name == "BasicSearch":
            return Document(SEARCH_DOCUMENT)
        if name == "ConditionSearch":
            return Document(CONDITION_DOCUMENT, normalized=True)
        if name == "TitleSearch":
            # The same vectors, in the same order, as search_document's titles.
            return Document(
                "(to_tsvector('english', f.brief_title) || to_tsvector('english', "
                "f.official_title) || to_tsvector('english', f.acronym))",
                prefilter=SEARCH_DOCUMENT,
            )
        if name == "InterventionSearch":
            return Document(
                "to_tsvector('english', f.search_interventions)", prefilter=SEARCH_DOCUMENT
            )
        if name == "LeadSponsorSearch":
            return Document("to_tsvector('english', f.lead_sponsor)")
        if name in CHILD_DOCUMENTS:
            return Document(CHILD_DOCUMENTS[name])
        vector, params = _json_vector(target.fields)
        return Document(vector, params)
    vector, params = _json_vector((target,))
    if target.piece in IN_SEARCH_DOCUMENT:
        return Document(vector, params, prefilter=SEARCH_DOCUMENT)
    if target.piece in IN_CONDITION_DOCUMENT:
        return Document(vector, params, prefilter=CONDITION_DOCUMENT, prefilter_normalized=True)
    return Document(vector, params)


def _tsquery(node: Node, normalized: bool) -> Sql:
    """A tsquery expression for a tree of words (Text, And, Or, Not)."""
    if isinstance(node, Text):
        words = normalize_term(node.words) if normalized else node.words
        function = "phraseto_tsquery" if node.phrase else "plainto_tsquery"
        return Sql(f"{function}('english', %s)", (words,))
    if isinstance(node, Not):
        inner = _tsquery(node.part, normalized)
        return Sql(f"(!!{inner.sql})", inner.params)
    operator = " && " if isinstance(node, And) else " || "
    parts = [_tsquery(p, normalized) for p in node.parts]
    return Sql(
        "(" + operator.join(p.sql for p in parts) + ")", tuple(x for p in parts for x in p.params)
    )


def _is_words(node: Node) -> bool:
    """Whether a tree holds words and Boolean operators only (one tsquery can say it)."""
    if isinstance(node, Text):
        return not _is_nct_id(node)
    if isinstance(node, Not):
        return _is_words(node.part)
    if isinstance(node, (And, Or)):
        return all(_is_words(p) for p in node.parts)
    return False


def _has_not(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, (And, Or)):
        return any(_has_not(p) for p in node.parts)
    return False


def _is_nct_id(node: Text) -> bool:
    return not node.phrase and re.match(NCT_ID_WORD, node.words.upper()) is not None


def _match(node: Node, target: Field | SearchArea) -> Sql:
    """A tree of words searched in the text of `target`."""
    document = _document(target)
    exact = _tsquery(node, document.normalized)
    condition = Sql(f"{document.vector} @@ {exact.sql}", (*document.params, *exact.params))
    if not document.prefilter or _has_not(node):
        return condition
    pre = _tsquery(node, document.prefilter_normalized)
    return Sql(
        f"({document.prefilter} @@ {pre.sql} AND {condition.sql})",
        (*pre.params, *condition.params),
    )


def _id_match(word: str) -> Sql:
    """A word of IdSearch: an NCT ID (or alias), the organisation's or a secondary ID, or
    the acronym, compared whole and in any case."""
    upper = word.upper()
    ids = nct_ids(word)
    return Sql(
        f"(f.nct_id = ANY(%s) OR {ALIASES} ?| %s "
        "OR upper(f.org_study_id) = %s OR upper(f.acronym) = %s "
        "OR EXISTS (SELECT 1 FROM jsonb_array_elements(f.secondary_ids) e "
        "WHERE upper(e ->> 'id') = %s))",
        (ids, ids, upper, upper, upper),
    )


def nct_ids(text: str) -> list[str]:
    """The NCT IDs a word may mean: as written (upper case) and with its number in eight
    digits (nct1234 is NCT00001234)."""
    upper = text.strip().upper()
    found = [upper]
    digits = upper.removeprefix("NCT")
    if digits.isdigit() and 0 < int(digits) < 10**8:
        found.append(f"NCT{int(digits):08d}")
    return list(dict.fromkeys(found))


def nct_id_match(nct_id: str) -> Sql:
    """The study of an NCT ID, or the study that now has it as an alias."""
    ids = nct_ids(nct_id)
    return Sql(f"(f.nct_id = ANY(%s) OR {ALIASES} ?| %s)", (ids, ids))


# Values


@dataclass(frozen=True)
class Column:
    sql: str  # on `f`
    kind: str  # date, integer, text, array (of codes), boolean


# Fields the trial row copies exactly as the record gives them.
COLUMNS = {
    "NCTId": Column("f.nct_id", "text"),
    "OverallStatus": Column("f.overall_status", "text"),
    "StudyType": Column("f.study_type", "text"),
    "Sex": Column("f.sex", "text"),
    "Phase": Column("f.phases", "array"),
    "HealthyVolunteers": Column("f.healthy_volunteers", "boolean"),
    "StartDate": Column("f.start_date", "date"),
    "PrimaryCompletionDate": Column("f.primary_completion_date", "date"),
    "CompletionDate": Column("f.completion_date", "date"),
    "StudyFirstPostDate": Column("f.first_posted", "date"),
    "LastUpdatePostDate": Column("f.last_update", "date"),
    "StatusVerifiedDate": Column("f.status_verified", "date"),
    "EnrollmentCount": Column("f.enrollment", "integer"),
    "MinimumAge": Column("coalesce(f.min_age_days, 0)", "integer"),
    "MaximumAge": Column(f"coalesce(f.max_age_days, {BIG_AGE})", "integer"),
}


def _path_exists(field: Field, predicate: str, variables: dict) -> Sql:
    """Whether some value of `field` in the JSON meets a SQL/JSON `predicate` on @."""
    path = f"{field.jsonpath} ? ({predicate})" if predicate else field.jsonpath
    if not variables:
        return Sql("jsonb_path_exists(f.raw, %s::jsonpath)", (path,))
    return Sql("jsonb_path_exists(f.raw, %s::jsonpath, %s::jsonb)", (path, json.dumps(variables)))


def _value(field: Field, value: object) -> Sql:
    """A field equal to a value (an enum code, a boolean, an NCT ID)."""
    column = COLUMNS.get(field.piece)
    if field.piece == "NCTId":
        return Sql("f.nct_id = ANY(%s)", (nct_ids(value),))
    if column and column.kind == "array":
        return Sql(f"{column.sql} @> ARRAY[%s]::varchar[]", (value,))
    if column and column.kind == "boolean":
        return Sql(f"{column.sql} IS {'TRUE' if value else 'FALSE'}")
    if column and column.kind == "text":
        return Sql(f"{column.sql} = %s", (value,))
    if field.piece == "NCTIdAlias":
        return Sql(f"{ALIASES} ?| %s", (nct_ids(value),))
    return _path_exists(field, "@ == $v", {"v": value})


def _range(field: Field, low, high) -> Sql:
    column = COLUMNS.get(field.piece)
    conditions, params = [], []
    if column and column.kind in ("date", "integer"):
        if low is not None:
            conditions.append(f"{column.sql} >= %s")
            params.append(low)
        if high is not None:
            conditions.append(f"{column.sql} <= %s")
            params.append(high)
        if not conditions:
            return Sql(f"{column.sql} IS NOT NULL")
        return Sql(" AND ".join(conditions), tuple(params))
    variables = {}
    if low is not None:
        conditions.append("@ >= $low")
        variables["low"] = _json_bound(low, first=True)
    if high is not None:
        conditions.append("@ <= $high")
        variables["high"] = _json_bound(high, first=False)
    return _path_exists(field, " && ".join(conditions), variables)


def _json_bound(value, first: bool):
    """A bound as the JSON compares it. Dates are text there, and a partial date sorts
    before its days: a low bound on the first of a month or year is written as that
    month or year, so that "2022-03" counts as 2022-03-01, the day it stands for."""
    if not isinstance(value, dt.date):
        return value
    text = value.isoformat()
    if first and value.day == 1:
        text = text[:7]
        if value.month == 1:
            text = text[:4]
    return text


def _missing(field: Field) -> Sql:
    column = COLUMNS.get(field.piece)
    if column and column.kind == "date":
        return Sql(f"{column.sql} IS NULL")
    return Sql(f"NOT {_path_exists(field, '', {}).sql}", _path_exists(field, "", {}).params)


# Expressions


def compile_node(node: Node, target: Field | SearchArea) -> Sql:
    """The SQL condition that a study `f` matches `node`, its words searching `target`."""
    if isinstance(node, InArea):
        return compile_node(node.expr, node.target)
    if _is_words(node) and (isinstance(target, SearchArea) or target.type in ("text", "markup")):
        if isinstance(target, SearchArea) and target.name == "IdSearch":
            return _join(" AND ", [_id_match(w.words) for w in _texts(node)], node)
        return _match(node, target)
    if isinstance(node, Text):
        if _is_nct_id(node):
            return nct_id_match(node.words)
        return _match(node, target)
    if isinstance(node, Not):
        inner = compile_node(node.part, target)
        return Sql(f"NOT coalesce({inner.sql}, FALSE)", inner.params)
    if isinstance(node, (And, Or)):
        parts = [compile_node(p, target) for p in node.parts]
        operator = " AND " if isinstance(node, And) else " OR "
        return Sql(
            "(" + operator.join(f"({p.sql})" for p in parts) + ")",
            tuple(x for p in parts for x in p.params),
        )
    assert isinstance(target, Field), "the parser puts values under a field"
    if isinstance(node, Missing):
        return _missing(target)
    if isinstance(node, Range):
        return _range(target, node.low, node.high)
    if isinstance(node, Value):
        if isinstance(node.value, tuple):  # a date: the span of days it stands for
            return _range(target, *node.value)
        if target.type in ("integer", "number", "age"):
            return _range(target, node.value, node.value)
        return _value(target, node.value)
    raise TypeError(f"not an Essie node: {node!r}")


def _texts(node: Node) -> list[Text]:
    if isinstance(node, Text):
        return [node]
    if isinstance(node, (And, Or)):
        return [t for p in node.parts for t in _texts(p)]
    if isinstance(node, Not):
        return _texts(node.part)
    return []


def _join(operator: str, parts: list[Sql], node: Node) -> Sql:
    """IdSearch words: whole IDs, joined as the node joins them."""
    if isinstance(node, Text):
        return parts[0]
    if isinstance(node, Not):
        inner = _join(operator, parts, node.part)
        return Sql(f"NOT ({inner.sql})", inner.params)
    found, index = [], 0
    for part in node.parts:
        count = len(_texts(part))
        found.append(_join(operator, parts[index : index + count], part))
        index += count
    glue = " AND " if isinstance(node, And) else " OR "
    return Sql(
        "(" + glue.join(f"({p.sql})" for p in found) + ")",
        tuple(x for p in found for x in p.params),
    )


def where(query: StudyQuery) -> Sql:
    """Every condition of the query on a study `f` of trials_trial."""
    parts = list(search_sql.on_trials(query.criteria).values())
    parts += [compile_node(node, area) for area, node in query.expressions]
    if query.ids:
        ids = [i for given in query.ids for i in nct_ids(given)]
        parts.append(Sql(f"(f.nct_id = ANY(%s) OR {ALIASES} ?| %s)", (ids, ids)))
    for geo in query.geo:
        parts.append(_near(geo))
    if query.impossible:
        parts.append(FALSE)
    if not parts:
        return TRUE
    return Sql(" AND ".join(f"({p.sql})" for p in parts), tuple(x for p in parts for x in p.params))


def _near(geo) -> Sql:
    """Some site of the study within `km` of the point (great-circle distance)."""
    degrees = geo.km / 111.2  # kilometres in a degree of latitude: the box around the point
    return Sql(
        "EXISTS (SELECT 1 FROM trials_site s WHERE s.trial_id = f.id "
        "AND s.latitude BETWEEN %s AND %s "
        "AND 6371.0088 * 2 * asin(sqrt(power(sin(radians(s.latitude - %s) / 2), 2) "
        "+ cos(radians(%s)) * cos(radians(s.latitude)) "
        "* power(sin(radians(s.longitude - %s) / 2), 2))) <= %s)",
        (
            geo.latitude - degrees,
            geo.latitude + degrees,
            geo.latitude,
            geo.latitude,
            geo.longitude,
            geo.km,
        ),
    )


# Order and pages


@dataclass(frozen=True)
class OrderKey:
    sql: str
    params: tuple
    descending: bool
    cast: str  # how a key value of the page token is sent back


def order_keys(query: StudyQuery) -> list[OrderKey]:
    """The sort keys, then the NCT ID (unique: it breaks every tie)."""
    keys = []
    for key in query.sort:
        if key.field is None:
            rank = _rank(query)
            if rank is not None:
                keys.append(OrderKey(rank.sql, rank.params, key.descending, "float8"))
            continue
        column = COLUMNS.get(key.field.piece)
        if (
            column
            and column.kind in ("date", "integer")
            and key.field.piece
            not in (
                "MinimumAge",
                "MaximumAge",
            )
        ):
            keys.append(OrderKey(column.sql, (), key.descending, column.kind))
        elif key.field.piece in ("MinimumAge", "MaximumAge"):
            days = "f.min_age_days" if key.field.piece == "MinimumAge" else "f.max_age_days"
            keys.append(OrderKey(days, (), key.descending, "integer"))
        elif key.field.type in ("integer", "number"):
            keys.append(
                OrderKey(
                    "(f.raw #>> %s::text[])::numeric",
                    (list(key.field.path),),
                    key.descending,
                    "numeric",
                )
            )
        else:  # a date: as text, a partial date before the days it stands for
            keys.append(
                OrderKey("(f.raw #>> %s::text[])", (list(key.field.path),), key.descending, "text")
            )
    keys.append(OrderKey("f.nct_id", (), False, "text"))
    return keys


def _rank(query: StudyQuery) -> Sql | None:
    if not query.rank_words:
        return None
    queries = " || ".join("plainto_tsquery('english', %s)" for _ in query.rank_words)
    # float8: a page token gives the value back exactly (a real would not round-trip).
    return Sql(f"ts_rank(f.search_document, {queries})::float8", tuple(query.rank_words))


def _order_by(keys: list[OrderKey]) -> Sql:
    parts = [f"{k.sql} {'DESC' if k.descending else 'ASC'} NULLS LAST" for k in keys]
    return Sql(", ".join(parts), tuple(x for k in keys for x in k.params))


def _after(keys: list[OrderKey], values: list) -> Sql:
    """The rows after the one whose keys are `values` in this order (missing values last,
    whatever the direction)."""
    key, value = keys[0], values[0]
    expression = Sql(key.sql, key.params)
    if value is None:
        later, same = FALSE, Sql(f"{key.sql} IS NULL", key.params)
    else:
        operator = "<" if key.descending else ">"
        later = Sql(
            f"({key.sql} {operator} %s::{key.cast} OR {key.sql} IS NULL)",
            (*key.params, value, *key.params),
        )
        same = Sql(f"{expression.sql} = %s::{key.cast}", (*key.params, value))
    if len(keys) == 1:
        return later
    rest = _after(keys[1:], values[1:])
    return Sql(
        f"({later.sql} OR ({same.sql} AND {rest.sql}))", (*later.params, *same.params, *rest.params)
    )


def page(
    query: StudyQuery, after: list | None, size: int, among: np.ndarray | None = None
) -> tuple[list[int], list | None]:
    """The ids of up to `size` studies after the position `after` (the keys of the
    previous page's last study; None: the first page), and the keys of the last one
    when more follow (else None). `among`, when given, are the ids of every study the
    query matches."""
    keys = order_keys(query)
    if among is not None and len(among) <= AMONG_AT_MOST:
        # The planner knows how many these are, so it picks well between looking each up
        # and walking the sort key's index (it cannot tell how many studies words match).
        condition = Sql("f.id = ANY(%s)", (among.tolist(),))
    else:
        condition = where(query)
    if after is not None:
        position = _after(keys, after)
        condition = Sql(
            f"({condition.sql}) AND {position.sql}", (*condition.params, *position.params)
        )
    selected = ", ".join(f"{k.sql} AS k{i}" for i, k in enumerate(keys))
    key_params = [x for k in keys for x in k.params]
    order = _order_by(keys)
    sql = (
        f"SELECT f.id, {selected} FROM {TABLE} f WHERE {condition.sql} "
        f"ORDER BY {order.sql} LIMIT %s"
    )
    params = (*key_params, *condition.params, *order.params, size + 1)
    rows = _fetch(sql, params)
    more = len(rows) > size
    rows = rows[:size]
    last = [_plain(v) for v in rows[-1][1:]] if more and rows else None
    return [row[0] for row in rows], last


def _plain(value):
    """A key value as the page token keeps it (JSON)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "is_finite"):  # Decimal
        return str(value)
    return value


def count(query: StudyQuery) -> int:
    condition = where(query)
    return _fetch(f"SELECT count(*) FROM {TABLE} f WHERE {condition.sql}", condition.params)[0][0]


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                # set_config(..., true) is SET LOCAL with a parameter PostgreSQL can bind.
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [_timeout()])
                cursor.execute(sql, params)
                return cursor.fetchall()
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", "") == "57014":  # the statement timeout
                raise QueryTooSlow() from exc
            raise


def _timeout() -> str:
    return f"{int(settings.API_V2_STATEMENT_TIMEOUT_MS)}ms"


def records(ids: list[int], chunk: int = 100) -> Iterator[str]:
    """The original JSON of the studies `ids`, as text, in that order, read through a
    server-side cursor `chunk` rows at a time (memory stays flat however big the page)."""
    if not ids:
        return
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(
            f"SELECT t.raw::text FROM unnest(%s::bigint[]) WITH ORDINALITY u(id, n) "
            f"JOIN {TABLE} t ON t.id = u.id ORDER BY u.n",
            [ids],
        )
        while rows := cursor.fetchmany(chunk):
            for (text,) in rows:
                yield text


def record(nct_id: str) -> tuple[str, str] | None:
    """(NCT ID, original JSON text) of the study with that NCT ID or alias, or None."""
    match = nct_id_match(nct_id)
    rows = _fetch(
        f"SELECT f.nct_id, f.raw::text FROM {TABLE} f WHERE {match.sql} "
        "ORDER BY f.nct_id = ANY(%s) DESC LIMIT 1",
        (*match.params, nct_ids(nct_id)),
    )
    return rows[0] if rows else None


# Facet counts of queries TrialFinder's criteria do not say whole


def facet_counts(query: StudyQuery) -> dict[str, dict[str, int]]:
    """The disjunctive counts of every facet for a query with conditions of its own
    (Essie expressions, IDs, distance): counted as the search engine counts them, each
    facet with every other criterion applied but its own, over the studies the rest of
    the query matches."""
    residue = where(
        StudyQuery(
            expressions=query.expressions, ids=query.ids, geo=query.geo, impossible=query.impossible
        )
    )
    criteria = search_sql.on_trials(query.criteria)
    flags = [Sql(f"({c.sql}) AS k_{i}", c.params) for i, c in enumerate(criteria.values())]
    keys = list(criteria)
    counted = [f for f in FACETS if f.column]  # the distance facet needs a place: no column
    columns = dict.fromkeys(f.column for f in counted)
    base = Sql(
        f"SELECT {', '.join(f'f.{c}' for c in columns)}"
        f"{''.join(', ' + flag.sql for flag in flags)} FROM {TABLE} f WHERE {residue.sql}",
        (*[x for flag in flags for x in flag.params], *residue.params),
    )

    def others(key: str) -> str:
        held = [f"b.k_{i}" for i, k in enumerate(keys) if k != key]
        return " AND ".join(held) or "TRUE"

    aggregates, labels = [], []
    for facet in counted:
        if not facet.enumerated:
            continue
        for code in facet.codes:
            aggregates.append(
                f"count(*) FILTER (WHERE {others(facet.key)} AND {_option(facet, code)})"
            )
            labels.append((facet.key, code))
    parts = [f"SELECT jsonb_build_array({', '.join(aggregates)}) FROM base b"]
    terms = [f for f in counted if not f.enumerated]
    for facet in terms:
        parts.append(
            f"SELECT coalesce(jsonb_object_agg(v, n), '{{}}') FROM (SELECT v, count(*) AS n "
            f"FROM base b, unnest(b.{facet.column}) v WHERE {others(facet.key)} "
            f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {facet.size}) x"
        )
    sql = f"WITH base AS MATERIALIZED ({base.sql}) " + " UNION ALL ".join(
        f"(SELECT {n}, ({part}))" for n, part in enumerate(parts)
    )
    rows = dict(_fetch(sql, base.params))
    found = [json.loads(r) if isinstance(r, str) else r for _, r in sorted(rows.items())]
    counts: dict[str, dict[str, int]] = {facet.key: {} for facet in FACETS}
    for (key, code), n in zip(labels, found[0], strict=True):
        if n:
            counts[key][code] = int(n)
    for facet, result in zip(terms, found[1:], strict=True):
        counts[facet.key] = {k: int(v) for k, v in result.items()}
    return counts


def _option(facet, code: str) -> str:
    """Whether a row `b` counts for one option of an enumerated facet (as the engines
    count it). Codes come from the facet declarations, never from a request."""
    column = f"b.{facet.column}"
    literal = "'" + code.replace("'", "''") + "'"
    if facet.kind is Kind.FLAG:
        return f"{column} IS {'TRUE' if code == 'true' else 'FALSE'}"
    if facet.kind is Kind.VALUES:
        return f"{column} @> ARRAY[{literal}]::varchar[]"
    codes = ", ".join("'" + c.replace("'", "''") + "'" for c in (code, *facet.wildcards))
    return f"{column} IN ({codes})"


# The store as a whole


def size_stats() -> dict:
    """Sizes of the studies' stored JSON: average, percentiles, the largest, a histogram."""
    sql = (
        f"WITH s AS (SELECT nct_id, pg_column_size(raw) AS size FROM {TABLE}) "
        "SELECT (SELECT count(*) FROM s), (SELECT coalesce(avg(size), 0)::int FROM s), "
        "(SELECT percentile_disc(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]) "
        " WITHIN GROUP (ORDER BY size) FROM s), "
        "(SELECT jsonb_agg(jsonb_build_array(nct_id, size) ORDER BY size DESC, nct_id) "
        " FROM (SELECT * FROM s ORDER BY size DESC, nct_id LIMIT 10) x), "
        "(SELECT jsonb_agg(jsonb_build_array(b, n) ORDER BY b) FROM "
        " (SELECT least(size / 10240, 10) AS b, count(*) AS n FROM s GROUP BY 1) h)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        total, average, percentiles, largest, buckets = cursor.fetchone()
    return {
        "total": total,
        "average": average,
        "percentiles": dict(
            zip(["10", "25", "50", "75", "90", "95", "99"], percentiles or [], strict=False)
        ),
        "largest": _json(largest) or [],
        "buckets": _json(buckets) or [],
    }


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def data_timestamp() -> dt.datetime | None:
    """When an import last wrote a study."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(imported_at) FROM {TABLE}")
        return cursor.fetchone()[0]


def key_values(values: list, query: StudyQuery) -> list:
    """Check a page token's key values against the query's keys (types and count)."""
    keys = order_keys(query)
    if not isinstance(values, list) or len(values) != len(keys):
        raise ValueError("the page token does not fit this query's order")
    for key, value in zip(keys, values, strict=True):
        if value is None:
            continue
        if key.cast == "float8" and not isinstance(value, (int, float)):
            raise ValueError("bad relevance in the page token")
        if key.cast == "integer" and not isinstance(value, int):
            raise ValueError("bad number in the page token")
        if key.cast in ("text", "date", "numeric") and not isinstance(value, str):
            raise ValueError("bad key in the page token")
    return values
