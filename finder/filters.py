"""The search parameters (the public URL and API contract), cleaned by one FilterSet.

TrialFilterSet validates q, condition, phase, status, age, age_group, sex,
healthy, country, type, sort and page and turns them into trials.search.Criteria.
The search page calls `lenient()` (a bad value is dropped and a notice says so);
the API calls `is_valid()` and answers 400 with the errors.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.http import QueryDict

from trials.ctgov import one_line
from trials.models import AgeGroup, Phase, Status, StudyType, Trial
from trials.search import SORTS, Criteria

MAX_QUERY = 300
ALL_STATUSES = "ALL"


class TextField(forms.CharField):
    def to_python(self, value):
        return one_line(super().to_python(value))


class FreeMultipleField(forms.MultipleChoiceField):
    """Several free-text values (countries): any text up to 100 characters."""

    def valid_value(self, value):
        return 0 < len(value) <= 100

    def to_python(self, value):
        return [one_line(v) for v in super().to_python(value) if one_line(v)]


class FreeMultipleFilter(django_filters.MultipleChoiceFilter):
    field_class = FreeMultipleField


class StrictBooleanField(forms.NullBooleanField):
    """true/false (1/0, yes/no); anything else is an error rather than silently 'any'."""

    widget = forms.TextInput  # NullBooleanSelect would turn unknown values into None

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "on"}:
            return True
        if text in {"false", "0", "no", "off"}:
            return False
        raise forms.ValidationError("Enter true or false.")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class TextFilter(django_filters.CharFilter):
    field_class = TextField


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class TrialFilterSet(django_filters.FilterSet):
    q = TextFilter(
        label="Search words",
        max_length=MAX_QUERY,
        help_text='Words in the title or summary. Use "quotes" for a phrase and -word to exclude.',
    )
    condition = TextFilter(label="Condition or disease", max_length=MAX_QUERY)
    phase = django_filters.MultipleChoiceFilter(label="Phase", choices=Phase.choices)
    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=[*Status.choices, (ALL_STATUSES, "All statuses")]
    )
    age = WholeNumberFilter(label="Age (years)", min_value=0, max_value=120)
    age_group = django_filters.MultipleChoiceFilter(label="Age group", choices=AgeGroup.choices)
    sex = django_filters.ChoiceFilter(
        label="Sex",
        choices=[("FEMALE", "Female"), ("MALE", "Male"), ("ALL", "Any")],
        empty_label="Any",
    )
    healthy = StrictBooleanFilter(label="Accepts healthy volunteers")
    country = FreeMultipleFilter(label="Country")
    type = django_filters.MultipleChoiceFilter(label="Study type", choices=StudyType.choices)
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=list(SORTS.items()), empty_label=None
    )
    page = WholeNumberFilter(label="Page", min_value=1, max_value=100_000)

    class Meta:
        model = Trial
        fields: list[str] = []

    def filter_queryset(self, queryset):
        # The criteria are applied as one SQL condition each (see trials.search); the
        # FilterSet's job is the validated, documented parameter set.
        return self.criteria().trials()

    def criteria(self) -> Criteria:
        data = self.form.cleaned_data
        statuses = data.get("status") or None
        if statuses and (ALL_STATUSES in statuses or set(statuses) >= set(Status.values)):
            statuses = []  # every status: the filter is off
        return Criteria(
            q=data.get("q") or "",
            condition=data.get("condition") or "",
            phases=data.get("phase") or [],
            statuses=statuses,
            age=data.get("age"),
            age_groups=data.get("age_group") or [],
            sex="" if data.get("sex") in (None, "", "ALL") else data["sex"],
            healthy=data.get("healthy"),
            countries=data.get("country") or [],
            types=data.get("type") or [],
            sort=data.get("sort") or "relevance",
        )

    @property
    def page_number(self) -> int:
        return self.form.cleaned_data.get("page") or 1

    def errors_as_json(self) -> dict:
        """The API's 400 body: each bad parameter with what it accepts."""
        errors = {}
        for name, messages in self.form.errors.items():
            field = self.form.fields[name]
            entry = {"errors": list(messages)}
            choices = getattr(field, "choices", None)
            if choices and not isinstance(field, FreeMultipleField):
                entry["accepted"] = [value for value, _ in choices if value]
            elif isinstance(field, forms.IntegerField):
                entry["accepted"] = (
                    f"a whole number from {field.min_value} to {field.max_value or 'any'}"
                )
            elif isinstance(field, forms.CharField):
                entry["accepted"] = f"text up to {field.max_length} characters"
            elif isinstance(field, StrictBooleanField):
                entry["accepted"] = ["true", "false"]
            errors[name] = entry
        return errors

    @classmethod
    def lenient(cls, data: QueryDict) -> tuple[TrialFilterSet, list[str]]:
        """Bind `data`, dropping each bad value; return the FilterSet and a notice per drop."""
        data = data.copy()
        notices: list[str] = []
        filterset = cls(data)
        if filterset.is_valid():
            return filterset, notices
        for name, messages in filterset.form.errors.items():
            field = filterset.form.fields.get(name)
            label = field.label if field else name
            if isinstance(field, forms.MultipleChoiceField):
                values = data.getlist(name)
                good = [v for v in values if field.valid_value(v)]
                for bad in values:
                    if bad not in good:
                        notices.append(
                            f"Ignored {label.lower()} “{_shorten(bad)}”: not a value we know."
                        )
                data.setlist(name, good)
            else:
                notices.append(
                    f"Ignored {label.lower()} “{_shorten(data.get(name, ''))}”: {messages[0]}"
                )
                data.pop(name, None)
        filterset = cls(data)
        if not filterset.is_valid():  # cannot happen with the fields above; never fail the page
            filterset = cls(QueryDict())
            filterset.is_valid()
        return filterset, notices


def _shorten(value: str, limit: int = 40) -> str:
    value = one_line(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
