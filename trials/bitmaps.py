"""Searches counted from bitmaps in memory instead of from each matching row.

PostgreSQL counts a search's facets by visiting every matching trial's row: "Neoplasms"
matches a fifth of 600,000 trials and took half a second, "placebo" a second. Here every
trial has a position 0..N-1 (in id order); the facet columns are arrays in that order;
each word that many trials contain (1% of them; 0.5% for condition words) has bitmaps of
the trials it matches (as a condition, and as free text) and, for relevance, of those
whose conditions, title, or title and conditions hold it. A search made of such words
(joined by AND, maybe negated) and of any filters ANDs bitmaps and masks, counts every
facet option with NumPy, and picks its page in the order the SQL search uses.

`rebuild()` builds it after each import, with the other summaries, and stores it in
trials_searchindex; each server process loads each build once. Searches it cannot
answer (a phrase, OR, a rare word, only a status filter, no build for the current data)
return None, and trials.search runs them in PostgreSQL; both give the same counts and
order (tests/test_bitmaps.py).
"""

from __future__ import annotations

import io
import logging
import re
import threading
import uuid
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
NAME = "search"
# Words in fewer trials than this share are left to PostgreSQL, whose index finds few fast.
FREQUENT_SHARE = 0.01
# Condition words down to this share: below 1% are words of common conditions
# ("malnutrit", "hypochrom"), and PostgreSQL takes 140 ms for those at 600,000 trials.
FREQUENT_CONDITION_SHARE = 0.005
NO_MAX_AGE = 2**31 - 1
SEXES = ["FEMALE", "MALE", "ALL", ""]
# Word bitmaps are built and stored this many words at a time (at 600,000 trials, 2.4 MB):
# a rebuild at 600,000 peaks at 135 MB with 32, 175 MB with 128.
PART_ROWS = 32
COUNTRY_FACET_SIZE = 60
CONDITION_FACET_SIZE = 12
logger = logging.getLogger(__name__)
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
    words: dict[str, int]  # condition lexeme -> row of arrays["matches"] and ["named"]
    text_words: dict[str, int]  # free-text lexeme -> row of arrays["text_*"]
    countries: list[str]
    mesh_terms: list[str]

    @property
    def size(self) -> int:
        return len(self.arrays["ids"])

    def holding(self, name: str, terms: list[tuple[bool, str]]) -> np.ndarray:
        """The trials whose bitmaps `name` hold every wanted word and no unwanted one."""
        rows = self.text_words if name.startswith("text_") else self.words
        found = np.ones(self.size, dtype=bool)
        for wanted, word in terms:
            bitmap = np.unpackbits(self.arrays[name][rows[word]], count=self.size).view(bool)
            found &= bitmap if wanted else ~bitmap
        return found


# Building


def rebuild() -> None:
    """Build the index from trials_trialfacets and the text vectors, and store it.

    Each array is stored as soon as it is built, the word bitmaps PART_ROWS words at a
    time, so memory does not grow with the number of trials times words."""
    rows = _rows_in_transaction if connection.in_atomic_block else _rows_on_own_connection
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('trials.searchindex'))")
        # Gathering each word's trials holds them all in PostgreSQL's memory at once (at
        # 600,000 trials about 160 MB per process); at the default 4 MB it would spill
        # to disk. (The connection of _rows_on_own_connection sets it for itself.)
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # The data version and this build's own id: a process holding an older build of
        # the same data (rebuilt after a deletion) sees that it changed.
        version = f"{data_version()} {uuid.uuid4().hex}"
        cursor.execute(f"DELETE FROM {INDEX} WHERE name = %s OR name LIKE %s", [NAME, f"{NAME}:%"])
        # One row per array, sent as binary (%b): Django's cursor would write each as an
        # escaped literal.
        with psycopg.Cursor(connection.connection) as raw:
            for name, array in _build(cursor, rows):
                if name == "ids":
                    size = len(array)
                buffer = io.BytesIO()
                np.save(buffer, array, allow_pickle=False)
                del array
                raw.execute(
                    f"INSERT INTO {INDEX} (name, version, data) VALUES (%s, %s, %b)",
                    [f"{NAME}:{name}", version, buffer.getbuffer()],
                )
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            if cursor.fetchone()[0] != size:
                # A trial without its facets row: positions would not line up.
                logger.warning("search bitmaps not built: trials and facet rows differ in number")
                cursor.execute(f"DELETE FROM {INDEX} WHERE name LIKE %s", [f"{NAME}:%"])
                return
            # Last, the row whose version searches check: the build is complete.
            raw.execute(
                f"INSERT INTO {INDEX} (name, version, data) VALUES (%s, %s, '')", [NAME, version]
            )


def _column(cursor, expression: str, params=(), dtype=np.int32) -> np.ndarray:
    """One value per trial, in trial id order, sent as packed big-endian integers."""
    kind, width = ("int8", ">i8") if dtype == np.int64 else ("int4", ">i4")
    cursor.execute(
        f"SELECT string_agg({kind}send(({expression})::{kind}), ''::bytea ORDER BY trial_id) "
        f"FROM {FACETS}",
        params,
    )
    return np.frombuffer(cursor.fetchone()[0] or b"", dtype=width).astype(dtype)


def _int4s(packed) -> np.ndarray:
    """Packed big-endian int4s (string_agg of int4send) as an array."""
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


def _build(cursor, rows):
    """Yield (name, array) for each array of the index, one at a time; `rows` reads a
    query's rows one at a time."""
    ids = _column(cursor, "trial_id", dtype=np.int64)
    yield "ids", ids
    for name, column, values in (
        ("status", "overall_status", Status.values),
        ("type", "study_type", StudyType.values),
        ("sex", "sex", SEXES),
    ):
        yield name, _column(cursor, *_code(column, values), dtype=np.int8)
    healthy = "CASE healthy_volunteers WHEN TRUE THEN 1 WHEN FALSE THEN 2 ELSE 0 END"
    yield "healthy", _column(cursor, healthy, dtype=np.int8)
    yield "phases", _column(cursor, *_bits("phases", Phase.values), dtype=np.uint8)
    yield "std_ages", _column(cursor, *_bits("std_ages", AgeGroup.values), dtype=np.uint8)
    yield "min_age", _column(cursor, "coalesce(min_age_days, -1)")
    yield "max_age", _column(cursor, f"coalesce(max_age_days, {NO_MAX_AGE})")
    # Page orders, as in trials.search.Criteria._order: the rank of each trial in each.
    for name, order in (
        ("updated", "last_update DESC NULLS LAST, nct_id"),
        ("newest", "first_posted DESC NULLS LAST, nct_id"),
    ):
        cursor.execute(
            f"SELECT string_agg(int4send(r::int4), ''::bytea ORDER BY trial_id) FROM "
            f"(SELECT trial_id, row_number() OVER (ORDER BY {order}) AS r FROM {FACETS}) x"
        )
        yield name, _int4s(cursor.fetchone()[0])
    for name, column in (("countries", "countries"), ("mesh", "mesh_terms")):
        # Each (trial, value) pair, values in the database's own order: counts tie-break by it.
        values, positions, codes = [], [], []
        for value, found in rows(
            f"WITH p AS (SELECT row_number() OVER (ORDER BY trial_id) - 1 AS pos, {column} "
            f"FROM {FACETS}) SELECT v, string_agg(int4send(pos::int4), ''::bytea) "
            f"FROM p, unnest(p.{column}) v GROUP BY v ORDER BY v"
        ):
            found = _int4s(found)
            positions.append(found)
            codes.append(np.full(len(found), len(values), dtype=np.int32))
            values.append(value)
        yield name, np.array(values, dtype=str)
        yield f"{name}_pos", np.concatenate(positions or [np.zeros(0, np.int32)])
        del positions
        yield f"{name}_code", np.concatenate(codes or [np.zeros(0, np.int32)])
        del codes
    size = len(ids)
    # Condition words: the trials each matches, and those whose conditions name it.
    words = yield from _word_bitmaps(
        ids,
        _words_query("condition_document", "GROUP BY lexeme HAVING count(*) >= %s"),
        [max(1, int(size * FREQUENT_CONDITION_SHARE))],
        ["matches", "named"],
        rows,
    )
    yield "words", np.array(words, dtype=str)
    # Free-text words: the trials each matches; for relevance, those whose title or
    # conditions hold it (rank_document) and those whose title does.
    words = yield from _word_bitmaps(
        ids,
        _words_query("search_document", "GROUP BY lexeme HAVING count(*) >= %s", named=False),
        [max(1, int(size * FREQUENT_SHARE))],
        ["text_matches"],
        rows,
    )
    yield "text_words", np.array(words, dtype=str)
    yield from _word_bitmaps(
        ids,
        _words_query("rank_document", "AND lexeme = ANY(%s) GROUP BY lexeme"),
        [words],
        ["text_ranked", "text_titled"],
        rows,
        listed=words,
    )


def _words_query(vector: str, having: str, named: bool = True) -> str:
    """Each word of `vector` the condition `having` keeps, in the database's order, with
    the ids of the trials holding it and, with named, of those holding it with weight A
    (conditions in condition_document, the title in rank_document), as packed int4s.

    Trial ids, not positions: without a window function over the trials PostgreSQL
    reads them with parallel workers."""
    if named:
        filtered = ", string_agg(int4send(id::int4), ''::bytea) FILTER (WHERE 'A' = ANY(weights))"
        words = f"unnest({vector})"
    else:  # the lexemes alone: a quarter faster than with their positions and weights
        filtered, words = "", f"unnest(tsvector_to_array({vector})) lexeme"
    return (
        f"SELECT lexeme, string_agg(int4send(id::int4), ''::bytea){filtered} "
        f"FROM {TABLE}, {words} WHERE TRUE {having} ORDER BY lexeme"
    )


def _word_bitmaps(ids, query: str, params: list, names: list[str], rows, listed=None):
    """Yield ("<name>#<part>", bitmaps) for each of `names` and each PART_ROWS words the
    query gives (a row of packed bits per word, one bit per trial); return the words.

    With `listed`, the query gives some of those words (in their order) and the rows of
    the others are zeros. `ids` (sorted) turns the query's trial ids into positions."""
    words = [] if listed is None else listed
    row_of = None if listed is None else {word: row for row, word in enumerate(listed)}
    parts = np.zeros((len(names), PART_ROWS, (len(ids) + 7) // 8), dtype=np.uint8)
    part = 0
    found = np.zeros(len(ids), dtype=bool)

    def emit(rows: int):
        nonlocal part
        for i, name in enumerate(names):
            yield f"{name}#{part}", parts[i, :rows].copy()
        parts[:] = 0
        part += 1

    for lexeme, *holding in rows(query, params):
        if row_of is None:
            row = len(words)
            words.append(lexeme)
        else:
            row = row_of[lexeme]
            if row < part * PART_ROWS:  # both queries order words alike; never a part again
                raise RuntimeError(f"search bitmaps: {lexeme!r} came out of order")
        while row >= (part + 1) * PART_ROWS:
            yield from emit(PART_ROWS)
        for i, trials in enumerate(holding):
            found[:] = False
            found[np.searchsorted(ids, _int4s(trials))] = True
            parts[i, row - part * PART_ROWS] = np.packbits(found)
    while part == 0 or part * PART_ROWS < len(words):
        yield from emit(min(PART_ROWS, len(words) - part * PART_ROWS))
    return words


def _rows_on_own_connection(sql: str, params=()):
    """The rows of a query one at a time, streamed from a connection of its own: memory
    stays flat, what is built from them can be stored meanwhile on this connection, and
    PostgreSQL reads with parallel workers (the word queries take half the time with
    them; a server-side cursor would keep it from using them)."""
    reader = connection.get_new_connection(connection.get_connection_params())
    try:
        reader.autocommit = True
        reader.execute("SET work_mem = '256MB'")
        with reader.cursor() as cursor:
            yield from cursor.stream(sql, params)
    finally:
        reader.close()


def _rows_in_transaction(sql: str, params=()):
    """The rows of a query a few at a time, read through a server-side cursor on this
    connection: inside a transaction (a test, a strict import), only it sees the trials
    just written."""
    with connection.connection.cursor(name=f"bitmaps_{uuid.uuid4().hex}") as cursor:
        cursor.itersize = 64
        cursor.execute(sql, params)
        yield from cursor


# Loading


def _state(q: str = "", condition: str = "") -> tuple[str, str | None, str, str]:
    """(data version, stored index version, q's tsquery, condition's tsquery): one query."""
    from .ctgov import normalize_term

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(imported_at) FROM {TABLE}), "
            f"(SELECT version FROM {INDEX} WHERE name = %s), "
            "websearch_to_tsquery('english', %s)::text, plainto_tsquery('english', %s)::text",
            [NAME, q, normalize_term(condition)],
        )
        latest, stored, q_query, condition_query = cursor.fetchone()
    return (latest.isoformat() if latest else ""), stored, q_query, condition_query


def current(state: tuple | None = None) -> Index | None:
    """This process's index, if it is the stored one and the trials are as it was built
    from, else None. `state`: what _state() returned, if the caller has it."""
    global _loaded
    version, stored, *_ = state or _state()
    if stored is None or stored.partition(" ")[0] != version:
        return None
    if _loaded is not None and _loaded.version == stored:
        return _loaded
    with _lock:
        if _loaded is not None and _loaded.version == stored:
            return _loaded
        connection.ensure_connection()
        arrays, parts = {}, {}
        # Streamed, a row at a time: with the whole result at once, a process loading
        # the 285 MB of arrays at 600,000 trials peaked at 800 MB, now at 540.
        with psycopg.Cursor(connection.connection) as raw:
            for name, data in raw.stream(
                f"SELECT name, data FROM {INDEX} WHERE name LIKE %s AND version = %s",
                [f"{NAME}:%", stored],
                binary=True,
            ):
                name, _, part = name.partition(":")[2].partition("#")
                array = np.load(io.BytesIO(data), allow_pickle=False)
                if part:
                    parts.setdefault(name, {})[int(part)] = array
                else:
                    arrays[name] = array
        if "ids" not in arrays:
            return None
        for name in list(parts):
            found = parts.pop(name)
            arrays[name] = np.concatenate([found.pop(part) for part in sorted(found)])
        _loaded = Index(
            stored,
            arrays,
            {str(w): i for i, w in enumerate(arrays.pop("words"))},
            {str(w): i for i, w in enumerate(arrays.pop("text_words"))},
            arrays.pop("countries").tolist(),
            arrays.pop("mesh").tolist(),
        )
        return _loaded


def forget() -> None:
    """Drop the stored index (trials were deleted): searches go to PostgreSQL until the next build."""
    global _loaded
    SearchIndex.objects.filter(name__startswith=NAME).delete()
    _loaded = None


# Searching


TERM = re.compile(r"(!?)'((?:[^']|'')*)'")


def _terms(query: str) -> list[tuple[bool, str]] | None:
    """The words of a tsquery's text as (wanted, lexeme), or None unless it is words joined
    by AND, each maybe negated (no OR, phrases or groups: those stay with PostgreSQL)."""
    found = TERM.findall(query or "")
    if not found or TERM.sub("", query).replace("&", "").strip():
        return None
    return [(not negated, word.replace("''", "'")) for negated, word in found]


@dataclass
class Prepared:
    index: Index
    masks: dict[str, np.ndarray]  # every criterion (text too) as a mask, keyed like clauses()
    condition: list[tuple[bool, str]]  # the condition's words, (wanted, lexeme)
    text: list[tuple[bool, str]]  # the free text's words

    def matching(self, without: str | None = None) -> np.ndarray:
        """The trials meeting every criterion but `without`."""
        found = np.ones(self.index.size, dtype=bool)
        for key, mask in self.masks.items():
            if key != without:
                found &= mask
        return found

    def relevance(self) -> np.ndarray:
        """Criteria._rank's relevance of every trial (0 to 3), from the bitmaps."""
        score = np.zeros(self.index.size, dtype=np.int8)
        if self.text:  # every word in the title; in the title and conditions together
            score += self.index.holding("text_titled", self.text)
            score += self.index.holding("text_ranked", self.text)
        if self.condition:  # every word in the trial's conditions
            score += self.index.holding("named", self.condition)
        return score


def _prepare(criteria: Criteria) -> Prepared | None:
    """What a search this index can answer needs, else None."""
    if not settings.SEARCH_BITMAPS:
        return None
    if not criteria.q and not criteria.condition and set(criteria.clauses()) <= {"status"}:
        return None  # PostgreSQL reads these from trials_statussummary, as fast
    state = _state(criteria.q, criteria.condition)
    index = current(state)
    if index is None:
        return None
    masks, condition, text = {}, [], []
    if criteria.q:
        text = _terms(state[2])
        if text is None or any(w not in index.text_words for _, w in text):
            return None
        masks["q"] = index.holding("text_matches", text)
    if criteria.condition:
        condition = _terms(state[3])  # plainto_tsquery: words joined by AND, never negated
        if condition is None or any(w not in index.words for _, w in condition):
            return None
        masks["condition"] = index.holding("matches", condition)
    masks.update(_masks(criteria, index))
    return Prepared(index, masks, condition, text)


def page(criteria: Criteria, offset: int, limit: int) -> list[int] | None:
    """One page of ids, as Criteria.page_ids gives; None if this index cannot answer."""
    if (prepared := _prepare(criteria)) is None:
        return None
    return _page(criteria, prepared, offset, limit)


def search(
    criteria: Criteria, page: tuple[int, int] | None
) -> tuple[dict[str, dict[str, int]], list[int] | None] | None:
    """Facet counts and one page of ids, as Criteria._counts_and_page gives; None if this
    index cannot answer (then PostgreSQL does)."""
    if (prepared := _prepare(criteria)) is None:
        return None
    index, matching = prepared.index, prepared.matching
    a = index.arrays
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
    counts["condition"] = _top(index, "mesh", matching("condition"), CONDITION_FACET_SIZE)
    if page is None:
        return counts, None
    return counts, _page(criteria, prepared, *page)


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


def _page(criteria: Criteria, prepared: Prepared, offset: int, limit: int) -> list[int]:
    """One page of ids in the order of Criteria._order: by relevance (most first), then
    most recently updated; or newest first."""
    hits = np.flatnonzero(prepared.matching())
    if offset >= len(hits):
        return []
    index = prepared.index
    a = index.arrays
    if criteria.sort == "newest":
        key = a["newest"][hits].astype(np.int64)
    else:
        key = a["updated"][hits].astype(np.int64)
        if criteria.ranked:
            key -= prepared.relevance()[hits].astype(np.int64) * (index.size + 1)
    wanted = min(offset + limit, len(hits))
    first = (
        np.argpartition(key, wanted - 1)[:wanted] if wanted < len(hits) else np.arange(len(hits))
    )
    first = first[np.argsort(key[first], kind="stable")]
    return a["ids"][hits[first[offset:wanted]]].tolist()
