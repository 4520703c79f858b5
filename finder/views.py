"""Patient-facing search pages and the JSON search API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from trials.models import Trial
from trials.search import engine, suggest
from trials.search.criteria import Criteria
from trials.search.facets import FACETS, STATUS, Kind

from .alert_views import signup_context
from .filters import TrialFilterSet, patient_query, query_for
from .serializers import trial_summary


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    filterset, notices = TrialFilterSet.lenient(request.GET)
    asked = filterset.criteria()
    criteria, corrected_from = suggest.corrected(asked)
    result = engine.run(criteria, filterset.page_number)
    if result.beyond:
        notices.append(
            _("There is no page %(page)s; this is the last page, %(last)s.")
            % {"page": result.asked, "last": result.pages}
        )
    trials = Trial.objects.in_order(result.ids)
    snippets = suggest.headlines(trials, criteria.q)
    for trial in trials:
        trial.snippet = snippets.get(trial.pk, "")
    context = {
        "form": filterset.form,
        "outcome": result,
        "trials": trials,
        "criteria": criteria,
        "corrected_from": corrected_from,
        "notices": notices,
        "relax": [] if result.total else _relaxations(criteria),
        "facets": _facet_panel(criteria, result.counts),
        "default_status": STATUS.key not in criteria.chosen,
        # Result links carry the age and sex to each trial's checklist.
        "patient_query": patient_query(criteria),
        **signup_context(criteria),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "finder/search.html#results" if partial else "finder/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    canonical = query_for(asked, filterset.page_number)
    if request.htmx and canonical != request.GET.urlencode():
        # The address bar shows the search without empty fields, defaults or bad values.
        response["HX-Push-Url"] = f"{request.path}?{canonical}" if canonical else request.path
    return response


def _relaxations(criteria: Criteria) -> list[dict]:
    """For an empty result: each filter the patient could drop, and what it would give."""
    relax = []
    for key, count in engine.relaxations(criteria).items():
        if not count:
            continue
        if key == "q":
            label = _("the search words")
        elif key == STATUS.key and STATUS.key not in criteria.chosen:
            label = _("“open to enrollment”")
        else:
            label = next(f.removal for f in FACETS if f.key == key)
        without = _without(criteria, key)
        relax.append({"label": label, "count": count, "query": query_for(without)})
    return sorted(relax, key=lambda r: -r["count"])


def _without(criteria: Criteria, key: str) -> Criteria:
    """The criteria with one criterion dropped (the statuses: every status)."""
    if key in ("q", "condition"):
        return criteria.replace(**{key: ""})
    chosen = {k: v for k, v in criteria.chosen.items() if k != key}
    if key == STATUS.key:
        chosen[key] = ()
    age = None if key == "age_group" else criteria.age
    return criteria.replace(chosen=chosen, age=age)


def _facet_panel(criteria: Criteria, counts: dict[str, dict[str, int]]) -> list[dict]:
    """The facets of the filter panel, each option with its label, count and whether it
    is ticked."""
    panel = []
    for facet in FACETS:
        if facet.control not in ("checkboxes", "checkbox"):
            continue
        chosen = criteria.values(facet)
        found = counts[facet.key]
        entry = {"name": facet.key, "legend": facet.label, "note": facet.note, "hidden": []}
        if facet.control == "checkbox":
            entry["options"] = [_option("true", facet.flag_label, found, chosen)]
        elif facet.kind is Kind.TERMS:
            values = sorted(set(found) | set(chosen))
            entry["options"] = [_option(v, v, found, chosen) for v in values]
        elif facet.default is not None:
            # Offered: the options some trial has, and those chosen. With the filter off
            # (every status) all show as ticked, and the options no trial has go with
            # the form too, so that unticking one leaves all the others.
            ticked = chosen or facet.codes
            entry["options"] = [
                _option(code, label, found, ticked)
                for code, label in facet.choices
                if found.get(code) or code in chosen
            ]
            listed = {option["value"] for option in entry["options"]}
            entry["hidden"] = [] if chosen else [c for c in facet.codes if c not in listed]
        else:
            entry["options"] = [_option(c, label, found, chosen) for c, label in facet.choices]
        panel.append(entry)
    return panel


def _option(value: str, label, counts: dict[str, int], chosen) -> dict:
    return {
        "value": value,
        "label": label,
        "count": counts.get(value, 0),
        "checked": value in chosen,
    }


@require_GET
def search_api(request: HttpRequest) -> JsonResponse:
    filterset = TrialFilterSet(request.GET)
    if not filterset.is_valid():
        return _invalid(filterset.errors_as_json())
    criteria = filterset.criteria()
    result = engine.run(criteria, filterset.page_number)
    if result.beyond:
        pages = result.pages
        return _invalid(
            {"page": {"errors": [f"there are {pages} pages"], "accepted": f"1 to {pages}"}}
        )
    next_url = None
    if result.page < result.pages:
        next_url = request.build_absolute_uri(
            f"{request.path}?{query_for(criteria, result.page + 1)}"
        )
    return JsonResponse(
        {
            "count": result.total,
            "page": result.page,
            "pages": result.pages,
            "results": [trial_summary(t, request) for t in Trial.objects.in_order(result.ids)],
            "facets": {facet.key: result.counts[facet.key] for facet in FACETS},
            "next": next_url,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _invalid(parameters: dict) -> JsonResponse:
    return JsonResponse({"error": "invalid parameters", "parameters": parameters}, status=400)


@require_GET
def condition_suggestions(request: HttpRequest) -> HttpResponse:
    """Autocomplete for the condition box: <option>s for htmx, or JSON for the API."""
    text = (request.GET.get("condition") or request.GET.get("q") or "")[:100]
    terms = suggest.autocomplete_conditions(text) if len(text.strip()) >= 2 else []
    if request.htmx:
        response = render(request, "finder/_condition_options.html", {"terms": terms})
    else:
        response = JsonResponse(
            {
                "results": [
                    {"term": t.term, "trials": t.trial_count, "open_trials": t.open_trial_count}
                    for t in terms
                ]
            }
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


def faq(request: HttpRequest) -> HttpResponse:
    return render(
        request, "finder/faq.html", {"alert_retention_days": settings.ALERT_RETENTION_DAYS}
    )
