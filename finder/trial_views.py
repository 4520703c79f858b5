"""The trial page and its JSON twin."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from trials.models import Trial


def trial_detail(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = get_object_or_404(Trial, nct_id=nct_id)
    return render(request, "finder/trial_detail.html", {"trial": trial})


def trial_api(request: HttpRequest, nct_id: str) -> JsonResponse:
    trial = get_object_or_404(Trial, nct_id=nct_id)
    return JsonResponse({"nct_id": trial.nct_id, "title": trial.title})
