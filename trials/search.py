"""Trial search: criteria to SQL, ranked results, and disjunctive facet counts in one query.

`Criteria` holds a cleaned search (what the FilterSet produces). Each criterion
is one SQL condition, so the same condition serves the result list and every
facet: a facet's counts apply every other criterion but not its own (the
standard disjunctive rule). All facets are counted, and the page of results
found, in a single statement (Criteria.search).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, TrigramSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from . import bitmaps
from .bitmaps import CONDITION_FACET_SIZE, COUNTRY_FACET_SIZE, data_version
from .ctgov import normalize_term
from .models import (
    DAYS_PER_YEAR,
    OPEN_STATUSES,
    AgeGroup,
    ConditionTerm,
    Phase,
    Status,
    StatusSummary,
    StudyType,
    Trial,
    TrialFacets,
)

TABLE = Trial._meta.db_table
FACETS = TrialFacets._meta.db_table
SUMMARY = StatusSummary._meta.db_table
# What the enumerated facets' criteria test, but the age in years (see Criteria.search).
GROUP_COLUMNS = "overall_status, study_type, sex, healthy_volunteers, phases, std_ages"
# What Criteria.search reads of each text match.
MATCHED_COLUMNS = f"{GROUP_COLUMNS}, min_age_days, max_age_days, countries, mesh_terms"
# ts_headline marks matches with these; the template escapes the text, then turns them into <mark>.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\x02", "\x03"
# Facets with a fixed set of options: (value, predicate on `f`) for each option.
ENUMERATED_FACETS = {
    "phase": [(v, "f.phases @> ARRAY[%s]::varchar[]") for v in Phase.values],
    "status": [(v, "f.overall_status = %s") for v in Status.values],
    "age_group": [(v, "f.std_ages @> ARRAY[%s]::varchar[]") for v in AgeGroup.values],
    "sex": [(v, "f.sex IN (%s, 'ALL', '')") for v in ("FEMALE", "MALE")],
    "healthy": [
        ("true", "f.healthy_volunteers IS TRUE"),
        ("false", "f.healthy_volunteers IS FALSE"),
    ],
    "type": [(v, "f.study_type = %s") for v in StudyType.values],
}
SORTS = {
    "relevance": "Best match",
    "newest": "Newest first",
    "updated": "Recently updated",
}


@dataclass
class Criteria:
    q: str = ""
    condition: str = ""
    phases: list[str] = field(default_factory=list)
    statuses: list[str] | None = None  # None: open to enrollment; []: every status
    age: int | None = None
    age_groups: list[str] = field(default_factory=list)
    sex: str = ""
    healthy: bool | None = None
    countries: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    sort: str = "relevance"

    @property
    def effective_statuses(self) -> list[str]:
        if self.statuses is None:
            return [str(s) for s in OPEN_STATUSES]
        return self.statuses

    def text_predicates(self) -> dict[str, tuple[str, list]]:
        """The text criteria as conditions on trials_trial's indexed vectors."""
        found = {}
        if self.q:
            found["q"] = ("search_document @@ websearch_to_tsquery('english', %s)", [self.q])
        if self.condition:
            found["condition"] = (
                "condition_document @@ plainto_tsquery('english', %s)",
                [normalize_term(self.condition)],
            )
        return found

    def text_matches(self) -> dict[str, tuple[str, list]]:
        """The text criteria as SELECTs of the ids of the trials that match."""
        return {
            key: (f"SELECT id FROM {TABLE} WHERE {sql}", params)
            for key, (sql, params) in self.text_predicates().items()
        }

    def with_text_matches(self) -> tuple[str, list]:
        """A WITH clause that finds the text matches once for a statement of many SELECTs."""
        ctes = [
            (f"{key}_ids AS MATERIALIZED ({sql})", params)
            for key, (sql, params) in self.text_matches().items()
        ]
        if not ctes:
            return "", []
        return "WITH " + ", ".join(sql for sql, _ in ctes) + " ", [p for _, ps in ctes for p in ps]

    def clauses(
        self, *, shared_text: bool = False, direct_text: bool = False, grouped: bool = False
    ) -> dict[str, tuple[str, list]]:
        """One SQL condition per criterion, keyed by the facet it belongs to.

        The conditions are on `f`: the narrow trials_trialfacets table, or trials_trial,
        whose columns it copies under the same names. Text criteria match ids found in
        trials_trial's indexed vectors (or, with shared_text, the ids with_text_matches()
        found); with direct_text, `f` is trials_trial and they test its vectors. With
        grouped, `f` is a group of trials (see _counts_and_page) that already match the text
        and the country, with the age criterion as the boolean age_ok.
        """
        c: dict[str, tuple[str, list]] = {}
        for key, (sql, params) in ({} if grouped else self.text_predicates()).items():
            if direct_text:
                c[key] = (f"f.{sql}", params)
            elif shared_text:
                c[key] = (f"f.trial_id IN (SELECT id FROM {key}_ids)", [])
            else:
                c[key] = (f"f.trial_id IN (SELECT id FROM {TABLE} WHERE {sql})", params)
        if self.phases:
            c["phase"] = ("f.phases && %s::varchar[]", [self.phases])
        if self.effective_statuses:
            c["status"] = ("f.overall_status = ANY(%s)", [self.effective_statuses])
        ages = []
        if self.age is not None:
            ages.append(("f.age_ok", []) if grouped else self.age_clause())
        if self.age_groups:
            ages.append(("f.std_ages && %s::varchar[]", [self.age_groups]))
        if ages:
            c["age_group"] = (
                " AND ".join(f"({sql})" for sql, _ in ages),
                [p for _, params in ages for p in params],
            )
        if self.sex:
            c["sex"] = ("f.sex IN (%s, 'ALL', '')", [self.sex])
        if self.healthy is not None:
            c["healthy"] = (
                "f.healthy_volunteers IS TRUE" if self.healthy else "f.healthy_volunteers IS FALSE",
                [],
            )
        if self.countries and not grouped:
            c["country"] = self.country_clause()
        if self.types:
            c["type"] = ("f.study_type = ANY(%s)", [self.types])
        return c

    def age_clause(self) -> tuple[str, list]:
        # Age A (whole years) is the span [A, A+1) years; a missing bound is no limit.
        low = int(self.age * DAYS_PER_YEAR)
        high = int((self.age + 1) * DAYS_PER_YEAR) - 1
        return (
            "(f.min_age_days IS NULL OR f.min_age_days <= %s) "
            "AND (f.max_age_days IS NULL OR f.max_age_days >= %s)",
            [high, low],
        )

    def country_clause(self) -> tuple[str, list]:
        return "f.countries && %s::text[]", [self.countries]

    def where(
        self,
        *,
        without: str | None = None,
        shared_text: bool = False,
        direct_text: bool = False,
        grouped: bool = False,
        text: bool = True,
        only: set[str] | None = None,
    ) -> tuple[str, list]:
        """The criteria as one SQL condition on `f` (see clauses()), leaving out `without`
        (and the text criteria when text=False, for rows already restricted to the text
        matches); with `only`, just those criteria."""
        clauses = self.clauses(shared_text=shared_text, direct_text=direct_text, grouped=grouped)
        skip = {without} | (set() if text else set(self.text_matches()))
        parts = [
            (sql, params)
            for key, (sql, params) in clauses.items()
            if key not in skip and (only is None or key in only)
        ]
        if not parts:
            return "TRUE", []
        return " AND ".join(f"({sql})" for sql, _ in parts), [p for _, ps in parts for p in ps]

    def trials(self) -> QuerySet[Trial]:
        """Every matching trial (unordered); pages come from page_ids()."""
        sql, params = self.where()
        return Trial.objects.filter(
            pk__in=RawSQL(f"SELECT f.trial_id FROM {FACETS} f WHERE {sql}", params)
        )

    def search(self, offset: int, limit: int) -> tuple[dict[str, dict[str, int]], list[int]]:
        """The facet counts and the ids of one page of results, in one statement.

        Counts are cached until the next import (SEARCH_CACHE_SECONDS); with them
        cached, only the page is looked up.
        """
        seconds = settings.SEARCH_CACHE_SECONDS
        key = (
            "facets:"
            + hashlib.sha256(repr((data_version(), self.facet_key())).encode()).hexdigest()
            if seconds
            else ""
        )
        counts = cache.get(key) if key else None
        if counts is not None:  # a page past the end is not looked for
            found = offset < self.total_from(counts)
            return counts, self.page_ids(offset, limit) if found else []
        counts, ids = bitmaps.search(self, (offset, limit)) or self._counts_and_page(
            page=(offset, limit)
        )
        if key:
            cache.set(key, counts, seconds)
        return counts, ids

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """Counts for every option of every facet, each ignoring its own criterion."""
        return (bitmaps.search(self, None) or self._counts_and_page(page=None))[0]

    def page_ids(self, offset: int, limit: int) -> list[int]:
        """The ids of one page of matching trials, in the chosen order.

        With text criteria the matches are read from trials_trial itself: its vectors'
        indexes find them and its rows carry every column the other criteria test, so
        ranking them needs no join.
        """
        if (ids := bitmaps.page(self, offset, limit)) is not None:
            return ids
        text = bool(self.text_predicates())
        where, params = self.where(direct_text=text)
        rank, rank_params = self._rank() if self.ranked else ("", [])
        order = self._order(rank)
        params.extend(rank_params)  # ORDER BY comes after WHERE
        table, key = (TABLE, "id") if text else (FACETS, "trial_id")
        sql = f"SELECT f.{key} FROM {table} f WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit, offset])
            return [row[0] for row in cursor.fetchall()]

    def _rank(self) -> tuple[str, list]:
        """How well a trial `f` of trials_trial matches the text criteria."""
        ranks, params = [], []
        # Relevance in steps that trials.bitmaps computes without reading rows: every word
        # in the title (2), in the title and conditions together (1); for the condition,
        # every word in the trial's conditions (1). Ties go to the most recently updated.
        if self.q:
            ranks.append(
                "((ts_filter(f.rank_document, '{a}') @@ websearch_to_tsquery('english', %s))::int"
                " + (f.rank_document @@ websearch_to_tsquery('english', %s))::int)"
            )
            params.extend([self.q, self.q])
        if self.condition:
            ranks.append(
                "(ts_filter(f.condition_document, '{a}') @@ plainto_tsquery('english', %s))::int"
            )
            params.append(normalize_term(self.condition))
        return " + ".join(ranks), params

    @property
    def ranked(self) -> bool:
        """Whether results go in order of relevance: sorted so, and words to rank by."""
        return self.sort == "relevance" and bool(self.text_predicates())

    def _order(self, rank: str, alias: str = "f") -> str:
        """The ORDER BY of the chosen sort; `rank` is the relevance when ranked, else ""."""
        if self.sort == "newest":
            return f"{alias}.first_posted DESC NULLS LAST, {alias}.nct_id"
        updated = f"{alias}.last_update DESC NULLS LAST, {alias}.nct_id"
        return f"{rank} DESC, {updated}" if rank else updated

    def _counts_and_page(
        self, page: tuple[int, int] | None
    ) -> tuple[dict[str, dict[str, int]], list[int] | None]:
        """Facet counts and, given (offset, limit), one page of ids: one statement.

        The rows to count are the text matches, found once in trials_trial
        (`matched`, with their relevance), or else the narrow trials_trialfacets table.
        For the enumerated facets those rows are grouped by every column the criteria
        test (a few hundred groups, however many trials), then each option is counted
        with a FILTER over the groups. Countries and conditions, which have open-ended
        values, are grouped after unnest. Where the criteria a count depends on are
        statuses alone, it is read from the precomputed StatusSummary rows instead.
        """
        words = self.text_predicates()
        keys = set(self.clauses())
        ctes, params = [], []
        source = FACETS
        rank = ""
        if words:
            where, where_params = self.where(only=set(words), direct_text=True)
            columns = f"f.id, f.nct_id, f.last_update, f.first_posted, {MATCHED_COLUMNS}"
            if page and self.ranked:
                rank, rank_params = self._rank()
                columns += f", {rank} AS rank"
                params.extend(rank_params)
            ctes.append(f"matched AS MATERIALIZED (SELECT {columns} FROM {TABLE} f WHERE {where})")
            params.extend(where_params)
            source = "matched"

        aggregates, labels, aggregate_params = [], [], []
        for facet, options in ENUMERATED_FACETS.items():
            where, where_params = self.where(without=facet, grouped=True)
            for value, predicate in options:
                aggregates.append(
                    f"sum(f.n) FILTER (WHERE ({where}) AND {predicate}) AS c{len(labels)}"
                )
                aggregate_params.extend(where_params)
                if "%s" in predicate:
                    aggregate_params.append(value)
                labels.append((facet, value))
        if keys <= {"status"}:
            grouped, grouped_params = (
                f"SELECT {GROUP_COLUMNS}, TRUE AS age_ok, n FROM {SUMMARY} WHERE kind = 'combo'",
                [],
            )
        else:
            # No enumerated facet leaves out the country: it narrows the rows to group.
            age, age_params = self.age_clause() if self.age is not None else ("TRUE", [])
            country, country_params = self.country_clause() if self.countries else ("TRUE", [])
            grouped = (
                f"SELECT {GROUP_COLUMNS}, {age} AS age_ok, count(*) AS n FROM {source} f "
                f"WHERE {country} GROUP BY {GROUP_COLUMNS}, age_ok"
            )
            grouped_params = [*age_params, *country_params]
        parts = [f"SELECT {', '.join(aggregates)} FROM ({grouped}) f"]
        params.extend([*aggregate_params, *grouped_params])

        for facet, column, size in (
            ("country", "countries", COUNTRY_FACET_SIZE),
            ("condition", "mesh_terms", CONDITION_FACET_SIZE),
        ):
            if keys - {facet} <= {"status"}:
                where, where_params = self.where(without=facet)
                parts.append(
                    f"SELECT jsonb_object_agg(v, n) AS o FROM (SELECT f.value AS v, sum(f.n) AS n "
                    f"FROM {SUMMARY} f WHERE f.kind = '{facet}' AND {where} "
                    f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {size}) x"
                )
            else:
                if facet in words:
                    # The condition facet ignores the condition: it cannot count `matched`.
                    direct = "q" in words
                    table = TABLE if direct else FACETS
                    where, where_params = self.where(without=facet, direct_text=direct)
                else:
                    table = source
                    where, where_params = self.where(without=facet, text=source == FACETS)
                parts.append(
                    f"SELECT jsonb_object_agg(v, n) AS o FROM (SELECT v, count(*) AS n FROM "
                    f"(SELECT unnest(f.{column}) AS v FROM {table} f WHERE {where}) x "
                    f"GROUP BY v ORDER BY 2 DESC, 1 LIMIT {size}) x"
                )
            params.extend(where_params)

        if page:
            where, where_params = self.where(text=source == FACETS)
            column = "id" if words else "trial_id AS id"
            parts.append(
                f"SELECT jsonb_agg(x.id ORDER BY {self._order('x.rank' if rank else '', 'x')}) AS ids "
                f"FROM (SELECT f.{column}, f.nct_id, f.last_update, f.first_posted"
                f"{', f.rank' if rank else ''} FROM {source} f WHERE {where} "
                f"ORDER BY {self._order('f.rank' if rank else '')} LIMIT %s OFFSET %s) x"
            )
            params.extend([*where_params, page[1], page[0]])

        sql = ("WITH " + ", ".join(ctes) + " " if ctes else "") + " UNION ALL ".join(
            f"(SELECT {number}, to_jsonb(r) FROM ({part}) r)" for number, part in enumerate(parts)
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = dict(cursor.fetchall())
        found = [json.loads(r) if isinstance(r, str) else r for _, r in sorted(rows.items())]
        enumerated, countries, conditions = found[:3]
        counts: dict[str, dict[str, int]] = {
            key: {} for key in [*ENUMERATED_FACETS, "country", "condition"]
        }
        for number, (facet, value) in enumerate(labels):
            if value_count := enumerated[f"c{number}"]:
                counts[facet][value] = int(value_count)
        counts["country"] = {k: int(v) for k, v in (countries["o"] or {}).items()}
        counts["condition"] = {k: int(v) for k, v in (conditions["o"] or {}).items()}
        ids = (found[3]["ids"] or []) if page else None
        return counts, ids

    def facet_key(self) -> tuple:
        """What the counts depend on: every criterion, but not the sort or the page."""
        return (
            self.q,
            normalize_term(self.condition),
            tuple(sorted(self.phases)),
            None if self.statuses is None else tuple(sorted(self.statuses)),
            self.age,
            tuple(sorted(self.age_groups)),
            self.sex,
            self.healthy,
            tuple(sorted(self.countries)),
            tuple(sorted(self.types)),
        )

    def total_from(self, counts: dict[str, dict[str, int]]) -> int:
        """The number of matching trials: each trial has one status, so sum the chosen ones."""
        statuses = self.effective_statuses or counts["status"].keys()
        return sum(counts["status"].get(s, 0) for s in statuses)


def headlines(trials: list[Trial], q: str) -> dict[int, str]:
    """Highlighted summary snippets for one page of results (never for the whole set)."""
    if not q or not trials:
        return {}
    query = SearchQuery(q, search_type="websearch", config="english")
    rows = Trial.objects.filter(pk__in=[t.pk for t in trials]).annotate(
        snippet=SearchHeadline(
            "brief_summary",
            query,
            config="english",
            start_sel=HIGHLIGHT_START,
            stop_sel=HIGHLIGHT_STOP,
            max_words=40,
            min_words=20,
            max_fragments=2,
        )
    )
    return dict(rows.values_list("pk", "snippet"))


def condition_exists(text: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {TABLE} "
            "WHERE condition_document @@ plainto_tsquery('english', %s))",
            [normalize_term(text)],
        )
        return cursor.fetchone()[0]


def suggest_condition(text: str) -> str | None:
    """The known condition closest in spelling to `text` ("lupus nefritis" -> "Lupus Nephritis")."""
    text = normalize_term(text)
    return (
        ConditionTerm.objects.filter(normalized__trigram_similar=text)  # pg_trgm's %, indexed
        .annotate(score=TrigramSimilarity("normalized", text))
        .order_by("-score", "-trial_count")
        .values_list("term", flat=True)
        .first()
    )


def autocomplete_conditions(prefix: str, limit: int = 10) -> list[ConditionTerm]:
    """Condition terms that start with, or contain a word starting with, what was typed."""
    text = normalize_term(prefix)
    if not text:
        return []
    starts = ConditionTerm.objects.filter(normalized__startswith=text)
    words = ConditionTerm.objects.filter(normalized__contains=f" {text}")
    found = list(starts.order_by("-trial_count", "term")[:limit])
    if len(found) < limit:
        found += list(
            words.exclude(pk__in=[t.pk for t in found]).order_by("-trial_count", "term")[
                : limit - len(found)
            ]
        )
    return found
