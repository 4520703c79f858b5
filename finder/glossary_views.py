"""The glossary page: every term a trial page may mark, with our plain definition."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trials import glossary


@require_GET
def glossary_page(request: HttpRequest) -> HttpResponse:
    terms = glossary.terms()
    letters = [(letter, list(group)) for letter, group in groupby(terms, key=lambda t: t.letter)]
    return render(request, "finder/glossary.html", {"letters": letters, "count": len(terms)})
