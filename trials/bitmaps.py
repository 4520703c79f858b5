"""Condition searches counted from bitmaps in memory instead of from each matching row.

A condition search in PostgreSQL visits every matching trial's row to count it under
each facet: "Neoplasms" matches a fifth of 600,000 trials and took half a second. Here
every trial has a position 0..N-1 (in id order); the facet columns are arrays in that
order; each word of the condition vectors that at least 1% of trials contain has two
bitmaps, the trials it matches and those whose conditions (not only the title) name
it. A condition search made of such words ANDs bitmaps and counts every facet option
with NumPy, and picks its page from the same arrays, in the order the SQL search uses.

`rebuild()` builds it after each import, with the other summaries, and stores it in
trials_searchindex; each server process loads it once per data version. Searches it
cannot answer (free text, rare words, no index for the current data) return None,
and trials.search runs them in PostgreSQL; both give the same counts and order (tested).
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import psycopg
from django.conf import settings
from django.db import connection, transaction

from .models import (
    DAYS_PER_YEAR,
    AgeGroup,
    Phase,
    SearchIndex,
    Status,
    StudyType,
    Trial,
    TrialFacets,
)

if TYPE_CHECKING:
    from .search import Criteria

TABLE = Trial._meta.db_table
FACETS = TrialFacets._meta.db_table
INDEX = SearchIndex._meta.db_table
NAME = "conditions"
# Words in fewer trials than this share are left to PostgreSQL, whose index finds few fast.
FREQUENT_SHARE = 0.01
NO_MAX_AGE = 2**31 - 1
SEXES = ["FEMALE", "MALE", "ALL", ""]
COUNTRY_FACET_SIZE = 60
CONDITION_FACET_SIZE = 12
_lock = threading.Lock()
_loaded: Index | None = None


def data_version() -> str:
    """Changes whenever an import writes trials (cached counts are then stale)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(imported_at) FROM {TABLE}")  # an index lookup
        latest = cursor.fetchone()[0]
    return latest.isoformat() if latest else ""


@dataclass
class Index:
    version: str
    arrays: dict[str, np.ndarray]
    words: dict[str, int]  # lexeme -> row of arrays["matches"] and arrays["named"]
    countries: list[str]
    mesh_terms: list[str]

    @property
    def size(self) -> int:
        return len(self.arrays["ids"])

    def bitmap(self, name: str, row: int) -> np.ndarray:
        return np.unpackbits(self.arrays[name][row], count=self.size).view(bool)


# Building


def rebuild() -> None:
    """Build the index from trials_trialfacets and the condition vectors, and store it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('trials.searchindex'))")
        version = data_version()
        buffer = io.BytesIO()
        np.savez(buffer, **_build(cursor))
        # Sent as binary (%b): Django's cursor would write 100 MB as an escaped literal.
        with psycopg.Cursor(connection.connection) as raw:
            raw.execute(
                f"INSERT INTO {INDEX} (name, version, data) VALUES (%s, %s, %b) "
                "ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data",
                [NAME, version, buffer.getbuffer()],
            )


def _column(cursor, expression: str, params=(), dtype=np.int32) -> np.ndarray:
    """One value per trial, in trial id order, sent as packed big-endian integers."""
    send, width = ("int8send", ">i8") if dtype == np.int64 else ("int4send", ">i4")
    cursor.execute(
        f"SELECT string_agg({send}(({expression})::{'int8' if width == '>i8' else 'int4'}), "
        f"''::bytea ORDER BY trial_id) FROM {FACETS}",
        params,
    )
    return np.frombuffer(cursor.fetchone()[0] or b"", dtype=width).astype(dtype)


def _positions(packed) -> np.ndarray:
    return np.frombuffer(packed or b"", dtype=">i4").astype(np.int32)


def _code(column: str, values: list[str]) -> tuple[str, list]:
    """SQL giving each row the position of its value in `values` plus one (0: none of them)."""
    return f"coalesce(array_position(%s::text[], {column}::text), 0)", [values]


def _bits(column: str, values: list[str]) -> tuple[str, list]:
    """SQL giving each row a bit for each of `values` its array holds."""
    return (
        f"(SELECT coalesce(bit_or(1 << (array_position(%s::text[], v::text) - 1)), 0) "
        f"FROM unnest({column}) v WHERE array_position(%s::text[], v::text) IS NOT NULL)",
        [values, values],
    )


def _build(cursor) -> dict[str, np.ndarray]:
    arrays = {"ids": _column(cursor, "trial_id", dtype=np.int64)}
    for name, column, values in (
        ("status", "overall_status", Status.values),
        ("type", "study_type", StudyType.values),
        ("sex", "sex", SEXES),
    ):
        arrays[name] = _column(cursor, *_code(column, values), dtype=np.int8)
    arrays["healthy"] = _column(
        cursor,
        "CASE healthy_volunteers WHEN TRUE THEN 1 WHEN FALSE THEN 2 ELSE 0 END",
        dtype=np.int8,
    )
    arrays["phases"] = _column(cursor, *_bits("phases", Phase.values), dtype=np.uint8)
    arrays["std_ages"] = _column(cursor, *_bits("std_ages", AgeGroup.values), dtype=np.uint8)
    arrays["min_age"] = _column(cursor, "coalesce(min_age_days, -1)")
    arrays["max_age"] = _column(cursor, f"coalesce(max_age_days, {NO_MAX_AGE})")
    # Page orders, as in trials.search.Criteria._order: the rank of each trial in each.
    for name, order in (
        ("updated", "last_update DESC NULLS LAST, nct_id"),
        ("newest", "first_posted DESC NULLS LAST, nct_id"),
    ):
        cursor.execute(
            f"SELECT string_agg(int4send(r::int4), ''::bytea ORDER BY trial_id) FROM "
            f"(SELECT trial_id, row_number() OVER (ORDER BY {order}) AS r FROM {FACETS}) x"
        )
        arrays[name] = _positions(cursor.fetchone()[0])
    for name, column in (("countries", "countries"), ("mesh", "mesh_terms")):
        # Each (trial, value) pair, values in the database's own order: counts tie-break by it.
        values, positions, codes = [], [], []
        for value, found in _rows(
            f"WITH p AS (SELECT row_number() OVER (ORDER BY trial_id) - 1 AS pos, {column} "
            f"FROM {FACETS}) SELECT v, string_agg(int4send(pos::int4), ''::bytea) "
            f"FROM p, unnest(p.{column}) v GROUP BY v ORDER BY v"
        ):
            found = _positions(found)
            positions.append(found)
            codes.append(np.full(len(found), len(values), dtype=np.int32))
            values.append(value)
        arrays[name] = np.array(values, dtype=str)
        arrays[f"{name}_pos"] = np.concatenate(positions or [np.zeros(0, np.int32)])
        arrays[f"{name}_code"] = np.concatenate(codes or [np.zeros(0, np.int32)])
    size = len(arrays["ids"])
    words, matches, named = [], [], []
    found = np.zeros(size, dtype=bool)
    for lexeme, anywhere, in_conditions in _rows(
        f"WITH p AS (SELECT row_number() OVER (ORDER BY id) - 1 AS pos, condition_document "
        f"FROM {TABLE}) SELECT lexeme, string_agg(int4send(pos::int4), ''::bytea), "
        "string_agg(int4send(pos::int4), ''::bytea) FILTER (WHERE 'A' = ANY(weights)) "
        "FROM p, unnest(p.condition_document) GROUP BY lexeme HAVING count(*) >= %s "
        "ORDER BY lexeme",
        [max(1, int(size * FREQUENT_SHARE))],
    ):
        words.append(lexeme)
        for bitmaps, positions in ((matches, anywhere), (named, in_conditions)):
            found[:] = False
            found[_positions(positions)] = True
            bitmaps.append(np.packbits(found))
    arrays["words"] = np.array(words, dtype=str)
    width = (size + 7) // 8
    arrays["matches"] = np.array(matches, dtype=np.uint8).reshape(len(words), width)
    arrays["named"] = np.array(named, dtype=np.uint8).reshape(len(words), width)
    return arrays


def _rows(sql: str, params=()):
    """The rows of a query, a few at a time (a server-side cursor: memory stays flat)."""
    with connection.connection.cursor(name="searchindex") as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(8):
            yield from rows


# Loading


def current() -> Index | None:
    """This process's index if it was built from the trials as they are now, else None."""
    global _loaded
    version = data_version()
    if _loaded is not None and _loaded.version == version:
        return _loaded
    with _lock:
        if _loaded is not None and _loaded.version == version:
            return _loaded
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as raw:
            raw.execute(
                f"SELECT data FROM {INDEX} WHERE name = %s AND version = %s",
                [NAME, version],
                binary=True,
            )
            stored = raw.fetchone()
        if stored is None:
            return None
        with np.load(io.BytesIO(stored[0])) as archive:
            arrays = {name: archive[name] for name in archive.files}
        _loaded = Index(
            version,
            arrays,
            {str(w): i for i, w in enumerate(arrays.pop("words"))},
            arrays.pop("countries").tolist(),
            arrays.pop("mesh").tolist(),
        )
        return _loaded


def forget() -> None:
    """Drop the stored index (trials were deleted): searches go to PostgreSQL until the next build."""
    global _loaded
    SearchIndex.objects.filter(name=NAME).delete()
    _loaded = None


# Searching


LEXEME = re.compile(r"'((?:[^']|'')*)'")


def _lexemes(condition: str) -> list[str] | None:
    """The words of plainto_tsquery(condition), or None if it is not a plain AND of words."""
    from .ctgov import normalize_term

    with connection.cursor() as cursor:
        cursor.execute("SELECT plainto_tsquery('english', %s)::text", [normalize_term(condition)])
        text = cursor.fetchone()[0]
    found = LEXEME.findall(text)
    if not found or LEXEME.sub("", text).replace("&", "").strip():
        return None
    return [w.replace("''", "'") for w in found]


def _prepare(criteria: Criteria):
    """(index, text matches, criteria masks, words) for a search this index answers, else None."""
    if not settings.SEARCH_BITMAPS or criteria.q or not criteria.condition:
        return None
    index = current()
    if index is None:
        return None
    lexemes = _lexemes(criteria.condition)
    if lexemes is None or any(w not in index.words for w in lexemes):
        return None
    matched = np.ones(index.size, dtype=bool)
    for word in lexemes:
        matched &= index.bitmap("matches", index.words[word])
    return index, matched, _masks(criteria, index), lexemes


def _matching(index, matched, masks, without: str | None = None, text: bool = True):
    """The trials meeting every criterion but `without` (and the text when text=False)."""
    found = matched.copy() if text else np.ones(index.size, dtype=bool)
    for key, mask in masks.items():
        if key != without:
            found &= mask
    return found


def page(criteria: Criteria, offset: int, limit: int) -> list[int] | None:
    """One page of ids, as Criteria.page_ids gives; None if this index cannot answer."""
    if (prepared := _prepare(criteria)) is None:
        return None
    index, matched, masks, lexemes = prepared
    return _page(criteria, index, _matching(index, matched, masks), lexemes, offset, limit)


def search(
    criteria: Criteria, page: tuple[int, int] | None
) -> tuple[dict[str, dict[str, int]], list[int] | None] | None:
    """Facet counts and one page of ids, as Criteria._counts_and_page gives; None if this
    index cannot answer (then PostgreSQL does)."""
    if (prepared := _prepare(criteria)) is None:
        return None
    index, matched, masks, lexemes = prepared
    a = index.arrays

    def matching(without: str | None = None, text: bool = True) -> np.ndarray:
        return _matching(index, matched, masks, without, text)

    counts: dict[str, dict[str, int]] = {}
    found = matching("phase")
    counts["phase"] = _nonzero(
        {v: np.count_nonzero(a["phases"][found] & (1 << i)) for i, v in enumerate(Phase.values)}
    )
    status = np.bincount(a["status"][matching("status")], minlength=len(Status.values) + 1)
    counts["status"] = _nonzero({v: status[i + 1] for i, v in enumerate(Status.values)})
    found = matching("age_group")
    counts["age_group"] = _nonzero(
        {
            v: np.count_nonzero(a["std_ages"][found] & (1 << i))
            for i, v in enumerate(AgeGroup.values)
        }
    )
    sexes = np.bincount(a["sex"][matching("sex")], minlength=len(SEXES) + 1)
    either = sexes[SEXES.index("ALL") + 1] + sexes[SEXES.index("") + 1]
    counts["sex"] = _nonzero({v: sexes[SEXES.index(v) + 1] + either for v in ("FEMALE", "MALE")})
    healthy = np.bincount(a["healthy"][matching("healthy")], minlength=3)
    counts["healthy"] = _nonzero({"true": healthy[1], "false": healthy[2]})
    types = np.bincount(a["type"][matching("type")], minlength=len(StudyType.values) + 1)
    counts["type"] = _nonzero({v: types[i + 1] for i, v in enumerate(StudyType.values)})
    counts["country"] = _top(index, "countries", matching("country"), COUNTRY_FACET_SIZE)
    # The condition facet ignores the condition, like every facet its own criterion.
    counts["condition"] = _top(index, "mesh", matching(text=False), CONDITION_FACET_SIZE)
    if page is None:
        return counts, None
    return counts, _page(criteria, index, matching(), lexemes, *page)


def _masks(criteria: Criteria, index: Index) -> dict[str, np.ndarray]:
    """Each criterion but the text as a mask, keyed like Criteria.clauses()."""
    a = index.arrays
    masks = {}
    if criteria.phases:
        wanted = sum(1 << i for i, v in enumerate(Phase.values) if v in criteria.phases)
        masks["phase"] = (a["phases"] & wanted) != 0
    if statuses := criteria.effective_statuses:
        codes = [i + 1 for i, v in enumerate(Status.values) if v in statuses]
        masks["status"] = np.isin(a["status"], codes)
    ages = np.ones(index.size, dtype=bool)
    if criteria.age is not None:  # as Criteria.age_clause
        low = int(criteria.age * DAYS_PER_YEAR)
        high = int((criteria.age + 1) * DAYS_PER_YEAR) - 1
        ages &= (a["min_age"] <= high) & (a["max_age"] >= low)
    if criteria.age_groups:
        wanted = sum(1 << i for i, v in enumerate(AgeGroup.values) if v in criteria.age_groups)
        ages &= (a["std_ages"] & wanted) != 0
    if criteria.age is not None or criteria.age_groups:
        masks["age_group"] = ages
    if criteria.sex:
        masks["sex"] = np.isin(a["sex"], [SEXES.index(s) + 1 for s in (criteria.sex, "ALL", "")])
    if criteria.healthy is not None:
        masks["healthy"] = a["healthy"] == (1 if criteria.healthy else 2)
    if criteria.countries:
        codes = [i for i, c in enumerate(index.countries) if c in set(criteria.countries)]
        mask = np.zeros(index.size, dtype=bool)
        mask[a["countries_pos"][np.isin(a["countries_code"], codes)]] = True
        masks["country"] = mask
    if criteria.types:
        codes = [i + 1 for i, v in enumerate(StudyType.values) if v in criteria.types]
        masks["type"] = np.isin(a["type"], codes)
    return masks


def _nonzero(counts: dict) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if v}


def _top(index: Index, name: str, found: np.ndarray, size: int) -> dict[str, int]:
    """The `size` values most trials in `found` hold, most first, then in the database's order."""
    a = index.arrays
    vocabulary = index.countries if name == "countries" else index.mesh_terms
    counts = np.bincount(a[f"{name}_code"][found[a[f"{name}_pos"]]], minlength=len(vocabulary))
    order = np.lexsort((np.arange(len(counts)), -counts))[:size]
    return {vocabulary[i]: int(counts[i]) for i in order if counts[i]}


def _page(
    criteria: Criteria, index: Index, found: np.ndarray, lexemes: list[str], offset: int, limit: int
) -> list[int]:
    """One page of ids in the order of Criteria._order (relevance: conditions naming every
    word first, then the rest; each most recently updated first)."""
    hits = np.flatnonzero(found)
    if offset >= len(hits):
        return []
    a = index.arrays
    if criteria.sort == "newest":
        key = a["newest"][hits].astype(np.int64)
    else:
        key = a["updated"][hits].astype(np.int64)
        if criteria.ranked:
            named = np.ones(index.size, dtype=bool)
            for word in lexemes:
                named &= index.bitmap("named", index.words[word])
            key += np.where(named[hits], 0, index.size + 1)
    wanted = min(offset + limit, len(hits))
    first = (
        np.argpartition(key, wanted - 1)[:wanted] if wanted < len(hits) else np.arange(len(hits))
    )
    first = first[np.argsort(key[first], kind="stable")]
    return a["ids"][hits[first[offset:wanted]]].tolist()
