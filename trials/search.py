"""Trial search: criteria to SQL, ranked results, and disjunctive facet counts in one query.

`Criteria` holds a cleaned search (what the FilterSet produces). Each criterion
is one SQL condition, so the same condition serves the result list and every
facet: a facet's counts apply every other criterion but not its own (the
standard disjunctive rule), and all facets are counted in a single round trip.
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
COUNTRY_FACET_SIZE = 60
CONDITION_FACET_SIZE = 12
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

    def text_matches(self) -> dict[str, tuple[str, list]]:
        """The text criteria: which trials' indexed vectors match, as SELECTs of ids."""
        found = {}
        if self.q:
            found["q"] = (
                f"SELECT id FROM {TABLE} WHERE search_document @@ websearch_to_tsquery('english', %s)",
                [self.q],
            )
        if self.condition:
            found["condition"] = (
                f"SELECT id FROM {TABLE} WHERE condition_document @@ plainto_tsquery('english', %s)",
                [normalize_term(self.condition)],
            )
        return found

    def with_text_matches(self) -> tuple[str, list]:
        """A WITH clause that finds the text matches once for a statement of many SELECTs."""
        ctes = [
            (f"{key}_ids AS MATERIALIZED ({sql})", params)
            for key, (sql, params) in self.text_matches().items()
        ]
        if not ctes:
            return "", []
        return "WITH " + ", ".join(sql for sql, _ in ctes) + " ", [p for _, ps in ctes for p in ps]

    def clauses(self, *, shared_text: bool = False) -> dict[str, tuple[str, list]]:
        """One SQL condition per criterion, keyed by the facet it belongs to.

        Text criteria match in trials_trial's indexed vectors (or, with shared_text, in
        the ids that with_text_matches() found); the rest are columns of the narrow
        trials_trialfacets table `f` that every search query reads.
        """
        c: dict[str, tuple[str, list]] = {}
        for key, (sql, params) in self.text_matches().items():
            c[key] = (
                (f"f.trial_id IN (SELECT id FROM {key}_ids)", [])
                if shared_text
                else (f"f.trial_id IN ({sql})", params)
            )
        if self.phases:
            c["phase"] = ("f.phases && %s::varchar[]", [self.phases])
        if self.effective_statuses:
            c["status"] = ("f.overall_status = ANY(%s)", [self.effective_statuses])
        ages = []
        if self.age is not None:
            # Age A (whole years) is the span [A, A+1) years; a missing bound is no limit.
            low, high = int(self.age * DAYS_PER_YEAR), int((self.age + 1) * DAYS_PER_YEAR) - 1
            ages.append(
                (
                    "(f.min_age_days IS NULL OR f.min_age_days <= %s) "
                    "AND (f.max_age_days IS NULL OR f.max_age_days >= %s)",
                    [high, low],
                )
            )
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
        if self.countries:
            c["country"] = ("f.countries && %s::text[]", [self.countries])
        if self.types:
            c["type"] = ("f.study_type = ANY(%s)", [self.types])
        return c

    def where(
        self,
        *,
        without: str | None = None,
        shared_text: bool = False,
        text: bool = True,
        only: set[str] | None = None,
    ) -> tuple[str, list]:
        """The criteria as one SQL condition on `f`, leaving out `without` (and the text
        criteria when text=False, for rows already restricted to the text matches);
        with `only`, just those criteria."""
        clauses = self.clauses(shared_text=shared_text)
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

    def page_ids(self, offset: int, limit: int) -> list[int]:
        """The ids of one page of matching trials, in the chosen order."""
        where, params = self.where()
        order = "last_update DESC NULLS LAST, nct_id"
        if self.sort == "newest":
            order = "first_posted DESC NULLS LAST, nct_id"
        elif self.sort == "relevance" and (self.q or self.condition):
            ranks, rank_params = [], []
            if self.q:
                ranks.append("ts_rank_cd(t.rank_document, websearch_to_tsquery('english', %s))")
                rank_params.append(self.q)
            if self.condition:
                ranks.append("ts_rank_cd(t.condition_document, plainto_tsquery('english', %s))")
                rank_params.append(normalize_term(self.condition))
            sql = (
                f"SELECT f.trial_id FROM {FACETS} f JOIN {TABLE} t ON t.id = f.trial_id "
                f"WHERE {where} ORDER BY {' + '.join(ranks)} DESC, f.{order.replace(', ', ', f.')} "
                "LIMIT %s OFFSET %s"
            )
            return self._ids(sql, [*params, *rank_params, limit, offset])
        sql = f"SELECT f.trial_id FROM {FACETS} f WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
        return self._ids(sql, [*params, limit, offset])

    @staticmethod
    def _ids(sql: str, params: list) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """Counts for every option of every facet, each ignoring its own criterion.

        One statement: the text matches are found once; the enumerated facets are
        counted in a single pass (one FILTER per option); countries and conditions,
        which have open-ended values, are grouped after unnest. Where the criteria a
        count depends on are statuses alone, it is read from the precomputed
        StatusSummary rows instead of counting trials.
        """
        with_sql, params = self.with_text_matches()
        keys = set(self.clauses())
        text_keys = list(self.text_matches())
        if text_keys:
            # The trials matching every text criterion, read once from the narrow table.
            ids = " AND ".join(f"f.trial_id IN (SELECT id FROM {k}_ids)" for k in text_keys)
            with_sql += f", matched AS MATERIALIZED (SELECT f.* FROM {FACETS} f WHERE {ids}) "
            source = "matched"
        else:
            source = FACETS
        by_status_only = keys <= {"status"}
        count = "sum(f.n)" if by_status_only else "count(*)"
        aggregates, labels = [], []
        for facet, options in ENUMERATED_FACETS.items():
            where, where_params = self.where(without=facet, shared_text=True, text=False)
            for value, predicate in options:
                aggregates.append(
                    f"{count} FILTER (WHERE ({where}) AND {predicate}) AS c{len(labels)}"
                )
                params.extend(where_params)
                if "%s" in predicate:
                    params.append(value)
                labels.append((facet, value))
        if by_status_only:
            parts = [f"SELECT {', '.join(aggregates)} FROM {SUMMARY} f WHERE f.kind = 'combo'"]
        else:
            # Criteria no enumerated facet leaves out (a country) narrow the single pass.
            common, common_params = self.where(
                without="", shared_text=True, text=False, only={"country"}
            )
            parts = [f"SELECT {', '.join(aggregates)} FROM {source} f WHERE {common}"]
            params.extend(common_params)
        for facet, column, size in (
            ("country", "countries", COUNTRY_FACET_SIZE),
            ("condition", "mesh_terms", CONDITION_FACET_SIZE),
        ):
            if keys - {facet} <= {"status"}:
                where, where_params = self.where(without=facet)
                parts.append(
                    f"SELECT f.value AS v, sum(f.n) AS count FROM {SUMMARY} f "
                    f"WHERE f.kind = '{facet}' AND {where} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {size}"
                )
            else:
                # The condition facet ignores the condition filter, so it cannot use `matched`.
                own_source = source if facet not in text_keys else FACETS
                where, where_params = self.where(
                    without=facet, shared_text=True, text=own_source == FACETS
                )
                parts.append(
                    f"SELECT v, count(*) FROM {own_source} f, unnest(f.{column}) v WHERE {where} "
                    f"GROUP BY v ORDER BY 2 DESC, 1 LIMIT {size}"
                )
            params.extend(where_params)
        counts: dict[str, dict[str, int]] = {
            key: {} for key in [*ENUMERATED_FACETS, "country", "condition"]
        }
        sql = with_sql + (
            f"SELECT to_jsonb(e) FROM ({parts[0]}) e "
            f"UNION ALL SELECT to_jsonb(c) FROM (SELECT jsonb_object_agg(v, count) o FROM ({parts[1]}) x) c "
            f"UNION ALL SELECT to_jsonb(d) FROM (SELECT jsonb_object_agg(v, count) o FROM ({parts[2]}) x) d"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in cursor.fetchall()]
        enumerated, countries, conditions = rows
        for number, (facet, value) in enumerate(labels):
            if found := enumerated[f"c{number}"]:
                counts[facet][value] = int(found)
        counts["country"] = {k: int(v) for k, v in (countries["o"] or {}).items()}
        counts["condition"] = {k: int(v) for k, v in (conditions["o"] or {}).items()}
        return counts

    def cached_facet_counts(self) -> dict[str, dict[str, int]]:
        """facet_counts(), from the cache when the same search ran since the last import."""
        seconds = settings.SEARCH_CACHE_SECONDS
        if not seconds:
            return self.facet_counts()
        key = (
            "facets:"
            + hashlib.sha256(repr((data_version(), self.facet_key())).encode()).hexdigest()
        )
        counts = cache.get(key)
        if counts is None:
            counts = self.facet_counts()
            cache.set(key, counts, seconds)
        return counts

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


def data_version() -> str:
    """Changes whenever an import writes trials (cached counts are then stale)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(imported_at) FROM {TABLE}")  # an index lookup
        latest = cursor.fetchone()[0]
    return latest.isoformat() if latest else ""


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
