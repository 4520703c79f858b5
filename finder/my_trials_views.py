"""My trials: the page of a patient's saved trials and notes, and the trials' current facts.

The list and the notes live in the patient's browser (static/js/mytrials/); the page is
a frame its script fills in, and `saved_trials_api` tells the script what each trial is
now (status, phase, places and, given a place, the nearest site), given only NCT IDs.
Nothing here stores or logs them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from trials import geo, plain
from trials.models import Trial

from .my_trials_forms import PlaceForm, SavedTrialsQuery
from .serializers import trial_summary


@require_GET
def my_trials(request: HttpRequest) -> HttpResponse:
    """The page; with a place (`near`, or `lat` and `lon`), each trial's nearest site."""
    form = PlaceForm(request.GET)
    located = form.located() if request.GET else geo.Located()
    near = located.near
    context = {"place_form": form, "near": near, "place_problem": located.problem}
    if near is not None:
        context["place_query"] = urlencode({**near.params(), "unit": near.unit})
        context["other_places"] = [
            {"label": c.label, "query": urlencode({**c.near().params(), "unit": c.unit})}
            for c in located.candidates[1:]
        ]
    return render(request, "finder/my_trials.html", context)


def trial_facts(
    trial: Trial,
    request: HttpRequest,
    near: geo.Near | None = None,
    nearby: geo.Nearby | None = None,
) -> dict:
    """What My trials and a shared list show of a trial as it is now; with a place, its
    nearest site (`nearby`, None when no site has a known position)."""
    facts = {
        **trial_summary(trial, request),
        "phase_words": plain.phase_words(trial.phases),
        "site_count": trial.site_count,
        "recruiting_site_count": trial.recruiting_site_count,
    }
    if near is not None:
        facts["nearest_site"] = nearby and {
            "facility": nearby.facility,
            "city": nearby.city,
            "distance": near.describe(nearby.km),
        }
    return facts


@require_GET
def saved_trials_api(request: HttpRequest) -> JsonResponse:
    """GET ?nct=NCT…&nct=NCT…: the trials that exist, and the IDs that do not; with a
    place (`lat` and `lon`, or `near`), each trial's nearest site."""
    form = SavedTrialsQuery(request.GET)
    located = form.located()
    if not form.is_valid() or located.problem:
        errors = form.errors or {"near": [located.problem]}
        response = JsonResponse({"error": "invalid parameters", "parameters": errors}, status=400)
    else:
        ids, invalid = form.cleaned_data["nct"]
        found = {t.nct_id: t for t in Trial.objects.cards().filter(nct_id__in=ids)}
        near = located.near
        nearby = geo.nearest_site_of_each(list(found.values()), near) if near else {}
        response = JsonResponse(
            {
                "trials": [
                    trial_facts(found[i], request, near, nearby.get(found[i].pk))
                    for i in ids
                    if i in found
                ],
                "missing": [i for i in ids if i not in found] + invalid,
            },
            json_dumps_params={"ensure_ascii": False},
        )
    # A list of trials says something about someone's health: no cache keeps it.
    response["Cache-Control"] = "no-store"
    return response
