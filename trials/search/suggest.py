"""Help with what a patient types: spelling, autocomplete, and the snippets under results."""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, TrigramSimilarity

from ..ctgov import normalize_term
from ..models import ConditionTerm, Trial
from .criteria import Criteria
from .db import reading

# ts_headline marks matches with these; the template escapes the text, then turns them into <mark>.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\x02", "\x03"


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
    with reading().cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {Trial._meta.db_table} "
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


def corrected(criteria: Criteria) -> tuple[Criteria, str]:
    """The criteria with a condition no trial names replaced by the closest known one,
    and the condition as typed ("" when nothing was replaced). A name with MeSH terms of
    its own (lay_names: an everyday name, or one in another language) is never replaced."""
    if not criteria.condition or condition_exists(criteria.condition) or criteria.lay_terms:
        return criteria, ""
    suggestion = suggest_condition(criteria.condition)
    if not suggestion:
        return criteria, ""
    return criteria.replace(condition=suggestion), criteria.condition


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
