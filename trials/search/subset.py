"""Searches answered over a few thousand trials only: which of the trials an import
changed each of many searches matches (e-mail alerts).

Running every subscription's search over the whole store would take hours, and all but
the changed trials are known not to be news. `Subset(ids)` loads the changed trials once
into an index of the bitmaps engine's shape, keeping every word however rare, and
`matching(criteria)` answers each search with that engine's masks and its reading of
the words (phrases checked in PostgreSQL on the few trials holding their words), and a
place by the distances to the trials' sites, measured in NumPy. A search of stop words
alone is asked of PostgreSQL, restricted to the same trials (`sql.among`). Either way a
trial matches exactly when the search page would list it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from django.db import connection

from .. import geo
from ..models import Site, Trial
from . import bitmaps, sql, tsquery
from .criteria import Criteria
from .facets import FACETS, Facet, Kind

TABLE = Trial._meta.db_table


class Subset:
    """The trials of `ids` as a small bitmaps index, and the searches answered on it."""

    def __init__(self, ids: Iterable[int]):
        self.index = _load(sorted(set(ids)))
        self.ids = self.index.arrays["ids"]  # those still in the store
        self._sites: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def size(self) -> int:
        return len(self.ids)

    def matching(self, criteria: Criteria) -> np.ndarray:
        """Which trials of the subset match, as a mask in the order of `ids`."""
        if not self.size:
            return np.zeros(0, dtype=bool)
        found = self._near(criteria) if criteria.near else np.ones(self.size, dtype=bool)
        for key, node in tsquery.parsed(criteria).items():
            if node is None:
                return self._in_postgresql(criteria)  # only stop words: as the SQL engine says
            if key not in self.index.words:
                self._load_text_words()
            text = bitmaps.Text(self.index, bitmaps.CRITERIA[key], node)
            # The subset keeps every word its trials hold: another word matches none of them.
            nothing = np.zeros(self.size, dtype=bool)
            text.rare = {word: {text.criterion.matches: nothing} for word in text.rare_words()}
            found &= text.matches()
        for mask in bitmaps.filter_masks(criteria, self.index).values():
            found &= mask
        return found

    def _near(self, criteria: Criteria) -> np.ndarray:
        """The trials with a site that counts within the search's distance of its place
        (the sites' points loaded for the first search with a place)."""
        if self._sites is None:
            self._sites = _sites(self.ids)
        positions, points, open_site = self._sites
        near = criteria.near
        counts = np.ones(len(positions), dtype=bool) if criteria.every_site else open_site
        within = geo.km_to_points(near.lat, near.lon, points) <= criteria.radius_km
        found = np.zeros(self.size, dtype=bool)
        found[positions[counts & within]] = True
        return found

    def _load_text_words(self) -> None:
        """The free-text words are many: loaded for the first search that has words."""
        criterion = bitmaps.CRITERIA["q"]
        words, self.index.arrays[criterion.matches] = _word_bitmaps(
            _column(self.ids, f"tsvector_to_array({criterion.vector})")
        )
        self.index.words[criterion.key] = words

    def _in_postgresql(self, criteria: Criteria) -> np.ndarray:
        found = sql.among(criteria, self.ids.tolist())
        return np.isin(self.ids, np.array(found, dtype=np.int64))


def _load(ids: list[int]) -> bitmaps.Index:
    """The index of the trials of `ids` (those that exist), without the free-text words."""
    stored = [f for f in FACETS if f.column]  # the distance facet has no column
    columns = list(dict.fromkeys(f.column for f in stored))
    condition = bitmaps.CRITERIA["condition"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {', '.join(columns)}, min_age_days, max_age_days, "
            f"tsvector_to_array({condition.vector}) FROM {TABLE} WHERE id = ANY(%s) ORDER BY id",
            [ids],
        )
        rows = cursor.fetchall()
    values = {column: [row[i] for row in rows] for i, column in enumerate(["id", *columns])}
    arrays: dict[str, np.ndarray] = {"ids": np.array(values["id"], dtype=np.int64)}
    terms: dict[str, list[str]] = {}
    for facet in stored:
        arrays.update(_facet_arrays(facet, values[facet.column], terms))
    n = len(columns) + 1
    arrays["min_age"] = np.array([-1 if r[n] is None else r[n] for r in rows], dtype=np.int32)
    arrays["max_age"] = np.array(
        [bitmaps.NO_MAX_AGE if r[n + 1] is None else r[n + 1] for r in rows], dtype=np.int32
    )
    words, arrays[condition.matches] = _word_bitmaps([r[n + 2] or [] for r in rows])
    return bitmaps.Index("subset", arrays, {condition.key: words}, terms)


def _sites(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The listed sites with a point of the trials of `ids`: each one's trial (its
    position in `ids`), its point (latitude, longitude), and whether it counts when only
    sites open to enrollment do (geo.counting_sql)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.trial_id, s.latitude, s.longitude, {geo.counting_sql(False)} "
            f"FROM {Site._meta.db_table} s JOIN {TABLE} t ON t.id = s.trial_id "
            f"WHERE s.trial_id = ANY(%s) AND {geo.counting_sql(True)}",
            [ids.tolist()],
        )
        rows = cursor.fetchall()
    trials, lat, lon, open_site = zip(*rows, strict=True) if rows else ((), (), (), ())
    points = np.column_stack([np.array(lat, dtype=np.float64), np.array(lon, dtype=np.float64)])
    positions = np.searchsorted(ids, np.array(trials, dtype=np.int64))
    return positions, points, np.array(open_site, dtype=bool)


def _column(ids: np.ndarray, expression: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {expression} FROM {TABLE} WHERE id = ANY(%s) ORDER BY id", [ids.tolist()]
        )
        found = [row[0] for row in cursor.fetchall()]
    if len(found) != len(ids):  # deleted meanwhile: the positions would not line up
        raise LookupError("a trial of the subset was deleted while it was searched")
    return found


def _facet_arrays(facet: Facet, values: list, terms: dict[str, list[str]]):
    """A facet's column coded as bitmaps.rebuild codes it (see bitmaps._facet_arrays)."""
    stored = {value: code for code, value in enumerate(facet.stored, start=1)}
    if facet.kind is Kind.VALUE:
        yield facet.key, np.array([stored.get(v, 0) for v in values], dtype=np.int8)
    elif facet.kind is Kind.FLAG:
        codes = [1 if v is True else 2 if v is False else 0 for v in values]
        yield facet.key, np.array(codes, dtype=np.int8)
    elif facet.kind is Kind.VALUES:
        bits = [sum({1 << (stored[v] - 1) for v in held or () if v in stored}) for held in values]
        yield facet.key, np.array(bits, dtype=np.uint8)
    else:
        vocabulary = sorted({v for held in values for v in held or ()})
        code = {value: i for i, value in enumerate(vocabulary)}
        pairs = [(pos, code[v]) for pos, held in enumerate(values) for v in held or ()]
        positions, codes = zip(*pairs, strict=True) if pairs else ((), ())
        terms[facet.key] = vocabulary
        yield f"{facet.key}_pos", np.array(positions, dtype=np.int32)
        yield f"{facet.key}_code", np.array(codes, dtype=np.int32)


def _word_bitmaps(held: list[list[str] | None]) -> tuple[dict[str, int], np.ndarray]:
    """Each word any trial holds, and a row of packed bits per word (one per trial)."""
    positions: dict[str, list[int]] = {}
    for position, words in enumerate(held):
        for word in words or ():
            positions.setdefault(word, []).append(position)
    packed = np.zeros((len(positions), (len(held) + 7) // 8), dtype=np.uint8)
    found = np.zeros(len(held), dtype=bool)
    for row, trials in enumerate(positions.values()):
        found[:] = False
        found[trials] = True
        packed[row] = np.packbits(found)
    return {word: row for row, word in enumerate(positions)}, packed
