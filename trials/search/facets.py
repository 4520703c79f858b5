"""The facets of the search, each declared once.

A facet is a query parameter that filters trials on one column of Trial (the distance:
on the trial's sites, from the place searched from) and whose options are counted for
every search. Its declaration says everything the rest of
the code needs: the parameter, the labels, the column and how a trial is tested on
it (its `Kind`). From these declarations come the FilterSet's fields, the columns of
the narrow search tables (`TrialFacets`, `StatusSummary`) and their rebuild, both
engines' filters and counts, the facet panel, the "remove this filter" suggestions
and the API's facet counts.

Counts are disjunctive: a facet's options are counted with every other criterion
applied but its own, so ticking a second option shows what it would add.

This module reads only the vocabularies and `trials.l10n`: `trials.models` imports
it while Django loads the models.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .. import l10n
from ..vocabularies import OPEN_STATUSES, AgeGroup, Phase, Sex, Status, StudyType, Vocabulary

# The parameter value that turns a facet's filter off ("status=ALL": every status).
EVERY = "ALL"
# The radii offered around a place, in its unit (kilometres, or miles in the US).
RADII = ("10", "25", "50", "100", "250", "500")
DEFAULT_RADIUS = "50"


class Kind(enum.Enum):
    """How a trial is tested against a facet's column."""

    VALUE = "value"  # the column holds one code; a trial matches any chosen code
    VALUES = "values"  # an array of codes; a trial matches when it holds any chosen code
    FLAG = "flag"  # a boolean; options "true" and "false"
    TERMS = "terms"  # an array of open-ended values; the `size` commonest are counted
    # A radius around the place searched from (Criteria.near), with no column of its
    # own: a trial matches when one of its sites that count is within it. Its options
    # are the radii, counted as bands ("within 10 km": trials with a site that close).
    DISTANCE = "distance"


@dataclass(frozen=True)
class Facet:
    key: str  # the query parameter, and the key of the criterion and of its counts
    label: Promise | str
    kind: Kind
    column: str  # the Trial column tested (copied into TrialFacets under the same name)
    vocabulary: type[Vocabulary] | None = None  # VALUE and VALUES: the codes and labels
    options: tuple[str, ...] | None = None  # the codes offered, when not the vocabulary's all
    # Column values that match every option ("ALL" and "" sexes match both sexes).
    wildcards: tuple[str, ...] = ()
    multiple: bool = True  # several options at once (joined by OR)
    default: tuple[str, ...] | None = None  # applied when the parameter is not given
    size: int = 0  # TERMS: how many values are counted
    # TERMS: a value in the reader's language (None: the record's own words).
    value_label: Callable[[str], str] | None = None
    # False: counted only; the criterion of the same key is a text (the condition).
    filters: bool = True
    # How the search page offers it: checkboxes in the panel, one checkbox (a FLAG's
    # "true"), a select in the search bar, or not at all ("").
    control: str = "checkboxes"
    flag_label: Promise | str = ""  # FLAG: the one checkbox's label
    note: Promise | str = ""
    removal: Promise | str = ""  # "Remove the phase" when no trial matches
    extra_params: tuple[str, ...] = field(default=())  # other parameters of its criterion

    @cached_property
    def codes(self) -> list[str]:
        """The codes counted, in the order shown (VALUE, VALUES and FLAG)."""
        if self.kind is Kind.FLAG:
            return ["true", "false"]
        if self.options is not None:
            return list(self.options)
        return list(self.vocabulary.values) if self.vocabulary else []

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(code, label) of each option; a TERMS facet's values are their own labels."""
        if self.kind is Kind.FLAG:
            return [("true", _("Yes")), ("false", _("No"))]
        if self.vocabulary is None:
            return [(code, code) for code in self.codes]
        return [(code, self.vocabulary.label_for(code)) for code in self.codes]

    @cached_property
    def stored(self) -> list[str]:
        """Every value the column may hold, in the order the bitmaps code them."""
        return list(
            dict.fromkeys([*(self.vocabulary.values if self.vocabulary else []), *self.wildcards])
        )

    @property
    def enumerated(self) -> bool:
        """Whether its options are a fixed list of a column's values (counted together
        over grouped rows)."""
        return self.kind not in (Kind.TERMS, Kind.DISTANCE)


FACETS: tuple[Facet, ...] = (
    Facet(
        "status",
        _("Status"),
        Kind.VALUE,
        "overall_status",
        Status,
        default=tuple(str(s) for s in OPEN_STATUSES),
        removal=_("the status"),
    ),
    Facet(
        "phase",
        _("Phase"),
        Kind.VALUES,
        "phases",
        Phase,
        note=_("A trial in two phases (e.g. phase 1/phase 2) counts under both."),
        removal=_("the phase"),
    ),
    Facet(
        "age_group",
        _("Age group"),
        Kind.VALUES,
        "std_ages",
        AgeGroup,
        removal=_("the age"),
        extra_params=("age",),
    ),
    Facet(
        "type",
        _("Study type"),
        Kind.VALUE,
        "study_type",
        StudyType,
        removal=_("the study type"),
    ),
    Facet(
        "sex",
        _("Sex"),
        Kind.VALUE,
        "sex",
        Sex,
        options=(Sex.FEMALE, Sex.MALE),
        wildcards=(Sex.ALL, ""),
        multiple=False,
        control="select",
        removal=_("the sex"),
    ),
    Facet(
        "healthy",
        _("Healthy volunteers"),
        Kind.FLAG,
        "healthy_volunteers",
        multiple=False,
        control="checkbox",
        flag_label=_("Accepts healthy volunteers"),
        removal=_("healthy volunteers"),
    ),
    Facet(
        "has_results",
        _("Study results"),
        Kind.FLAG,
        "has_results",
        multiple=False,
        control="checkbox",
        flag_label=_("Has posted results"),
        removal=_("“has posted results”"),
    ),
    Facet(
        "country",
        _("Country"),
        Kind.TERMS,
        "countries",
        size=60,
        value_label=l10n.country_name,
        removal=_("the country"),
    ),
    Facet(
        "radius",
        _("Distance"),
        Kind.DISTANCE,
        "",
        options=RADII,
        default=(DEFAULT_RADIUS,),
        multiple=False,
        control="distance",
        removal=_("the distance"),
        extra_params=("near", "lat", "lon", "unit"),
    ),
    Facet(
        "condition",
        _("Condition"),
        Kind.TERMS,
        "mesh_terms",
        size=12,
        filters=False,
        control="",
        removal=_("the condition"),
    ),
)
BY_KEY = {facet.key: facet for facet in FACETS}
STATUS = BY_KEY["status"]
DISTANCE = BY_KEY["radius"]

# The Trial columns search reads besides the facets' own: the age in days (the age
# criterion), the page orders, and the NCT ID that breaks their ties.
AGE_COLUMNS = ("min_age_days", "max_age_days")
ORDER_COLUMNS = ("nct_id", "last_update", "first_posted")
# Every Trial column copied into the narrow TrialFacets table.
COLUMNS = tuple(
    dict.fromkeys([*ORDER_COLUMNS, *(f.column for f in FACETS if f.column), *AGE_COLUMNS])
)
