"""Template filters that say a trial's facts in plain words."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trials.models import DAYS_PER_YEAR, Phase, Sex, Status
from trials.search import HIGHLIGHT_START, HIGHLIGHT_STOP

register = template.Library()


def _age_words(days: int | None, given: str) -> str:
    """'18 Years' -> '18 years'; keeps the unit the record used (months for infants)."""
    if given:
        number, _, unit = given.partition(" ")
        unit = unit.lower()
        if number == "1":
            unit = unit.rstrip("s")
        return f"{number} {unit}".strip()
    years = int(days / DAYS_PER_YEAR)
    return f"{years} years"


@register.filter
def age_range(trial) -> str:
    """'18 to 65 years', '18 years and older', 'up to 17 years', 'any age'."""
    low, high = trial.min_age_days, trial.max_age_days
    if low in (None, 0) and high is None:
        # A record with no eligibility at all says nothing about ages.
        return "Any age" if trial.sex else "Not stated"
    low_words = _age_words(low, trial.minimum_age) if low else ""
    high_words = _age_words(high, trial.maximum_age) if high is not None else ""
    if low_words and not high_words:
        return f"{low_words} and older"
    if high_words and not low_words:
        return f"Up to {high_words}"
    low_number, _, low_unit = low_words.partition(" ")
    high_number, _, high_unit = high_words.partition(" ")
    if low_unit.rstrip("s") == high_unit.rstrip("s"):
        return f"{low_number} to {high_words}"
    return f"{low_words} to {high_words}"


@register.filter
def sex_words(value: str) -> str:
    return {Sex.FEMALE: "Women only", Sex.MALE: "Men only", Sex.ALL: "All sexes"}.get(
        value, "Not stated"
    )


@register.filter
def status_label(value: str) -> str:
    return Status(value).label if value in Status.values else value


@register.filter
def phase_words(phases: list[str]) -> str:
    """['PHASE1', 'PHASE2'] -> 'Phase 1 and phase 2'; no phase -> ''."""
    labels = [Phase(p).label for p in phases if p in Phase.values]
    if not labels:
        return ""
    words = " and ".join([labels[0], *[label.lower() for label in labels[1:]]])
    return words


@register.filter
def phase_label(value: str) -> str:
    return Phase(value).label if value in Phase.values else value


@register.filter
def get(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.filter
def highlight(snippet: str) -> SafeString:
    """A search snippet, escaped, with the matched words in <mark>."""
    text = str(escape(snippet))
    return mark_safe(text.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>"))
