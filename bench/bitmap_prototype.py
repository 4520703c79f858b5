"""Experiment, not used by the site: facet counts from in-memory bitmaps instead of rows.

    .venv/bin/python bench/bitmap_prototype.py --size 600000

Issue 6's search targets (p95 <= 100 ms at 600,000 trials) are not met by PostgreSQL
visiting each matching trial's row (BENCHMARKS.md). This measures the design that would
meet them: every trial gets a position 0..N-1; the facet columns become arrays indexed
by position; each full-text lexeme matching at least 1% of trials gets a bitmap of the
trials it matches (its posting list, built from the stored text vectors). A search ANDs
the bitmaps of its words and criteria and counts every facet option with numpy, then
takes a page in "recently updated" order. It prints the cost to build and load all
that and the time of a few broad searches, with every facet counted.

What it does not do, and a real engine must: relevance ranking (ts_rank_cd needs each
matching row; the bitmaps can only rank by which fields a word occurs in), phrases
and rare words (those would stay with PostgreSQL, whose index finds few rows fast),
and keeping the bitmaps current after an import.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import BASE, PYTHON, bench_env  # noqa: E402

PHASES = ["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"]
AGE_GROUPS = ["CHILD", "ADULT", "OLDER_ADULT"]
OPEN = ["RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"]
SEARCHES = [
    ("placebo, open trials", {"words": ["placebo"]}),
    ("placebo, every status", {"words": ["placebo"], "statuses": []}),
    ("quality AND life", {"words": ["qualiti", "life"]}),
    ("condition neoplasm", {"condition": ["neoplasm"]}),
    (
        "condition diabetes mellitus, recruiting, phase 2, age 40",
        {
            "condition": ["diabet", "mellitus"],
            "statuses": ["RECRUITING"],
            "phase": "PHASE2",
            "age": 40,
        },
    ),
    ("pain, age 45", {"words": ["pain"], "age": 45}),
]


def elapsed(started: float) -> float:
    return time.perf_counter() - started


class Index:
    """The facet arrays and word bitmaps of one database, in trial-position order."""

    def __init__(self, cursor):
        import numpy as np

        self.np = np
        started = time.perf_counter()
        cursor.execute(
            "SELECT trial_id, overall_status, study_type, sex, healthy_volunteers, phases, "
            "std_ages, min_age_days, max_age_days, countries, mesh_terms, last_update, nct_id "
            "FROM trials_trialfacets ORDER BY trial_id"
        )
        rows = cursor.fetchall()
        self.load_seconds = elapsed(started)
        started = time.perf_counter()
        n = self.n = len(rows)
        self.ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
        self.status_values, self.status = self._codes(rows, 1)
        self.type_values, self.type = self._codes(rows, 2)
        self.sex_values, self.sex = self._codes(rows, 3)
        self.healthy_values, self.healthy = self._codes(rows, 4)
        self.phases = self._bits(rows, 5, PHASES)
        self.age_groups = self._bits(rows, 6, AGE_GROUPS)
        self.min_age = np.fromiter(
            (-1 if r[7] is None else r[7] for r in rows), dtype=np.int32, count=n
        )
        self.max_age = np.fromiter(
            (2**30 if r[8] is None else r[8] for r in rows), dtype=np.int32, count=n
        )
        self.countries, self.country_doc, self.country_code = self._lists(rows, 9)
        self.mesh, self.mesh_doc, self.mesh_code = self._lists(rows, 10)
        order = sorted(
            range(n),
            key=lambda i: (
                rows[i][11] is None,
                -rows[i][11].toordinal() if rows[i][11] else 0,
                rows[i][12],
            ),
        )
        self.update_rank = np.empty(n, dtype=np.int32)
        self.update_rank[np.array(order)] = np.arange(n, dtype=np.int32)
        self.arrays_seconds = elapsed(started)
        self.words, self.words_seconds = self._bitmaps(cursor, "search_document")
        self.conditions, self.conditions_seconds = self._bitmaps(cursor, "condition_document")

    def _codes(self, rows, column):
        values = sorted({r[column] for r in rows}, key=lambda v: (v is None, str(v)))
        index = {v: i for i, v in enumerate(values)}
        return values, self.np.fromiter(
            (index[r[column]] for r in rows), dtype=self.np.int16, count=self.n
        )

    def _bits(self, rows, column, names):
        return self.np.fromiter(
            (sum(1 << names.index(v) for v in r[column] or [] if v in names) for r in rows),
            dtype=self.np.uint8,
            count=self.n,
        )

    def _lists(self, rows, column):
        """A multi-valued column as (vocabulary, position of each entry, code of each entry)."""
        vocabulary: dict[str, int] = {}
        docs, codes = [], []
        for position, row in enumerate(rows):
            for value in row[column] or []:
                docs.append(position)
                codes.append(vocabulary.setdefault(value, len(vocabulary)))
        np = self.np
        return list(vocabulary), np.array(docs, dtype=np.int32), np.array(codes, dtype=np.int32)

    def _bitmaps(self, cursor, vector):
        np = self.np
        started = time.perf_counter()
        cursor.execute("SET work_mem = '512MB'")
        cursor.execute(
            f"SELECT lexeme, array_agg(id) FROM trials_trial, unnest({vector}) "
            "GROUP BY lexeme HAVING count(*) >= %s",
            [max(1, self.n // 100)],
        )
        bitmaps = {}
        for lexeme, ids in cursor.fetchall():
            found = np.zeros(self.n, dtype=bool)
            found[np.searchsorted(self.ids, np.array(ids, dtype=np.int64))] = True
            bitmaps[lexeme] = np.packbits(found)
        return bitmaps, elapsed(started)

    def search(self, words=(), condition=(), statuses=None, phase=None, age=None):
        """Every facet's counts (each ignoring its own criterion) and a page of 20."""
        np = self.np
        match = np.ones(self.n, dtype=bool)
        for lexeme in words:
            match &= np.unpackbits(self.words[lexeme]).view(bool)[: self.n]
        for lexeme in condition:
            match &= np.unpackbits(self.conditions[lexeme]).view(bool)[: self.n]
        statuses = OPEN if statuses is None else statuses
        criteria = {}
        if statuses:
            codes = [self.status_values.index(s) for s in statuses if s in self.status_values]
            criteria["status"] = np.isin(self.status, codes)
        if phase:
            criteria["phase"] = (self.phases & (1 << PHASES.index(phase))) != 0
        if age is not None:
            low, high = int(age * 365.25), int((age + 1) * 365.25) - 1
            criteria["age"] = (self.min_age <= high) & (self.max_age >= low)

        def matching(without=None):
            found = match.copy()
            for key, mask in criteria.items():
                if key != without:
                    found &= mask
            return found

        counts = {
            "status": np.bincount(self.status[matching("status")]),
            "phase": [
                np.count_nonzero(self.phases[matching("phase")] & (1 << i))
                for i in range(len(PHASES))
            ],
            "age_group": [
                np.count_nonzero(self.age_groups[matching("age")] & (1 << i))
                for i in range(len(AGE_GROUPS))
            ],
        }
        found = matching()
        counts["sex"] = np.bincount(self.sex[found])
        counts["healthy"] = np.bincount(self.healthy[found])
        counts["type"] = np.bincount(self.type[found])
        countries = np.bincount(self.country_code[found[self.country_doc]])
        counts["country"] = np.argsort(-countries)[:60]
        mesh = np.bincount(self.mesh_code[found[self.mesh_doc]])
        counts["condition"] = np.argsort(-mesh)[:12]
        hits = np.flatnonzero(found)
        page = hits[np.argsort(self.update_rank[hits])[:20]]
        return int(found.sum()), counts, self.ids[page]


def measure(size: int) -> None:
    import django

    sys.path.insert(0, str(BASE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")
    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        index = Index(cursor)
    print(f"{index.n:,} trials")
    print(f"  read the facet columns:           {index.load_seconds:6.1f} s")
    print(f"  build the facet arrays in Python: {index.arrays_seconds:6.1f} s")
    print(
        f"  bitmaps of {len(index.words)} words (>= 1% of trials): {index.words_seconds:6.1f} s, "
        f"{sum(b.nbytes for b in index.words.values()) / 1e6:.0f} MB"
    )
    print(
        f"  bitmaps of {len(index.conditions)} condition words: {index.conditions_seconds:6.1f} s"
    )
    print("  search (best of 5; every facet counted, a page of 20 in update order):")
    for label, criteria in SEARCHES:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            total, _, _ = index.search(**criteria)
            times.append(elapsed(started) * 1000)
        print(f"    {label:<58} {min(times):6.1f} ms  {total:>8,} matches")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=600_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.size)
        return
    env = bench_env(f"trialfinder_bench_{args.size}")
    subprocess.run(
        [PYTHON, __file__, "--child", "--size", str(args.size)], cwd=BASE, env=env, check=True
    )


if __name__ == "__main__":
    main()
