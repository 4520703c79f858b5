"""The search parameters (the public URL and API contract), cleaned by one FilterSet.

TrialFilterSet validates q, condition, age, sort, page and a parameter for each facet
declared in trials.search.facets, and turns them into trials.search.criteria.Criteria.
The search page calls `lenient()` (a bad value is dropped and a notice says so);
the API calls `is_valid()` and answers 400 with the errors.
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trials import geo
from trials.ctgov import one_line
from trials.models import Trial
from trials.search.criteria import SORTS, Criteria
from trials.search.facets import EVERY, FACETS, RADII, STATUS, Facet, Kind

MAX_QUERY = 300
# Each OR and each phrase multiplies the work of a full-text search: a few is a
# question, dozens are an attempt to tie up the database.
MAX_OR_TERMS = 8
MAX_PHRASES = 5
PHRASE = re.compile(r'"[^"]*"?')
OR_WORD = re.compile(r"(?i)(?:^|\s)or(?=\s|$)")


def few_alternatives(value: str) -> None:
    phrases = len(PHRASE.findall(value))
    alternatives = len(OR_WORD.findall(PHRASE.sub(" ", value)))
    if phrases > MAX_PHRASES or alternatives > MAX_OR_TERMS:
        raise forms.ValidationError(
            _("Use at most %(ors)d OR and %(phrases)d phrases in quotes."),
            params={"ors": MAX_OR_TERMS, "phrases": MAX_PHRASES},
        )


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


class CoordinateFilter(django_filters.NumberFilter):
    field_class = forms.FloatField


GEO = re.compile(
    r"^distance\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*(km|mi)\s*\)$",
    re.IGNORECASE,
)


class GeoField(forms.CharField):
    """ClinicalTrials.gov's `filter.geo=distance(lat,lon,50mi)`: (lat, lon, radius, unit)."""

    def to_python(self, value):
        text = one_line(super().to_python(value))
        if not text:
            return None
        match = GEO.match(text)
        if not match:
            raise forms.ValidationError("Write it as distance(latitude,longitude,50mi).")
        lat, lon, radius, unit = match.groups()
        lat, lon = float(lat), float(lon)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise forms.ValidationError(
                "The latitude must be from -90 to 90 and the longitude from -180 to 180."
            )
        radius = radius.removesuffix(".0")
        if radius not in RADII:
            raise forms.ValidationError(f"The distance must be one of {', '.join(RADII)}.")
        return lat, lon, radius, unit.lower()


class GeoFilter(django_filters.CharFilter):
    field_class = GeoField


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _facet_filter(facet: Facet) -> django_filters.Filter:
    """The filter of a facet's parameter, from its declaration."""
    if facet.kind is Kind.DISTANCE:
        return django_filters.ChoiceFilter(
            label=facet.label,
            choices=facet.choices,
            error_messages={
                "invalid_choice": _("Choose a distance of %(radii)s.") % {"radii": ", ".join(RADII)}
            },
        )
    if facet.kind is Kind.FLAG:
        return StrictBooleanFilter(label=facet.flag_label or facet.label)
    if facet.kind is Kind.TERMS:
        return FreeMultipleFilter(label=facet.label)
    choices = facet.choices if facet.options is not None else facet.vocabulary.choices
    if not facet.multiple:
        return django_filters.ChoiceFilter(
            label=facet.label, choices=[*choices, (EVERY, _("Any"))], empty_label=_("Any")
        )
    if facet.default is not None:
        choices = [*choices, (EVERY, _("All statuses"))]
    return django_filters.MultipleChoiceFilter(label=facet.label, choices=choices)


class TrialFilterSet(django_filters.FilterSet):
    condition = TextFilter(label=_("Condition or disease"), max_length=MAX_QUERY)
    q = TextFilter(
        label=_("Search words"),
        max_length=MAX_QUERY,
        validators=[few_alternatives],
        help_text=_('Optional. Use "quotes" for a phrase, -word to leave a word out.'),
    )
    age = WholeNumberFilter(
        label=_("Age"), help_text=_("Your age in years"), min_value=0, max_value=120
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=list(SORTS.items()), empty_label=None
    )
    page = WholeNumberFilter(label=_("Page"), min_value=1, max_value=100_000)
    near = TextFilter(
        label=_("Near"),
        max_length=geo.MAX_PLACE,
        help_text=_("A postcode, or a town or city"),
    )
    lat = CoordinateFilter(label=_("Latitude"), min_value=-90, max_value=90)
    lon = CoordinateFilter(label=_("Longitude"), min_value=-180, max_value=180)
    unit = django_filters.ChoiceFilter(label=_("Unit"), choices=list(geo.UNITS.items()))
    geo_filter = GeoFilter(label=_("Distance filter"), field_name="filter.geo")

    class Meta:
        model = Trial
        fields: list[str] = []

    @classmethod
    def get_filters(cls):
        """The declared filters, and one for each facet after the age."""
        declared = super().get_filters()
        declared["filter.geo"] = declared.pop("geo_filter")
        facets = {f.key: _facet_filter(f) for f in FACETS if f.filters}
        place = ["near", "lat", "lon"]
        order = ["condition", "q", "age", *place, *facets, "unit", "filter.geo", "sort", "page"]
        return {name: {**declared, **facets}[name] for name in order}

    located = geo.Located()

    def get_form_class(self):
        # The fields depend on no request: one form class serves every search.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def criteria(self) -> Criteria:
        data = self.form.cleaned_data
        chosen = {}
        near = self._near(data)
        for facet in FACETS:
            if not facet.filters:
                continue
            if facet.kind is Kind.DISTANCE:
                radius = (data.get("filter.geo") or (0, 0, data.get(facet.key)))[2]
                if near and radius:
                    chosen[facet.key] = (radius,)
                continue
            value = data.get(facet.key)
            if facet.kind is Kind.FLAG:
                value = [] if value is None else ["true" if value else "false"]
            elif not facet.multiple:
                value = [value] if value else []
            value = list(value or [])
            if EVERY in value or (facet.default and set(value) >= set(facet.stored)):
                chosen[facet.key] = ()  # every option: the filter is off
            elif value or facet.default is None:
                chosen[facet.key] = tuple(value)
        sort = data.get("sort") or "relevance"
        return Criteria(
            q=data.get("q") or "",
            condition=data.get("condition") or "",
            age=data.get("age"),
            sort="relevance" if sort == "nearest" and not near else sort,
            chosen={key: values for key, values in chosen.items() if values or key == STATUS.key},
            near=near,
        )

    def _near(self, data: dict) -> geo.Near | None:
        """The place searched from (the "Near" box, a point, or `filter.geo`); what was
        found, the candidates and any problem stay in `located`."""
        lat, lon, unit = data.get("lat"), data.get("lon"), data.get("unit") or None
        if data.get("filter.geo"):
            lat, lon, _radius, unit = data["filter.geo"]
        if (lat is None) != (lon is None):
            self.located = geo.Located(
                problem=str(_("Give both a latitude (lat) and a longitude (lon)."))
            )
            return None
        self.located = geo.resolve(data.get("near") or "", lat, lon, unit)
        return self.located.near

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
                entry["accepted"] = [value for value, _label in choices if value]
            elif isinstance(field, GeoField):
                entry["accepted"] = (
                    f"distance(lat,lon,Nmi) or distance(lat,lon,Nkm), N one of {', '.join(RADII)}"
                )
            elif isinstance(field, forms.FloatField):
                entry["accepted"] = f"a number from {field.min_value} to {field.max_value}"
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
                            gettext("Ignored %(field)s “%(value)s”: not a value we know.")
                            % {"field": label.lower(), "value": _shorten(bad)}
                        )
                data.setlist(name, good)
            else:
                notices.append(
                    gettext("Ignored %(field)s “%(value)s”: %(problem)s")
                    % {
                        "field": label.lower(),
                        "value": _shorten(data.get(name, "")),
                        "problem": messages[0],
                    }
                )
                data.pop(name, None)
        filterset = cls(data)
        if not filterset.is_valid():  # cannot happen with the fields above; never fail the page
            filterset = cls(QueryDict())
            filterset.is_valid()
        return filterset, notices


def query_for(criteria: Criteria, page: int = 1) -> str:
    """The query string of a search, in its shortest form: no empty parameters and no
    defaults (open statuses, best match, page 1), parameters in the FilterSet's order."""
    query = QueryDict(mutable=True)
    for name in ("condition", "q"):
        if value := getattr(criteria, name):
            query[name] = value
    if criteria.age is not None:
        query["age"] = str(criteria.age)
    if criteria.near:
        query.update(criteria.near.params())
    for facet in FACETS:
        if facet.kind is Kind.DISTANCE:
            if criteria.near:
                query[facet.key] = criteria.values(facet)[0]
                query["unit"] = criteria.near.unit
            continue
        if facet.key in criteria.chosen:
            query.setlist(facet.key, list(criteria.chosen[facet.key]) or [EVERY])
    if criteria.sort != "relevance":
        query["sort"] = criteria.sort
    if page > 1:
        query["page"] = str(page)
    return query.urlencode()


def patient_query(criteria: Criteria) -> str:
    """The search's age, sex and "healthy volunteers" as the query of a trial page's link,
    so that the trial's checklist is answered from them; '' when the search has none.
    (finder.forms.AboutYouForm reads them on the trial page.)"""
    query = QueryDict(mutable=True)
    if criteria.age is not None:
        query["age"] = str(criteria.age)
    sex = criteria.chosen.get("sex") or ()
    if len(sex) == 1 and sex[0] in ("FEMALE", "MALE"):
        query["sex"] = sex[0]
    if tuple(criteria.chosen.get("healthy") or ()) == ("true",):
        query["healthy"] = "true"
    return query.urlencode()


def _shorten(value: str, limit: int = 40) -> str:
    value = one_line(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
