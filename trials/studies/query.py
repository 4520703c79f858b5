"""What an API v2 request asks for, as values: Essie expressions, filters, order, position.

An Essie expression is a tree of the nodes below (the parser in finder.api_v2.essie
builds it, every field and area already resolved against `model`). A `StudyQuery`
is the whole request: the expressions of its query.* parameters, each with the area
its bare words search, the part of it that TrialFinder's own search criteria can say
(`criteria`, answered the way the search page answers it), the other filters, the
order and the page's position. Neither knows any SQL (trials.studies.sql does).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..search.criteria import Criteria
from .model import Field, SearchArea


@dataclass(frozen=True)
class Text:
    """Words to find; `phrase`: together and in this order ("quoted")."""

    words: str
    phrase: bool = False


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


@dataclass(frozen=True)
class InArea:
    """AREA[target]expr: `expr` searches one field or one search area."""

    target: Field | SearchArea
    expr: Node


@dataclass(frozen=True)
class Range:
    """RANGE[low, high] of a date, number or age field; None is MIN or MAX. Dates are
    (first day, last day) spans of what was written: 2022 is 2022-01-01 to 2022-12-31."""

    low: dt.date | int | float | None
    high: dt.date | int | float | None


@dataclass(frozen=True)
class Missing:
    """MISSING: the field has no value."""


@dataclass(frozen=True)
class Value:
    """A value compared as a whole with a field that is not text (an enum, a date, a
    number, a boolean, an ID): `value` is already of the field's kind."""

    value: object


Node = Text | And | Or | Not | InArea | Range | Missing | Value


@dataclass(frozen=True)
class Geo:
    """filter.geo: within `km` kilometres of a point (some site of the study)."""

    latitude: float
    longitude: float
    km: float


@dataclass(frozen=True)
class SortKey:
    field: Field | None  # None: relevance
    descending: bool


@dataclass(frozen=True)
class StudyQuery:
    # Each query.* parameter (and filter.advanced) not said by `criteria`: its area and
    # its expression. All of them must hold.
    expressions: tuple[tuple[SearchArea, Node], ...] = ()
    # What TrialFinder's search criteria say of the request (the statuses, simple
    # condition and free-text words, aggFilters), answered as the search page does.
    criteria: Criteria = field(default_factory=lambda: Criteria(chosen={"status": ()}))
    ids: tuple[str, ...] = ()  # filter.ids: NCT IDs (or their aliases)
    geo: tuple[Geo, ...] = ()
    impossible: bool = False  # two filters that no study can meet at once
    sort: tuple[SortKey, ...] = ()
    # The words relevance is ranked by (from every query.* parameter).
    rank_words: tuple[str, ...] = ()

    @property
    def only_criteria(self) -> bool:
        """Whether TrialFinder's search criteria say the whole query."""
        return not (self.expressions or self.ids or self.geo or self.impossible)
