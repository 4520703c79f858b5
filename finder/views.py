"""Patient-facing search pages and the JSON search API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from trials import geo
from trials.models import Trial
from trials.search import engine, suggest
from trials.search.criteria import SORTS, Criteria
from trials.search.facets import DISTANCE, FACETS, STATUS, Kind

from .alert_views import signup_context
from .filters import TrialFilterSet, patient_query, query_for
from .serializers import trial_summary


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    filterset, notices = TrialFilterSet.lenient(request.GET)
    asked = filterset.criteria()
    located = filterset.located
    if located.problem:
        notices.append(located.problem)
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
    _add_nearby(trials, criteria)
    context = {
        "form": filterset.form,
        "outcome": result,
        "trials": trials,
        "criteria": criteria,
        "corrected_from": corrected_from,
        "notices": notices,
        "relax": [] if result.total else _relaxations(criteria),
        "wider": None if result.total else _wider(criteria, result.counts),
        "facets": _facet_panel(criteria, result.counts),
        "distance": _distance_panel(criteria, result.counts),
        "default_status": STATUS.key not in criteria.chosen,
        # Result links carry the age and sex to each trial's checklist.
        "patient_query": patient_query(criteria),
        **signup_context(criteria),
        "sorts": [
            (key, label) for key, label in SORTS.items() if key != "nearest" or criteria.near
        ],
        **_place_context(criteria, located),
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


def _add_nearby(trials: list[Trial], criteria: Criteria) -> None:
    """Give each trial its nearest site that counts (`nearby`) and its distance as text."""
    near = criteria.near
    if near is None:
        return
    nearby = geo.nearest_sites(trials, near, criteria.radius_km, criteria.every_site)
    for trial in trials:
        trial.nearby = nearby.get(trial.pk)
        if trial.nearby:
            trial.nearby_distance = near.describe(trial.nearby.km)


def _place_context(criteria: Criteria, located: geo.Located) -> dict:
    """The "Near" box's state: the place, the other places its name may mean, the
    distance facet's options and the query a trial page keeps."""
    near = criteria.near
    if near is None:
        return {"place_query": ""}
    radius = criteria.values(DISTANCE)[0]
    query = QueryDict(mutable=True)
    query.update({**near.params(), DISTANCE.key: radius, "unit": near.unit})
    others = [
        {"label": c.label, "query": query_for(criteria.replace(near=c.near(), sort=criteria.sort))}
        for c in located.candidates[1:]
    ]
    return {
        "near": near,
        "radius": radius,
        "unit_label": geo.UNITS[near.unit],
        "units": geo.UNITS.items(),
        "place_query": query.urlencode(),
        "other_places": others,
    }


def _distance_panel(criteria: Criteria, counts: dict[str, dict[str, int]]) -> dict | None:
    """The distance facet: each radius with the trials that have a site within it."""
    if criteria.near is None:
        return None
    chosen = criteria.values(DISTANCE)
    return {
        "name": DISTANCE.key,
        "legend": DISTANCE.label,
        "every_site": criteria.every_site,
        "options": [
            _option(code, _within(code, criteria), counts[DISTANCE.key], chosen)
            for code in DISTANCE.codes
        ],
    }


def _wider(criteria: Criteria, counts: dict[str, dict[str, int]]) -> dict | None:
    """For an empty result near a place: the nearest larger radius with trials."""
    if criteria.near is None:
        return None
    radius = criteria.values(DISTANCE)[0]
    for code in DISTANCE.codes[DISTANCE.codes.index(radius) + 1 :]:
        if count := counts[DISTANCE.key].get(code, 0):
            chosen = {**criteria.chosen, DISTANCE.key: (code,)}
            return {
                "label": _within(code, criteria),
                "count": count,
                "query": query_for(criteria.replace(chosen=chosen)),
            }
    return None


def _within(radius: str, criteria: Criteria) -> str:
    return _("Within %(radius)s %(unit)s") % {
        "radius": radius,
        "unit": geo.UNITS[criteria.near.unit],
    }


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
    if key == DISTANCE.key:
        sort = "relevance" if criteria.sort == "nearest" else criteria.sort
        return criteria.replace(near=None, sort=sort)
    chosen = {k: v for k, v in criteria.chosen.items() if k != key}
    if key == STATUS.key:
        chosen[key] = ()
    age = None if key == "age_group" else criteria.age
    return criteria.replace(chosen=chosen, age=age)


def _facet_panel(criteria: Criteria, counts: dict[str, dict[str, int]]) -> list[dict]:
    """The facets of the filter panel, each option with its label, count, whether it is
    ticked and the id its checkbox and label share."""
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
            label = facet.value_label or str
            entry["options"] = [_option(v, label(v), found, chosen) for v in values]
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
        for number, option in enumerate(entry["options"], 1):
            option["id"] = f"f-{facet.key}-{number}"
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
    located = filterset.located
    if located.problem and not located.near:
        name = "near" if request.GET.get("near") else "lon" if "lat" in request.GET else "lat"
        return _invalid({name: {"errors": [located.problem], "accepted": PLACE_ACCEPTED}})
    result = engine.run(criteria, filterset.page_number)
    if result.beyond:
        pages = result.pages
        return _invalid(
            {"page": {"errors": [f"there are {pages} pages"], "accepted": f"1 to {pages}"}}
        )
    trials = Trial.objects.in_order(result.ids)
    _add_nearby(trials, criteria)
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
            "place": _place_json(criteria, located),
            "results": [_result_json(t, request, criteria) for t in trials],
            "facets": {facet.key: result.counts[facet.key] for facet in FACETS},
            "next": next_url,
        },
        json_dumps_params={"ensure_ascii": False},
    )


PLACE_ACCEPTED = (
    'near: a postcode or a town ("Boston, MA"); or lat (-90 to 90) and lon (-180 to 180)'
)


def _place_json(criteria: Criteria, located: geo.Located) -> dict | None:
    near = criteria.near
    if near is None:
        return None
    return {
        "label": near.title,
        "lat": near.lat,
        "lon": near.lon,
        "radius": float(criteria.values(DISTANCE)[0]),
        "unit": near.unit,
        "sites_counted": "every site" if criteria.every_site else "sites open to enrollment",
        "other_candidates": [
            {"label": c.label, "lat": round(c.lat, 2), "lon": round(c.lon, 2)}
            for c in located.candidates[1:]
        ],
    }


def _result_json(trial: Trial, request: HttpRequest, criteria: Criteria) -> dict:
    data = trial_summary(trial, request)
    if criteria.near is not None:
        nearby = getattr(trial, "nearby", None)
        data["nearest_site"] = nearby and {
            "facility": nearby.facility,
            "city": nearby.city,
            "distance": round(criteria.near.in_unit(nearby.km), 1),
            "unit": criteria.near.unit,
        }
        data["sites_within_radius"] = nearby.within if nearby else 0
    return data


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


@require_GET
def place_suggestions(request: HttpRequest) -> HttpResponse:
    """Autocomplete for the "Near" box: <option>s of towns, largest first."""
    places = geo.suggest(request.GET.get("near") or "")
    response = render(request, "finder/_place_options.html", {"places": places})
    patch_vary_headers(response, ["HX-Request"])
    return response


def faq(request: HttpRequest) -> HttpResponse:
    return render(
        request, "finder/faq.html", {"alert_retention_days": settings.ALERT_RETENTION_DAYS}
    )
