"""Patient-facing pages and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from trials.models import AgeGroup, Phase, Status, StudyType, Trial
from trials.search import (
    FACETS,
    SORTS,
    Criteria,
    autocomplete_conditions,
    condition_exists,
    headlines,
    suggest_condition,
)

from .filters import TrialFilterSet

PAGE_SIZE = 20
CARD_FIELDS = [
    "nct_id",
    "brief_title",
    "acronym",
    "overall_status",
    "phases",
    "conditions",
    "min_age_days",
    "max_age_days",
    "minimum_age",
    "maximum_age",
    "sex",
    "healthy_volunteers",
    "countries",
    "cities",
    "site_count",
    "recruiting_site_count",
    "last_update",
    "last_update_precision",
    "last_update_estimated",
    "study_type",
    "brief_summary",
]


@dataclass
class SearchOutcome:
    criteria: Criteria
    counts: dict[str, dict[str, int]]
    total: int
    page: int
    pages: int
    trials: list[Trial]
    corrected_from: str = ""
    notices: list[str] | None = None

    @property
    def first_index(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1


def _run_search(criteria: Criteria, page: int, notices: list[str]) -> SearchOutcome:
    corrected_from = ""
    if criteria.condition and not condition_exists(criteria.condition):
        suggestion = suggest_condition(criteria.condition)
        if suggestion:
            corrected_from, criteria.condition = criteria.condition, suggestion
    counts, ids = criteria.search((page - 1) * PAGE_SIZE, PAGE_SIZE)
    total = criteria.total_from(counts)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:
        notices.append(f"There is no page {page}; this is the last page, {pages}.")
        page = pages
        ids = criteria.page_ids((page - 1) * PAGE_SIZE, PAGE_SIZE) if total else []
    trials = _trials_in_order(ids)
    for trial, snippet in _with_snippets(trials, criteria.q):
        trial.snippet = snippet
    return SearchOutcome(criteria, counts, total, page, pages, trials, corrected_from, notices)


def _trials_in_order(ids: list[int]) -> list[Trial]:
    found = Trial.objects.only(*CARD_FIELDS).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _with_snippets(trials: list[Trial], q: str):
    snippets = headlines(trials, q)
    return [(t, snippets.get(t.pk, "")) for t in trials]


def _relaxations(criteria: Criteria, request: HttpRequest) -> list[dict]:
    """For an empty result: each filter the patient could drop, and what it would give."""
    labels = {
        "q": "the search words",
        "condition": "the condition",
        "phase": "the phase",
        "status": "the status" if criteria.statuses else "“open to enrollment”",
        "age_group": "the age",
        "sex": "the sex",
        "healthy": "healthy volunteers",
        "country": "the country",
        "type": "the study type",
    }
    params_for = {
        "q": ["q"],
        "condition": ["condition"],
        "phase": ["phase"],
        "status": ["status"],
        "age_group": ["age", "age_group"],
        "sex": ["sex"],
        "healthy": ["healthy"],
        "country": ["country"],
        "type": ["type"],
    }
    keys = list(criteria.clauses())
    if not keys:
        return []
    with_sql, params = criteria.with_text_matches()
    selects = []
    for key in keys:
        where, where_params = criteria.where(without=key, shared_text=True)
        selects.append(f"(SELECT count(*) FROM {FACETS} f WHERE {where})")
        params.extend(where_params)
    with connection.cursor() as cursor:
        cursor.execute(with_sql + "SELECT " + ", ".join(selects), params)
        found = cursor.fetchone()
    relax = []
    for key, count in zip(keys, found, strict=True):
        if count:
            query = request.GET.copy()
            for name in params_for[key]:
                query.pop(name, None)
            if key == "status":
                query.setlist("status", ["ALL"])
            query.pop("page", None)
            relax.append({"label": labels[key], "count": count, "query": query.urlencode()})
    return sorted(relax, key=lambda r: -r["count"])


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    filterset, notices = TrialFilterSet.lenient(request.GET)
    criteria = filterset.criteria()
    outcome = _run_search(criteria, filterset.page_number, notices)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "outcome": outcome,
        "criteria": criteria,
        "notices": notices,
        "relax": _relaxations(criteria, request) if not outcome.total else [],
        "facets": _facet_options(criteria, outcome.counts),
        "sorts": SORTS,
        "default_status": criteria.statuses is None,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "finder/search.html#results" if partial else "finder/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    statuses = request.GET.getlist("status")
    if request.htmx and criteria.statuses == [] and statuses != ["ALL"]:
        # Every status ticked one by one: the address bar says status=ALL instead.
        query = request.GET.copy()
        query.setlist("status", ["ALL"])
        response["HX-Push-Url"] = f"{request.path}?{query.urlencode()}"
    return response


def _facet_options(criteria: Criteria, counts: dict[str, dict[str, int]]) -> list[dict]:
    """Every facet with each option's label, count and whether it is selected."""
    # With no status chosen the open statuses apply, and with status=ALL every status:
    # they show as ticked, so the next change of any control keeps them.
    status_selected = criteria.effective_statuses or Status.values

    def options(choices, facet, selected):
        return [
            {
                "value": value,
                "label": label,
                "count": counts[facet].get(value, 0),
                "checked": value in selected,
            }
            for value, label in choices
        ]

    chosen = criteria.effective_statuses  # [] when every status is in
    statuses = [
        (st.value, st.label)
        for st in Status
        if counts["status"].get(st.value) or st.value in chosen
    ]
    countries = sorted(set(counts["country"]) | set(criteria.countries))
    # With every status in, the statuses not listed (no trial has them) go with the
    # form too: unticking one then leaves all the others, not just the listed ones.
    listed = {value for value, _ in statuses}
    unlisted = [] if chosen else [v for v in Status.values if v not in listed]
    return [
        {
            "name": "status",
            "legend": "Status",
            "options": options(statuses, "status", status_selected),
            "hidden": unlisted,
        },
        {
            "name": "phase",
            "legend": "Phase",
            "options": options(Phase.choices, "phase", criteria.phases),
            "note": "A trial in two phases (e.g. phase 1/phase 2) counts under both.",
        },
        {
            "name": "age_group",
            "legend": "Age group",
            "options": options(AgeGroup.choices, "age_group", criteria.age_groups),
        },
        {
            "name": "type",
            "legend": "Study type",
            "options": options(StudyType.choices, "type", criteria.types),
        },
        {
            "name": "country",
            "legend": "Country",
            "options": options([(c, c) for c in countries], "country", criteria.countries),
        },
    ]


def _trial_json(trial: Trial, request: HttpRequest) -> dict:
    return {
        "nct_id": trial.nct_id,
        "title": trial.title,
        "status": trial.overall_status,
        "phases": trial.phases,
        "conditions": trial.conditions,
        "min_age": trial.minimum_age or None,
        "max_age": trial.maximum_age or None,
        "sex": trial.sex or None,
        "healthy_volunteers": trial.healthy_volunteers,
        "countries": trial.countries,
        "cities": trial.cities[:10],
        "last_update": trial.last_update_on.isoformat() if trial.last_update_on else None,
        "url": request.build_absolute_uri(trial.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse("api_trial", args=[trial.nct_id])),
    }


@require_GET
def search_api(request: HttpRequest) -> JsonResponse:
    filterset = TrialFilterSet(request.GET)
    if not filterset.is_valid():
        return JsonResponse(
            {"error": "invalid parameters", "parameters": filterset.errors_as_json()}, status=400
        )
    criteria = filterset.criteria()
    page = filterset.page_number
    counts, ids = criteria.search((page - 1) * PAGE_SIZE, PAGE_SIZE)
    total = criteria.total_from(counts)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:
        return JsonResponse(
            {
                "error": "invalid parameters",
                "parameters": {
                    "page": {"errors": [f"there are {pages} pages"], "accepted": f"1 to {pages}"}
                },
            },
            status=400,
        )
    trials = _trials_in_order(ids)
    next_url = None
    if page < pages:
        query = request.GET.copy()
        query["page"] = str(page + 1)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    facets = {
        key: counts[key]
        for key in (
            "phase",
            "status",
            "sex",
            "age_group",
            "country",
            "type",
            "healthy",
            "condition",
        )
    }
    return JsonResponse(
        {
            "count": total,
            "page": page,
            "pages": pages,
            "results": [_trial_json(t, request) for t in trials],
            "facets": facets,
            "next": next_url,
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def condition_suggestions(request: HttpRequest) -> HttpResponse:
    """Autocomplete for the condition box: <option>s for htmx, or JSON for the API."""
    text = (request.GET.get("condition") or request.GET.get("q") or "")[:100]
    terms = autocomplete_conditions(text) if len(text.strip()) >= 2 else []
    if request.htmx:
        return render(request, "finder/_condition_options.html", {"terms": terms})
    return JsonResponse(
        {
            "results": [
                {"term": t.term, "trials": t.trial_count, "open_trials": t.open_trial_count}
                for t in terms
            ]
        }
    )


def faq(request: HttpRequest) -> HttpResponse:
    return render(request, "finder/faq.html")
