"""Trial search: criteria to SQL, ranked results, and disjunctive facet counts in one query.

`Criteria` holds a cleaned search (what the FilterSet produces). Each criterion
is one SQL condition, so the same condition serves the result list and every
facet: a facet's counts apply every other criterion but not its own (the
standard disjunctive rule), and all facets are counted in a single round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, TrigramSimilarity
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
    Sex,
    Status,
    StudyType,
    Trial,
    TrialFacets,
)

TABLE = Trial._meta.db_table
FACETS = TrialFacets._meta.db_table
COUNTRY_FACET_SIZE = 60
CONDITION_FACET_SIZE = 12
# ts_headline marks matches with these; the template escapes the text, then turns them into <mark>.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\x02", "\x03"
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
                "f.healthy_volunteers" if self.healthy else "f.healthy_volunteers IS NOT TRUE",
                [],
            )
        if self.countries:
            c["country"] = ("f.countries && %s::text[]", [self.countries])
        if self.types:
            c["type"] = ("f.study_type = ANY(%s)", [self.types])
        return c

    def where(self, *, without: str | None = None, shared_text: bool = False) -> tuple[str, list]:
        clauses = self.clauses(shared_text=shared_text)
        parts = [(sql, params) for key, (sql, params) in clauses.items() if key != without]
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
        """Counts for every option of every facet, each ignoring its own criterion."""
        with_sql, params = self.with_text_matches()
        parts = []

        def add(sql: str, facet: str) -> None:
            where, where_params = self.where(without=facet, shared_text=True)
            parts.append(sql.format(where=where))
            params.extend(where_params)

        add(
            f"SELECT 'phase', v, count(*) FROM {FACETS} f, unnest(phases) v WHERE {{where}} GROUP BY v",
            "phase",
        )
        add(
            f"SELECT 'status', overall_status, count(*) FROM {FACETS} f WHERE {{where}} GROUP BY 2",
            "status",
        )
        add(
            f"SELECT 'age_group', v, count(*) FROM {FACETS} f, unnest(std_ages) v WHERE {{where}} GROUP BY v",
            "age_group",
        )
        add(
            f"SELECT 'sex', v, count(*) FROM {FACETS} f, (VALUES ('FEMALE'), ('MALE')) s(v) "
            f"WHERE sex IN (v, 'ALL', '') AND {{where}} GROUP BY v",
            "sex",
        )
        add(
            f"SELECT 'healthy', healthy_volunteers::text, count(*) FROM {FACETS} f "
            f"WHERE healthy_volunteers IS NOT NULL AND {{where}} GROUP BY 2",
            "healthy",
        )
        add(
            f"SELECT 'type', study_type, count(*) FROM {FACETS} f WHERE {{where}} GROUP BY 2",
            "type",
        )
        add(
            f"(SELECT 'country', v, count(*) FROM {FACETS} f, unnest(countries) v WHERE {{where}} "
            f"GROUP BY v ORDER BY 3 DESC, 2 LIMIT {COUNTRY_FACET_SIZE})",
            "country",
        )
        add(
            f"(SELECT 'condition', v, count(*) FROM {FACETS} f, unnest(mesh_terms) v WHERE {{where}} "
            f"GROUP BY v ORDER BY 3 DESC, 2 LIMIT {CONDITION_FACET_SIZE})",
            "condition",
        )
        counts: dict[str, dict[str, int]] = {
            key: {}
            for key in (
                "phase",
                "status",
                "age_group",
                "sex",
                "healthy",
                "type",
                "country",
                "condition",
            )
        }
        with connection.cursor() as cursor:
            cursor.execute(with_sql + " UNION ALL ".join(parts), params)
            for facet, value, count in cursor.fetchall():
                if value:
                    counts[facet][value] = count
        return counts

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


PHASE_CHOICES = Phase.choices
STATUS_CHOICES = Status.choices
SEX_CHOICES = [(Sex.FEMALE.value, "Female"), (Sex.MALE.value, "Male")]
TYPE_CHOICES = StudyType.choices
AGE_GROUP_CHOICES = AgeGroup.choices
