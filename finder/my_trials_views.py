"""My trials: the page of a patient's saved trials and notes, and the trials' current facts.

The list and the notes live in the patient's browser (static/js/mytrials/); the page is
a frame its script fills in, and `saved_trials_api` tells the script what each trial is
now (status, phase, places), given only NCT IDs. Nothing here stores or logs them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trials import plain
from trials.models import Trial

from .my_trials_forms import SavedTrialsQuery
from .serializers import trial_summary


@require_GET
def my_trials(request: HttpRequest) -> HttpResponse:
    return render(request, "finder/my_trials.html")


def trial_facts(trial: Trial, request: HttpRequest) -> dict:
    """What My trials and a shared list show of a trial as it is now. Its places are the
    record's cities and countries: the nearest site needs the patient's location, which
    distance search (not built yet) will bring; until then no distance is shown."""
    return {
        **trial_summary(trial, request),
        "phase_words": plain.phase_words(trial.phases),
        "site_count": trial.site_count,
        "recruiting_site_count": trial.recruiting_site_count,
    }


@require_GET
def saved_trials_api(request: HttpRequest) -> JsonResponse:
    """GET ?nct=NCT…&nct=NCT…: the trials that exist, and the IDs that do not."""
    form = SavedTrialsQuery(request.GET)
    if not form.is_valid():
        response = JsonResponse(
            {"error": "invalid parameters", "parameters": form.errors}, status=400
        )
    else:
        ids, invalid = form.cleaned_data["nct"]
        found = {t.nct_id: t for t in Trial.objects.cards().filter(nct_id__in=ids)}
        response = JsonResponse(
            {
                "trials": [trial_facts(found[i], request) for i in ids if i in found],
                "missing": [i for i in ids if i not in found] + invalid,
            },
            json_dumps_params={"ensure_ascii": False},
        )
    # A list of trials says something about someone's health: no cache keeps it.
    response["Cache-Control"] = "no-store"
    return response
