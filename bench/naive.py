"""The textbook baseline for the search benchmark (not used by the site).

A django-filter FilterSet over the Trial model with ORM lookups, then one COUNT
for the total and one GROUP BY per facet, each facet re-running the filters
without its own (the same disjunctive counts our search returns). It uses only
the indexes a textbook model would have: none of ours serve `icontains` on
text, and arrays are grouped whole and split in Python.
"""

from __future__ import annotations

from collections import Counter

import django_filters
from django.db.models import Count, Q

from trials.models import DAYS_PER_YEAR, Trial
from trials.vocabularies import OPEN_STATUSES

PAGE_SIZE = 20


class NaiveFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q")
    condition = django_filters.CharFilter(method="filter_condition")
    phase = django_filters.MultipleChoiceFilter(
        method="filter_phase",
        choices=[(p, p) for p in ["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"]],
    )
    status = django_filters.CharFilter(method="filter_status")
    age = django_filters.NumberFilter(method="filter_age")
    sex = django_filters.CharFilter(method="filter_sex")
    country = django_filters.CharFilter(method="filter_country")

    class Meta:
        model = Trial
        fields: list[str] = []

    def filter_q(self, qs, name, value):
        return qs.filter(Q(brief_title__icontains=value) | Q(brief_summary__icontains=value))

    def filter_condition(self, qs, name, value):
        return qs.filter(search_conditions__icontains=value.lower())

    def filter_phase(self, qs, name, value):
        return qs.filter(phases__overlap=value) if value else qs

    def filter_status(self, qs, name, value):
        return qs if value == "ALL" else qs.filter(overall_status=value)

    def filter_age(self, qs, name, value):
        days = int(float(value) * DAYS_PER_YEAR)
        return qs.filter(
            Q(min_age_days__isnull=True) | Q(min_age_days__lte=days),
            Q(max_age_days__isnull=True) | Q(max_age_days__gte=days),
        )

    def filter_sex(self, qs, name, value):
        return qs.filter(sex__in=[value, "ALL", ""])

    def filter_country(self, qs, name, value):
        return qs.filter(countries__contains=[value])


FACETS = {
    "phase": "phases",
    "status": "overall_status",
    "sex": "sex",
    "type": "study_type",
    "country": "countries",
}


def naive_search(params: dict) -> dict:
    """Total, facet counts and one page of trials, the textbook way."""
    data = dict(params)
    if "status" not in data:
        base = Trial.objects.filter(overall_status__in=OPEN_STATUSES)
    else:
        base = Trial.objects.all()
    results = NaiveFilterSet(data, queryset=base).qs
    total = results.count()
    facets = {}
    for facet, column in FACETS.items():
        without = {k: v for k, v in data.items() if k != facet}
        qs = NaiveFilterSet(without, queryset=Trial.objects.all() if facet == "status" else base).qs
        counter: Counter = Counter()
        for value, n in qs.values_list(column).annotate(n=Count("id")).order_by():
            for item in value if isinstance(value, list) else [value]:
                counter[item] += n
        facets[facet] = dict(counter)
    page = int(data.get("page", 1))
    trials = list(
        results.order_by("-last_update", "nct_id")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    )
    return {"total": total, "facets": facets, "trials": trials}
