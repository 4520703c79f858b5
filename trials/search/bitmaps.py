"""The in-memory engine: searches counted from bitmaps instead of from each matching row.

Counting a broad search's facets in PostgreSQL visits every matching trial's row. Here
every trial has a position 0..N-1 (in id order); each facet's column is an array in
that order (codes for a VALUE, bit sets for VALUES, (position, value) pairs for TERMS);
each word that many trials contain (FREQUENT_SHARE of them; less for condition words)
has bitmaps of the trials it matches (as a condition, and as free text) and, for
relevance, of those whose rank_document fields hold it; each pair of frequent words that
stand together in many trials ("qualiti" two positions before "life") has a bitmap of
the trials where they do. A text criterion is evaluated over these bitmaps as PostgreSQL
would (AND, OR, NOT; a phrase of one common pair is read from its bitmap, another
phrase's candidates, narrowed by its common pairs, are checked in PostgreSQL; a word too
rare for bitmaps is looked up there), then the filters' masks are ANDed, every facet
option is counted with NumPy, and the page is picked in the order the SQL engine uses.
For distances, the index holds each distinct point of the sites with the trials that
have a site there: a search near a place measures the distance to every point, and each
trial's nearest site within the largest radius gives the radius mask, the bands and the
nearest-first order.

`rebuild()` builds the index after each import and stores it in trials_searchindex;
each server process loads each build once. A search it cannot answer (only statuses,
only stop words, no build for the current data) gets None, and the SQL engine answers
it; both give the same counts and order (tests/test_bitmaps.py).
"""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import psycopg
from django.conf import settings
from django.db import connection, transaction

from .. import geo
from ..models import SearchIndex, Site, Trial, TrialFacets
from ..vocabularies import OPEN_STATUSES
from . import tsquery
from .criteria import AGE_KEY, Criteria
from .db import reading
from .facets import DISTANCE, FACETS, RADII, STATUS, Facet, Kind
from .relevance import CONDITION_FIELDS, TEXT_FIELDS, points_by_count

TABLE = Trial._meta.db_table
FACETS_TABLE = TrialFacets._meta.db_table
SITES = Site._meta.db_table
INDEX = SearchIndex._meta.db_table
NAME = "search"
# Words in fewer trials than this share are left to PostgreSQL, whose index finds few fast.
FREQUENT_SHARE = 0.01
# Condition words down to this share: the words of common conditions ("malnutrit",
# "hypochrom") fall between it and FREQUENT_SHARE, and are slow in PostgreSQL.
FREQUENT_CONDITION_SHARE = 0.005
# Pairs of frequent words up to this many positions apart (a phrase's neighbouring words,
# with stop words between them) get bitmaps when as many trials hold them as a frequent
# word needs; PostgreSQL checks a rarer pair's trials.
PAIR_DISTANCE = 3
# Which pairs are common is estimated on about this many trials.
PAIR_SAMPLE = 20_000
# The words' positions are read this many trials at a time.
PAIR_CHUNK = 5_000
NO_MAX_AGE = 2**31 - 1
# Word bitmaps are built and stored this many words at a time: the rebuild's memory
# grows with it, not with the number of words.
PART_ROWS = 32
logger = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: Index | None = None


@dataclass(frozen=True)
class TextCriterion:
    """How the index keeps the words of a text criterion."""

    key: str  # the criterion: "condition" or "q"
    vector: str  # the trials_trial column it matches
    share: float  # words in at least this share of the trials get bitmaps
    words: str  # the name of the array of those words
    matches: str  # the name of the bitmaps of the trials each word matches
    fields: dict  # relevance.py's fields of rank_document
    pairs: str | None = None  # the name of the pairs of its frequent words, if it has them


CRITERIA = {
    "condition": TextCriterion(
        "condition",
        "condition_document",
        FREQUENT_CONDITION_SHARE,
        "words",
        "matches",
        CONDITION_FIELDS,
    ),
    "q": TextCriterion(
        "q",
        "search_document",
        FREQUENT_SHARE,
        "text_words",
        "text_matches",
        TEXT_FIELDS,
        pairs="text_pairs",
    ),
}


@dataclass
class Index:
    version: str
    arrays: dict[str, np.ndarray]
    words: dict[str, dict[str, int]]  # text criterion -> word -> its row in the bitmaps
    terms: dict[str, list[str]]  # a TERMS facet's key -> its values, by code
    # text criterion -> "a b distance" -> its row (a subset of the trials has none)
    pairs: dict[str, dict[str, int]] = field(default_factory=dict)

    def pair(self, criterion: TextCriterion, first: str, second: str, distance: int):
        """The trials where `second` stands `distance` positions after `first`, or None
        for a pair without bitmaps. A trial of `unsure` may hold it all the same."""
        row = self.pairs.get(criterion.key, {}).get(f"{first} {second} {distance}")
        if row is None:
            return None
        name = f"{criterion.pairs}_matches"
        return np.unpackbits(self.arrays[name][row], count=self.size).view(bool)

    @property
    def size(self) -> int:
        return len(self.arrays["ids"])

    def bitmap(self, criterion: TextCriterion, name: str, word: str) -> np.ndarray | None:
        """The trials of word bitmap `name` holding `word`, or None for a word it lacks."""
        row = self.words[criterion.key].get(word)
        if row is None:
            return None
        return np.unpackbits(self.arrays[name][row], count=self.size).view(bool)


# Building


def rebuild() -> None:
    """Build the index from trials_trialfacets and the text vectors, and store it.

    Each array is stored as soon as it is built, the word bitmaps PART_ROWS words at a
    time, so memory does not grow with the number of trials times words."""
    rows = _rows_in_transaction if connection.in_atomic_block else _rows_on_own_connection
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('trials.searchindex'))")
        # Gathering each word's trials holds them all in PostgreSQL's memory at once; the
        # default work_mem would spill them to disk. (_rows_on_own_connection's
        # connection sets it for itself.)
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # The data version and this build's own id: a process holding an older build of
        # the same data (rebuilt after a deletion) sees that it changed.
        version = f"{Trial.objects.data_version()} {uuid.uuid4().hex}"
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


def _column(cursor, expression: str, params=(), dtype=np.int32, table=FACETS_TABLE) -> np.ndarray:
    """One value per trial, in trial id order, sent as packed big-endian integers."""
    kind, width = ("int8", ">i8") if dtype == np.int64 else ("int4", ">i4")
    key = "id" if table == TABLE else "trial_id"
    cursor.execute(
        f"SELECT string_agg({kind}send(({expression})::{kind}), ''::bytea ORDER BY {key}) "
        f"FROM {table}",
        params,
    )
    return np.frombuffer(cursor.fetchone()[0] or b"", dtype=width).astype(dtype)


def _int4s(packed) -> np.ndarray:
    """Packed big-endian int4s (string_agg of int4send) as an array."""
    return np.frombuffer(packed or b"", dtype=">i4").astype(np.int32)


def _facet_arrays(cursor, facet: Facet, rows):
    """Yield (name, array) for a facet's column: a code per trial (VALUE: the value's
    position in `facet.stored` plus one, 0 for none; FLAG: 1 true, 2 false, 0 unknown),
    a bit per value held (VALUES), or (position, code) pairs and the values (TERMS)."""
    column, stored = facet.column, facet.stored
    if facet.kind is Kind.VALUE:
        code = f"coalesce(array_position(%s::text[], {column}::text), 0)"
        yield facet.key, _column(cursor, code, [stored], dtype=np.int8)
    elif facet.kind is Kind.FLAG:
        code = f"CASE {column} WHEN TRUE THEN 1 WHEN FALSE THEN 2 ELSE 0 END"
        yield facet.key, _column(cursor, code, dtype=np.int8)
    elif facet.kind is Kind.VALUES:
        if len(stored) > 8:
            raise ValueError(f"facet {facet.key}: a bit set holds 8 values at most")
        bits = (
            f"(SELECT coalesce(bit_or(1 << (array_position(%s::text[], v::text) - 1)), 0) "
            f"FROM unnest({column}) v WHERE array_position(%s::text[], v::text) IS NOT NULL)"
        )
        yield facet.key, _column(cursor, bits, [stored, stored], dtype=np.uint8)
    else:
        # Each (trial, value) pair, values in the database's order: counts tie-break by it.
        values, positions, codes = [], [], []
        for value, found in rows(
            f"WITH p AS (SELECT row_number() OVER (ORDER BY trial_id) - 1 AS pos, {column} "
            f"FROM {FACETS_TABLE}) SELECT v, string_agg(int4send(pos::int4), ''::bytea) "
            f"FROM p, unnest(p.{column}) v GROUP BY v ORDER BY v"
        ):
            found = _int4s(found)
            positions.append(found)
            codes.append(np.full(len(found), len(values), dtype=np.int32))
            values.append(value)
        yield f"{facet.key}_values", np.array(values, dtype=str)
        yield f"{facet.key}_pos", np.concatenate(positions or [np.zeros(0, np.int32)])
        del positions
        yield f"{facet.key}_code", np.concatenate(codes or [np.zeros(0, np.int32)])


def _build(cursor, rows):
    """Yield (name, array) for each array of the index, one at a time; `rows` reads a
    query's rows one at a time."""
    ids = _column(cursor, "trial_id", dtype=np.int64)
    yield "ids", ids
    for facet in FACETS:
        if facet.column:
            yield from _facet_arrays(cursor, facet, rows)
    yield "min_age", _column(cursor, "coalesce(min_age_days, -1)")
    yield "max_age", _column(cursor, f"coalesce(max_age_days, {NO_MAX_AGE})")
    # Page orders, as the SQL engine's ORDER BY: the rank of each trial in each.
    for name, order in (
        ("updated", "last_update DESC NULLS LAST, nct_id"),
        ("newest", "first_posted DESC NULLS LAST, nct_id"),
    ):
        cursor.execute(
            f"SELECT string_agg(int4send(r::int4), ''::bytea ORDER BY trial_id) FROM "
            f"(SELECT trial_id, row_number() OVER (ORDER BY {order}) AS r FROM {FACETS_TABLE}) x"
        )
        yield name, _int4s(cursor.fetchone()[0])
    yield "conditions", _column(cursor, "cardinality(conditions)", table=TABLE)
    open_statuses = [s.value for s in OPEN_STATUSES]
    yield "open", _column(cursor, f"{STATUS.column} = ANY(%s)", [open_statuses], dtype=np.int8)
    yield from _site_arrays(rows)
    size = len(ids)
    for criterion in CRITERIA.values():
        # The trials each frequent word matches, then those whose rank_document fields
        # hold it.
        words = yield from _word_bitmaps(
            ids,
            _words_query(criterion.vector, "GROUP BY lexeme HAVING count(*) >= %s"),
            [max(1, int(size * criterion.share))],
            [criterion.matches],
            rows,
        )
        yield criterion.words, np.array(words, dtype=str)
        if criterion.pairs:
            yield from _pair_bitmaps(ids, criterion, words, rows)
        fields = criterion.fields
        yield from _word_bitmaps(
            ids,
            _words_query(
                "rank_document",
                "AND lexeme = ANY(%s) GROUP BY lexeme",
                [letters for letters, _ in fields.values()],
            ),
            [words],
            list(fields),
            rows,
            listed=words,
        )


def _site_arrays(rows):
    """Yield the sites' points for distances: each distinct point of the sites that may
    count (ClinicalTrials.gov gives a site its city's point), `site_ptr` the start of its
    trials in `site_pos`, and `site_open` whether one of that trial's sites there counts
    when only sites open to enrollment do."""
    points, pointers, positions, opens = [], [0], [], []
    for lat, lon, found, flags in rows(
        f"WITH p AS (SELECT trial_id, row_number() OVER (ORDER BY trial_id) - 1 AS pos, "
        f"{STATUS.column} FROM {FACETS_TABLE}), "
        f"s AS (SELECT p.pos, s.latitude AS lat, s.longitude AS lon, "
        f"bool_or({geo.counting_sql(False, trial='p')}) AS open FROM {SITES} s "
        f"JOIN p ON p.trial_id = s.trial_id WHERE {geo.counting_sql(True)} GROUP BY 1, 2, 3) "
        "SELECT lat, lon, string_agg(int4send(pos::int4), ''::bytea ORDER BY pos), "
        "string_agg(int4send(open::int4), ''::bytea ORDER BY pos) FROM s "
        "GROUP BY lat, lon ORDER BY lat, lon"
    ):
        found = _int4s(found)
        points.append((lat, lon))
        pointers.append(pointers[-1] + len(found))
        positions.append(found)
        opens.append(_int4s(flags).astype(bool))
    yield "site_points", np.array(points, dtype=np.float64).reshape(-1, 2)
    yield "site_ptr", np.array(pointers, dtype=np.int64)
    yield "site_pos", np.concatenate(positions or [np.zeros(0, np.int32)])
    yield "site_open", np.concatenate(opens or [np.zeros(0, bool)])


def _words_query(vector: str, having: str, fields: list[str] | None = None) -> str:
    """Each word of `vector` the condition `having` keeps, in the database's order, with
    the ids of the trials holding it or, with `fields` (weight letters), of the trials
    holding it in each of those fields, as packed int4s.

    Trial ids, not positions: without a window function over the trials PostgreSQL
    reads them with parallel workers."""
    if fields:
        ids = ", ".join(
            "string_agg(int4send(id::int4), ''::bytea) FILTER "
            f"(WHERE weights && '{{{','.join(letters.upper())}}}'::text[])"
            for letters in fields
        )
        words = f"unnest({vector})"
    else:  # the lexemes alone are quicker to gather than with their positions and weights
        ids, words = (
            "string_agg(int4send(id::int4), ''::bytea)",
            f"unnest(tsvector_to_array({vector})) lexeme",
        )
    return f"SELECT lexeme, {ids} FROM {TABLE}, {words} WHERE TRUE {having} ORDER BY lexeme"


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


def _pair_bitmaps(ids, criterion: TextCriterion, words: list[str], rows):
    """Yield the common pairs of a criterion's frequent words: their names ("a b
    distance"), their bitmaps, and `unsure`, the trials whose pairs may lack some (more
    than PAIR_DISTANCE words share positions, as past a vector's last position).

    Which pairs may be common is estimated on a sample of PAIR_SAMPLE trials (a common
    pair missed is checked in PostgreSQL, as a rare one is); then every trial is read,
    unless the sample was every trial."""
    threshold = max(1, int(len(ids) * criterion.share))
    every = max(1, len(ids) // PAIR_SAMPLE)
    span = len(words) ** 2 * (PAIR_DISTANCE + 1)
    unsure = np.zeros(len(ids), dtype=bool)
    sampled = []  # each sampled trial's pairs once, as trial * span + pair
    for found in _pairs_in(ids, criterion, words, rows, every):
        trials, pairs = _pair_keys(*found, len(words), unsure)
        sampled.append(np.unique(trials * span + pairs))
    pairs, counts = np.unique(
        np.concatenate(sampled or [np.zeros(0, np.int64)]) % span, return_counts=True
    )
    candidates = pairs[counts * every >= threshold * 0.8]  # a margin for the sample's error
    if every == 1:  # every trial is in the sample: its pairs are at hand
        read = ((keys // span, keys % span) for keys in sampled)
    else:
        del sampled
        found = _pairs_in(ids, criterion, words, rows)
        read = (_pair_keys(*positions, len(words), unsure) for positions in found)
    bits = np.zeros((len(candidates), (len(ids) + 7) // 8), dtype=np.uint8)
    for trials, pairs in read:
        rows_of = np.searchsorted(candidates, pairs)
        known = rows_of < len(candidates)
        known[known] = candidates[rows_of[known]] == pairs[known]
        trials, rows_of = trials[known], rows_of[known]
        np.bitwise_or.at(bits, (rows_of, trials >> 3), (128 >> (trials & 7)).astype(np.uint8))
    held = np.array([np.bitwise_count(row).sum() for row in bits])  # no copy of all the bits
    common = np.flatnonzero(held >= threshold)
    step, size = PAIR_DISTANCE + 1, len(words)
    names = [f"{words[k // step // size]} {words[k // step % size]} {k % step}" for k in candidates]
    yield criterion.pairs, np.array(names, dtype=str)[common]
    for part in range(max(1, -(-len(common) // PART_ROWS))):
        rows_of = common[part * PART_ROWS : (part + 1) * PART_ROWS]
        yield f"{criterion.pairs}_matches#{part}", bits[rows_of]
    yield f"{criterion.pairs}_unsure", unsure


def _pairs_in(ids, criterion: TextCriterion, words: list[str], rows, every: int = 1):
    """The positions of a criterion's frequent words in the trials (one in `every`),
    PAIR_CHUNK trials at a time: arrays of the trial's position, the word and its
    position, in order of trial and word position."""
    entry = np.dtype([("code", ">i4"), ("position", ">i2")])
    query = (
        "WITH w AS (SELECT lexeme, (n - 1)::int4 AS code "
        "FROM unnest(%s::text[]) WITH ORDINALITY AS w(lexeme, n)) "
        "SELECT t.id, string_agg(int4send(w.code) || int2send(p), ''::bytea ORDER BY p, w.code) "
        f"FROM {TABLE} t, unnest(t.{criterion.vector}) u, unnest(u.positions) p, w "
        f"WHERE w.lexeme = u.lexeme AND t.id %% {every} = 0 GROUP BY t.id"
    )

    def arrays(chunk):
        lengths = np.array([len(held) // entry.itemsize for _, held in chunk])
        held = np.frombuffer(b"".join(h for _, h in chunk), dtype=entry)
        trial = np.repeat(np.searchsorted(ids, [i for i, _ in chunk]), lengths)
        return trial, held["code"].astype(np.int64), held["position"].astype(np.int64)

    chunk = []
    for row in rows(query, [words]):
        chunk.append(row)
        if len(chunk) == PAIR_CHUNK:
            yield arrays(chunk)
            chunk = []
    if chunk:
        yield arrays(chunk)


def _pair_keys(trial, code, position, size: int, unsure=None):
    """Each (trial, pair) of words the positions make (a pair as (first * size + second)
    * (PAIR_DISTANCE + 1) + distance), as two arrays. Marks in `unsure` the trials whose
    pairs may lack some."""
    step = PAIR_DISTANCE + 1
    trials, pairs = [], []
    # In position order, the words up to PAIR_DISTANCE positions after one are its next
    # PAIR_DISTANCE at most, unless words share positions.
    for k in range(1, step + 1):
        gap = position[k:] - position[:-k]
        near = (trial[k:] == trial[:-k]) & (gap <= PAIR_DISTANCE)
        if k == step:
            if unsure is not None:
                unsure[trial[k:][near]] = True
            break
        near &= gap > 0
        trials.append(trial[:-k][near])
        pairs.append(((code[:-k] * size + code[k:]) * step + gap)[near])
    return np.concatenate(trials), np.concatenate(pairs)


def _rows_on_own_connection(sql: str, params=()):
    """The rows of a query one at a time, streamed from a connection of its own: memory
    stays flat, what is built from them can be stored meanwhile on this connection, and
    PostgreSQL reads with parallel workers (which a server-side cursor would forbid)."""
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


def current() -> Index | None:
    """This process's index, if it is the stored build and the trials are as it was
    built from, else None."""
    with reading().cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(imported_at) FROM {TABLE}), "
            f"(SELECT version FROM {INDEX} WHERE name = %s)",
            [NAME],
        )
        latest, stored = cursor.fetchone()
    return _current(latest.isoformat() if latest else "", stored)


def _current(version: str, stored: str | None) -> Index | None:
    """The index of build `stored`, if it was built from data version `version`."""
    global _loaded
    if stored is None or stored.partition(" ")[0] != version:
        return None
    if _loaded is not None and _loaded.version == stored:
        return _loaded
    with _lock:
        if _loaded is not None and _loaded.version == stored:
            return _loaded
        _loaded = _load(stored)
        return _loaded


def _load(stored: str) -> Index | None:
    """The index of build `stored`, its arrays mapped from files that every server
    process on this machine shares (written by the first process that needs them)."""
    folder = _folder(stored)
    if not (folder / "ids.npy").exists():
        if not _write_files(stored, folder):
            return None
    arrays = {
        path.stem: np.load(path, mmap_mode="r", allow_pickle=False) for path in folder.glob("*.npy")
    }
    return Index(
        stored,
        arrays,
        {
            key: {str(w): i for i, w in enumerate(arrays.pop(c.words))}
            for key, c in CRITERIA.items()
        },
        {f.key: arrays.pop(f"{f.key}_values").tolist() for f in FACETS if f.kind is Kind.TERMS},
        {
            key: {str(p): i for i, p in enumerate(arrays.pop(c.pairs, []))}
            for key, c in CRITERIA.items()
            if c.pairs
        },
    )


def _folder(stored: str) -> Path:
    """The folder of a build's files, in a folder of the database's own."""
    params = reading().settings_dict
    database = hashlib.sha256(f"{params['HOST']} {params['NAME']}".encode()).hexdigest()[:16]
    build = hashlib.sha256(stored.encode()).hexdigest()[:16]
    return Path(settings.SEARCH_INDEX_DIR) / database / build


def _write_files(stored: str, folder: Path) -> bool:
    """Copy build `stored` from the database into `folder`, one .npy file per array;
    False when the build is gone. The folder appears whole (renamed into place), and
    older builds' folders are removed (processes that map them keep their pages)."""
    database = reading()
    database.ensure_connection()
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".partial-"))
    try:
        parts: dict[str, dict[int, np.ndarray]] = {}
        # Streamed a row at a time: reading the whole result at once would hold every
        # array twice.
        with psycopg.Cursor(database.connection) as raw:
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
                    np.save(partial / f"{name}.npy", array, allow_pickle=False)
        if not (partial / "ids.npy").exists():
            return False
        for name, found in parts.items():
            np.save(partial / f"{name}.npy", np.concatenate([found[p] for p in sorted(found)]))
        try:
            partial.rename(folder)
        except OSError:
            if not (folder / "ids.npy").exists():  # not another process's copy: a real error
                raise
        for other in folder.parent.iterdir():  # the database's older builds
            if other != folder and not other.name.startswith(".partial-"):
                shutil.rmtree(other, ignore_errors=True)
        return True
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def forget() -> None:
    """Drop the stored index (trials were deleted): the SQL engine answers until the next build."""
    global _loaded
    SearchIndex.objects.filter(name__startswith=NAME).delete()
    _loaded = None


# Searching


class Text:
    """A text criterion over the index: the trials it matches and, for relevance, those
    whose rank_document fields hold its wanted words (relevance.py)."""

    def __init__(self, index: Index, criterion: TextCriterion, node: tsquery.Node):
        self.index, self.criterion, self.node = index, criterion, node
        # Words too rare for bitmaps: their trials, looked up in PostgreSQL (rare_words).
        self.rare: dict[str, dict[str, np.ndarray]] = {}
        # The other criteria's masks: a phrase is checked only on the trials that fail
        # at most one of them, the only ones a count or the page asks this text about.
        self.others: list[np.ndarray] = []

    @cached_property
    def asked(self) -> np.ndarray | None:
        """The trials that fail at most one of the other criteria (None: every trial)."""
        if len(self.others) < 2:
            return None
        failed = np.zeros(self.index.size, dtype=np.int8)
        for mask in self.others:
            failed += ~mask
        return failed <= 1

    def rare_words(self) -> set[str]:
        return {
            w for w in tsquery.words(self.node) if w not in self.index.words[self.criterion.key]
        }

    def leaf(self, name: str, word: str) -> np.ndarray:
        """The trials whose bitmaps `name` hold `word`."""
        found = self.index.bitmap(self.criterion, name, word)
        return self.rare[word][name] if found is None else found

    def matches(self) -> np.ndarray:
        return self._evaluate(self.node, self.criterion.matches)

    def held(self, name: str) -> np.ndarray:
        """The trials whose field `name` holds the wanted words."""
        node = tsquery.loosened(self.node)
        if node is None:
            return np.zeros(self.index.size, dtype=bool)
        return self._evaluate(node, name)

    def _evaluate(
        self, node: tsquery.Node, name: str, within: np.ndarray | None = None, check: bool = True
    ) -> np.ndarray:
        """The trials `node` matches, exact among `within` (every trial when None): what
        an AND's other side rules out is never checked for a phrase. Unchecked (inside
        a phrase, which PostgreSQL checks whole), a phrase is only the AND of its words."""
        if isinstance(node, tsquery.Word):
            return self.leaf(name, node.lexeme)
        if isinstance(node, tsquery.Not):
            return ~self._evaluate(node.operand, name, within, check)
        if isinstance(node, tsquery.Or):
            return self._evaluate(node.left, name, within, check) | self._evaluate(
                node.right, name, within, check
            )
        phrase = isinstance(node, tsquery.Phrase)
        inner = check and not phrase
        first, second = node.left, node.right
        if tsquery.has_phrase(first) and not tsquery.has_phrase(second):
            first, second = second, first
        found = self._evaluate(first, name, within, inner)
        narrowed = found if within is None else found & within
        both = found & self._evaluate(second, name, narrowed, inner)
        if phrase and check and both.any():
            return self._phrase(node, both if within is None else both & within)
        return both

    def _phrase(self, node: tsquery.Phrase, candidates: np.ndarray) -> np.ndarray:
        """Of the candidates (trials holding both sides), those where they stand as the
        phrase says (exact where a count or the page can ask; False elsewhere): from the
        bitmaps of its pairs of words where it has them, else checked in PostgreSQL."""
        if self.asked is not None:
            candidates = candidates & self.asked
        pairs = [self.index.pair(self.criterion, *pair) for pair in tsquery.pairs(node) or []]
        if all(found is None for found in pairs):
            return self._checked(node, candidates)
        unsure = self.index.arrays[f"{self.criterion.pairs}_unsure"]
        for found in pairs:
            if found is not None:
                candidates = candidates & (found | unsure)
        if len(pairs) > 1:
            return self._checked(node, candidates)
        # The phrase is its one pair: only the unsure trials are left to check.
        return (candidates & ~unsure) | self._checked(node, candidates & unsure)

    def _checked(self, node: tsquery.Phrase, candidates: np.ndarray) -> np.ndarray:
        """The candidates where PostgreSQL finds the phrase."""
        mask = np.zeros(self.index.size, dtype=bool)
        if not candidates.any():
            return mask
        ids = self.index.arrays["ids"]
        # One array literal: psycopg adapts a list element by element, slowly for the
        # many candidates of a phrase of common words.
        listed = "{" + ",".join(map(str, ids[candidates].tolist())) + "}"
        with reading().cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {TABLE} WHERE id = ANY(%s::bigint[]) "
                f"AND {self.criterion.vector} @@ %s::tsquery",
                [listed, tsquery.text(node)],
            )
            found = [row[0] for row in cursor.fetchall()]
        mask[np.searchsorted(ids, found)] = True
        return mask


@dataclass
class Prepared:
    index: Index
    masks: dict[str, np.ndarray]  # every criterion (texts too) as a mask, by key
    texts: dict[str, Text]
    # With a place: the place, and each trial's km to its nearest site that counts (inf
    # beyond the bands' reach).
    near: geo.Near | None = None
    distances: np.ndarray | None = None

    def matching(self, without: str | None = None) -> np.ndarray:
        """The trials meeting every criterion but `without`."""
        found = np.ones(self.index.size, dtype=bool)
        for key, mask in self.masks.items():
            if key != without:
                found &= mask
        return found

    def relevance(self) -> np.ndarray:
        """The SQL engine's relevance of every trial, from the bitmaps."""
        score = np.zeros(self.index.size, dtype=np.int32)
        counts = self.index.arrays["conditions"]
        for text in self.texts.values():
            for name, (_, points) in text.criterion.fields.items():
                score += text.held(name) * points_by_count(points, counts)
        return score


def _prepare(criteria: Criteria) -> Prepared | None:
    """What a search this index can answer needs, else None."""
    if not settings.SEARCH_BITMAPS or criteria.only_statuses:
        return None  # the SQL engine reads statuses alone from trials_statussummary, as fast
    version, stored, parsed = _state(criteria)
    index = _current(version, stored)
    if index is None:
        return None
    texts = {}
    for key, node in parsed.items():
        if node is None:
            return None  # only stop words: nothing to match, and the SQL engine says so
        texts[key] = Text(index, CRITERIA[key], node)
    _look_up_rare_words(index, list(texts.values()))
    masks = filter_masks(criteria, index)
    distances = None
    if criteria.near:
        if "site_points" not in index.arrays:
            return None  # a build made before the index held the sites' points
        distances = _distances(criteria, index)
        masks[DISTANCE.key] = distances <= criteria.radius_km
    for key, text in texts.items():
        text.others = list(masks.values())
        masks[key] = text.matches()
    return Prepared(index, masks, texts, criteria.near, distances)


def _distances(criteria: Criteria, index: Index) -> np.ndarray:
    """Each trial's km to its nearest site that counts, within the largest radius
    offered (the bands' reach; inf beyond): the points within reach, then their trials."""
    a = index.arrays
    near = criteria.near
    reach = near.km(float(RADII[-1]))
    km = geo.km_to_points(near.lat, near.lon, a["site_points"])
    within = np.flatnonzero(km <= reach)
    starts = a["site_ptr"][within]
    lengths = a["site_ptr"][within + 1] - starts
    # The indexes of the points' trials in site_pos, range after range.
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    rows = offsets + np.arange(int(lengths.sum()))
    positions, found = a["site_pos"][rows], np.repeat(km[within], lengths)
    if not criteria.every_site:
        counting = a["site_open"][rows]
        positions, found = positions[counting], found[counting]
    distances = np.full(index.size, np.inf)
    np.minimum.at(distances, positions, found)
    return distances


def _state(criteria: Criteria) -> tuple[str, str | None, dict[str, tsquery.Node | None]]:
    """The data version, the stored index's version and the parsed text criteria: one
    query."""
    terms = criteria.condition_terms if criteria.condition else ()
    with reading().cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(imported_at) FROM {TABLE}), "
            f"(SELECT version FROM {INDEX} WHERE name = %s), "
            f"{tsquery.query_sql('q')}::text, "
            + (f"{tsquery.query_sql('condition', len(terms))}::text" if terms else "''"),
            [NAME, criteria.q, *terms],
        )
        latest, stored, q, condition = cursor.fetchone()
    texts = {"q": q, "condition": condition}
    parsed = {key: tsquery.parse(texts[key]) for key in criteria.texts()}
    return (latest.isoformat() if latest else ""), stored, parsed


def _look_up_rare_words(index: Index, texts: list[Text]) -> None:
    """Find in PostgreSQL, in one query whose index finds few rows, the trials of the words
    too rare for bitmaps, for every field a text reads (Text.rare)."""
    wanted = [(text, word) for text in texts for word in sorted(text.rare_words())]
    if not wanted:
        return
    columns, params, where, where_params = [], [], [], []
    for text, word in wanted:
        query = tsquery.text(tsquery.Word(word))
        columns.append(f"{text.criterion.vector} @@ %s::tsquery")
        params.append(query)
        for letters, _ in text.criterion.fields.values():
            columns.append(f"ts_filter(rank_document, '{{{','.join(letters)}}}') @@ %s::tsquery")
            params.append(query)
        where.append(f"{text.criterion.vector} @@ %s::tsquery")
        where_params.append(query)
    with reading().cursor() as cursor:
        cursor.execute(
            f"SELECT id, {', '.join(columns)} FROM {TABLE} WHERE {' OR '.join(where)}",
            [*params, *where_params],
        )
        rows = cursor.fetchall()
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    flags = np.array([row[1:] for row in rows], dtype=bool).reshape(len(rows), len(columns))
    positions = np.searchsorted(index.arrays["ids"], ids)
    column = 0
    for text, word in wanted:
        masks = {}
        for name in [text.criterion.matches, *text.criterion.fields]:
            mask = np.zeros(index.size, dtype=bool)
            mask[positions[flags[:, column]]] = True
            masks[name] = mask
            column += 1
        text.rare[word] = masks


def page(criteria: Criteria, offset: int, limit: int) -> list[int] | None:
    """One page of ids, as sql.page gives; None if this index cannot answer."""
    if (prepared := _prepare(criteria)) is None:
        return None
    return _page(criteria, prepared, offset, limit)


def counts_and_page(
    criteria: Criteria, offset: int, limit: int
) -> tuple[dict[str, dict[str, int]], list[int]] | None:
    """Every facet's counts and one page of ids, as sql.counts_and_page gives; None if
    this index cannot answer."""
    if (prepared := _prepare(criteria)) is None:
        return None
    counts = {facet.key: _count(facet, prepared) for facet in FACETS}
    return counts, _page(criteria, prepared, offset, limit)


def matching(criteria: Criteria) -> np.ndarray | None:
    """The ids of the matching trials, in order; None if this index cannot answer."""
    if (prepared := _prepare(criteria)) is None:
        return None
    return prepared.index.arrays["ids"][prepared.matching()]


def relaxations(criteria: Criteria) -> dict[str, int] | None:
    """As sql.relaxations; None if this index cannot answer."""
    if (prepared := _prepare(criteria)) is None:
        return None
    return {key: int(np.count_nonzero(prepared.matching(key))) for key in criteria.keys()}


def _codes(facet: Facet, values) -> list[int]:
    stored = facet.stored
    return [stored.index(v) + 1 for v in values if v in stored]


def filter_masks(criteria: Criteria, index: Index) -> dict[str, np.ndarray]:
    """Each criterion but the texts and the distance as a mask, by key."""
    a = index.arrays
    masks = {}
    for facet, values in criteria.filters().items():
        if facet.kind is Kind.DISTANCE:
            continue  # _distances
        column = a.get(facet.key)
        if facet.kind is Kind.VALUE:
            masks[facet.key] = np.isin(column, _codes(facet, [*values, *facet.wildcards]))
        elif facet.kind is Kind.FLAG:
            masks[facet.key] = column == (1 if values[0] == "true" else 2)
        elif facet.kind is Kind.VALUES:
            wanted = sum(1 << (code - 1) for code in _codes(facet, values))
            masks[facet.key] = (column & wanted) != 0
        else:
            vocabulary = index.terms[facet.key]
            codes = [i for i, v in enumerate(vocabulary) if v in set(values)]
            mask = np.zeros(index.size, dtype=bool)
            mask[a[f"{facet.key}_pos"][np.isin(a[f"{facet.key}_code"], codes)]] = True
            masks[facet.key] = mask
    if (days := criteria.age_days) is not None:
        low, high = days
        ages = (a["min_age"] <= high) & (a["max_age"] >= low)
        masks[AGE_KEY] = masks[AGE_KEY] & ages if AGE_KEY in masks else ages
    return masks


def _count(facet: Facet, prepared: Prepared) -> dict[str, int]:
    """The counts of a facet's options, its own criterion left out; zeros left out."""
    if facet.kind is Kind.DISTANCE:
        if prepared.distances is None:
            return {}
        found = prepared.matching(facet.key)
        near = prepared.near
        counted = {
            radius: np.count_nonzero(found & (prepared.distances <= near.km(float(radius))))
            for radius in facet.codes
        }
        return {radius: int(n) for radius, n in counted.items() if n}
    index = prepared.index
    a = index.arrays
    found = prepared.matching(facet.key)
    if facet.kind is Kind.TERMS:
        vocabulary = index.terms[facet.key]
        pos, code = a[f"{facet.key}_pos"], a[f"{facet.key}_code"]
        counts = np.bincount(code[found[pos]], minlength=len(vocabulary))
        order = np.lexsort((np.arange(len(counts)), -counts))[: facet.size]
        return {vocabulary[i]: int(counts[i]) for i in order if counts[i]}
    column = a[facet.key][found]
    if facet.kind is Kind.VALUES:
        counted = {
            code: np.count_nonzero(column & (1 << (facet.stored.index(code))))
            for code in facet.codes
        }
    else:
        held = np.bincount(column, minlength=max(len(facet.stored) + 1, 3))
        if facet.kind is Kind.FLAG:
            counted = {"true": held[1], "false": held[2]}
        else:
            either = sum(held[c] for c in _codes(facet, facet.wildcards))
            counted = {code: held[_codes(facet, [code])[0]] for code in facet.codes}
            if facet.wildcards:
                counted = {code: n + either for code, n in counted.items()}
    return {code: int(n) for code, n in counted.items() if n}


def _page(criteria: Criteria, prepared: Prepared, offset: int, limit: int) -> list[int]:
    """One page of ids in the SQL engine's order: by relevance (most first), then most
    recently updated; or newest first; or nearest first."""
    hits = np.flatnonzero(prepared.matching())
    if offset >= len(hits):
        return []
    index = prepared.index
    a = index.arrays
    if criteria.sort == "nearest" and prepared.distances is not None:
        # Nearest first, then the most recently updated, as the SQL engine orders them.
        order = np.lexsort((a["updated"][hits], prepared.distances[hits]))
        return a["ids"][hits[order[offset : offset + limit]]].tolist()
    if criteria.sort == "newest":
        key = a["newest"][hits].astype(np.int64)
    else:
        key = a["updated"][hits].astype(np.int64)
        if criteria.ranked:
            # Relevance first, then open to enrollment, then the most recently updated.
            first = prepared.relevance()[hits].astype(np.int64) * 2 + a["open"][hits]
            key -= first * (index.size + 1)
    wanted = min(offset + limit, len(hits))
    first = (
        np.argpartition(key, wanted - 1)[:wanted] if wanted < len(hits) else np.arange(len(hits))
    )
    first = first[np.argsort(key[first], kind="stable")]
    return a["ids"][hits[first[offset:wanted]]].tolist()
