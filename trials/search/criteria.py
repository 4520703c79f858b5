"""What a patient asked for: `Criteria`, a value object the engines answer.

Criteria hold the cleaned search (what the FilterSet accepted): the free text, the
condition, the age, the values chosen for each facet and the order. They know which
criteria are active and under which key (a facet's key; "q" and "condition" for the
texts; the age shares the age-group facet's key, so the age-group counts leave both
out), but nothing of how an engine finds the trials.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ..ctgov import normalize_term
from ..models import age_span
from .facets import BY_KEY, FACETS, STATUS, Facet, Kind
from .lay_names import LAY_NAMES

SORTS = {
    "relevance": _("Best match"),
    "newest": _("Newest first"),
    "updated": _("Recently updated"),
}
TEXT_KEYS = ("q", "condition")
# The age criterion is left out with the age-group facet when that facet is counted.
AGE_KEY = "age_group"


@dataclass(frozen=True)
class Criteria:
    q: str = ""
    condition: str = ""
    age: int | None = None
    sort: str = "relevance"
    # The codes chosen for each facet, by key. A facet with a default (status) that is
    # not here gets its default; present but empty, it is off (every status).
    chosen: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def values(self, facet: Facet | str) -> tuple[str, ...]:
        """The codes a facet filters on, its default applied; () when it does not filter."""
        facet = BY_KEY[facet] if isinstance(facet, str) else facet
        if facet.key in self.chosen:
            return tuple(self.chosen[facet.key])
        return facet.default or ()

    @property
    def effective_statuses(self) -> tuple[str, ...]:
        return self.values(STATUS)

    def filters(self) -> dict[Facet, tuple[str, ...]]:
        """Each facet that filters, with its codes."""
        return {f: values for f in FACETS if f.filters and (values := self.values(f))}

    @property
    def age_days(self) -> tuple[int, int] | None:
        """The age as the span of days [low, high] a trial's limits must reach."""
        return None if self.age is None else age_span(self.age)

    @property
    def normalized_condition(self) -> str:
        return normalize_term(self.condition)

    @property
    def lay_terms(self) -> tuple[str, ...]:
        """The MeSH terms of the condition when it is an everyday name ("heart attack")."""
        return LAY_NAMES.get(self.normalized_condition, ())

    @property
    def condition_terms(self) -> tuple[str, ...]:
        """What the condition matches: the words as typed, or the MeSH terms of its
        everyday name (normalized)."""
        return (self.normalized_condition, *(normalize_term(t) for t in self.lay_terms))

    def texts(self) -> dict[str, str]:
        """The text criteria that are set, by key."""
        return {key: text for key in TEXT_KEYS if (text := getattr(self, key))}

    def keys(self) -> list[str]:
        """The key of every active criterion, texts first."""
        keys = [*self.texts(), *(f.key for f in self.filters())]
        if self.age is not None and AGE_KEY not in keys:
            keys.append(AGE_KEY)
        return keys

    @property
    def only_statuses(self) -> bool:
        """Whether the statuses are the only criterion (the default search is one)."""
        return set(self.keys()) <= {STATUS.key}

    @property
    def ranked(self) -> bool:
        """Whether results go in order of relevance: sorted so, and words to rank by."""
        return self.sort == "relevance" and bool(self.texts())

    def cache_key(self) -> tuple:
        """What the counts depend on: every criterion, but not the order or the page."""
        return (
            self.q,
            self.normalized_condition,
            self.age,
            tuple(
                (f.key, None if f.key not in self.chosen else tuple(sorted(self.chosen[f.key])))
                for f in FACETS
            ),
        )

    def total_from(self, counts: dict[str, dict[str, int]]) -> int:
        """The number of matching trials: each trial has one status, so sum the chosen ones."""
        statuses = self.effective_statuses or counts[STATUS.key].keys()
        return sum(counts[STATUS.key].get(s, 0) for s in statuses)

    def replace(self, **changes) -> Criteria:
        return dataclasses.replace(self, **changes)

    def as_json(self) -> dict:
        """The criteria as JSON, to store (an alert's search): the order is left out."""
        found: dict = {key: text for key, text in self.texts().items()}
        if self.age is not None:
            found["age"] = self.age
        if self.chosen:
            found["chosen"] = {key: list(values) for key, values in self.chosen.items()}
        return found

    @classmethod
    def from_json(cls, data: Mapping) -> Criteria:
        """Criteria stored by `as_json`; a facet no longer declared is left out."""
        chosen = data.get("chosen") or {}
        return cls(
            q=data.get("q", ""),
            condition=data.get("condition", ""),
            age=data.get("age"),
            chosen={key: tuple(values) for key, values in chosen.items() if key in BY_KEY},
        )

    def in_words(self, trials: str | None = None) -> str:
        """The search as a patient would say it: "trials for lupus nephritis, open to
        enrollment, for age 34"; `trials` names what is found ("new trials")."""
        trials = trials or str(_("trials"))
        head = {
            frozenset({"condition", "q"}): _("%(trials)s for %(condition)s matching “%(q)s”"),
            frozenset({"condition"}): _("%(trials)s for %(condition)s"),
            frozenset({"q"}): _("%(trials)s matching “%(q)s”"),
            frozenset(): "%(trials)s",
        }[frozenset(self.texts())]
        parts = [str(head) % {"trials": trials, **self.texts()}]
        statuses = self.effective_statuses
        if STATUS.key not in self.chosen:
            parts.append(str(_("open to enrollment")))
        elif statuses:
            parts.append(_or([STATUS.vocabulary.label_for(s).lower() for s in statuses]))
        else:
            parts.append(str(_("in any status")))
        for facet, values in self.filters().items():
            if facet is not STATUS:
                parts.append(_facet_in_words(facet, values))
        if self.age is not None:
            parts.append(str(_("for age %(age)s")) % {"age": self.age})
        return ", ".join(parts)

    @classmethod
    def of(cls, *, q="", condition="", age=None, sort="relevance", **chosen) -> Criteria:
        """Criteria from keyword arguments, facets by key: Criteria.of(phase=["PHASE2"]).
        A facet given None is left to its default."""
        return cls(
            q=q,
            condition=condition,
            age=age,
            sort=sort,
            chosen={k: tuple(v) for k, v in chosen.items() if v is not None},
        )


def _or(values: list[str]) -> str:
    if len(values) < 2:
        return "".join(values)
    return str(_("%(some)s or %(last)s")) % {"some": ", ".join(values[:-1]), "last": values[-1]}


def _facet_in_words(facet: Facet, values: tuple[str, ...]) -> str:
    """One facet's criterion in words: "in phase 2 or phase 3", "in France"."""
    if facet.kind is Kind.FLAG:
        return (
            f"{str(facet.flag_label).lower()}: {str(_('yes') if values[0] == 'true' else _('no'))}"
        )
    if facet.kind is Kind.TERMS:
        return str(_("in %(places)s")) % {"places": _or(list(values))}
    labels = [facet.vocabulary.label_for(v) for v in values]
    return f"{str(facet.label).lower()}: {_or(labels)}"
