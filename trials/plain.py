"""A ClinicalTrials.gov record in words a patient reads.

ClinicalTrials.gov writes its long texts (criteria, descriptions, arms) in a Markdown
of its own: lists and emphasis, with `\\>`, `\\<`, `\\^` and `\\~` escaped.
`render_markdown` renders it with markdown-it (no code blocks, headings or raw HTML,
which the records only produce by accident) and sanitises the result with nh3.
`criteria_sections` splits the eligibility criteria at the headings trials.eligibility
recognises; the other functions say ages, phases, the design, people and references
in plain words, from the labels and explanations of trials.vocabularies. The trial page, its template
tags and the JSON API read them from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from markdown_it import MarkdownIt

from . import eligibility
from .models import DAYS_PER_YEAR
from .vocabularies import (
    DUMMY_ARMS,
    Allocation,
    InterventionModel,
    Masking,
    ObservationalModel,
    Phase,
    PrimaryPurpose,
    ResponsiblePartyType,
    SecondaryIdType,
    Sex,
    StudyType,
    TimePerspective,
    WhoMasked,
)

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "br", "a", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Some records escape an HTML entity ("\\&gt;" for ">"): made a plain escape before parsing.
ESCAPED_ENTITY = re.compile(r"\\&(gt|lt|amp);")
ENTITY_CHARACTERS = {"gt": ">", "lt": "<", "amp": "&"}
# What markdown-it cannot undo (an escape it does not see as one) is undone after rendering.
LEFTOVER_ESCAPES = (("\\&gt;", "&gt;"), ("\\&lt;", "&lt;"), ("\\^", "^"), ("\\~", "~"))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Indented lines are continuation text in these records, never code; "Criteria\n---"
    # is not a heading; a leading ">" is a greater-than sign, not a quotation.
    return MarkdownIt("commonmark", {"html": False}).disable(
        [
            "code",
            "fence",
            "blockquote",
            "html_block",
            "heading",
            "lheading",
            "backticks",
            "image",
            "html_inline",
        ]
    )


def render_markdown(text: str) -> str:
    """ClinicalTrials.gov Markdown to sanitised HTML (a str, safe to mark safe)."""
    if not text or not text.strip():
        return ""
    text = ESCAPED_ENTITY.sub(lambda m: "\\" + ENTITY_CHARACTERS[m.group(1)], text)
    html = _parser().render(text)
    for escaped, plain in LEFTOVER_ESCAPES:
        html = html.replace(escaped, plain)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    ).strip()


# Eligibility criteria, split at their "Inclusion Criteria:" / "Exclusion Criteria:" lines

CRITERIA_HINTS = {
    "inclusion": _("To join, all of these must be true for you."),
    "exclusion": _("You cannot join if any of these is true for you."),
    "other": "",
}


@dataclass(frozen=True)
class CriteriaSection:
    kind: str  # "inclusion", "exclusion", "other" (text before or between the lists)
    title: str
    html: SafeString

    @property
    def hint(self) -> str:
        return CRITERIA_HINTS[self.kind]


def criteria_sections(text: str) -> list[CriteriaSection]:
    """The criteria as titled sections: inclusion, exclusion, and any text around them,
    at the headings trials.eligibility recognises."""
    sections: list[tuple[str, str, list[str]]] = [("other", "", [])]
    for line in eligibility.lines(text):
        if found := eligibility.heading(line):
            kind, title = found
            sections.append((kind, eligibility.tidy_title(title), []))
        else:
            sections[-1][2].append(line)
    result = []
    for kind, title, lines in sections:
        html = render_markdown("\n".join(lines))
        if not html and not title:
            continue
        result.append(CriteriaSection(kind if title else "other", title, mark_safe(html)))
    return result


# Ages, phases, dates


def _age(days: int | None, given: str) -> tuple[str, str]:
    """(number, unit) of an age limit, in the unit the record used (months for infants)."""
    if given:
        number, _space, unit = given.partition(" ")
        return number, unit.lower().rstrip("s")
    return str(int(days / DAYS_PER_YEAR)), "year"


def _age_words(number: str, unit: str) -> str:
    """'18 years', '1 month'."""
    try:
        count = float(number)
    except ValueError:
        count = 2.0
    n = int(count) if count.is_integer() else 2
    words = {
        "year": ngettext("%(number)s year", "%(number)s years", n),
        "month": ngettext("%(number)s month", "%(number)s months", n),
        "week": ngettext("%(number)s week", "%(number)s weeks", n),
        "day": ngettext("%(number)s day", "%(number)s days", n),
        "hour": ngettext("%(number)s hour", "%(number)s hours", n),
        "minute": ngettext("%(number)s minute", "%(number)s minutes", n),
    }.get(unit)
    return words % {"number": number} if words else f"{number} {unit}".strip()


def age_range(trial) -> str:
    """'18 to 65 years', '18 years and older', 'Up to 17 years', 'Any age'."""
    low, high = trial.min_age_days, trial.max_age_days
    if low in (None, 0) and high is None:
        # A record with no eligibility at all says nothing about ages.
        return _g("Any age") if trial.sex else _g("Not stated")
    if not low:
        return _g("Up to %(age)s") % {"age": _age_words(*_age(high, trial.maximum_age))}
    low_number, low_unit = _age(low, trial.minimum_age)
    if high is None:
        return _g("%(age)s and older") % {"age": _age_words(low_number, low_unit)}
    high_number, high_unit = _age(high, trial.maximum_age)
    if low_unit == high_unit:
        return _g("%(low)s to %(high)s") % {
            "low": low_number,
            "high": _age_words(high_number, high_unit),
        }
    return _g("%(low)s to %(high)s") % {
        "low": _age_words(low_number, low_unit),
        "high": _age_words(high_number, high_unit),
    }


def sex_words(value: str) -> str:
    """'Women only', 'Men only', 'All sexes' or 'Not stated'."""
    return str(Sex.explain(value)) or _g("Not stated")


def phase_words(phases: list[str]) -> str:
    """['PHASE1', 'PHASE2'] -> 'Phase 1 and phase 2'; no phase -> ''."""
    labels = [str(Phase.label_for(p)) for p in phases if p in Phase.values]
    if not labels:
        return ""
    return _join([labels[0], *[label.lower() for label in labels[1:]]])


def partial_date(value) -> str:
    """A PartialDate in words, at its own precision; 'expected' when estimated."""
    if value is None:
        return ""
    return _g("%(date)s (expected)") % {"date": value} if value.estimated else str(value)


def id_type(value: dict) -> str:
    kind = SecondaryIdType.label_for(value.get("type", "")) if value.get("type") else ""
    domain = value.get("domain", "")
    return " · ".join(str(part) for part in (kind, domain) if part)


def _join(words: list[str], conjunction: str = "") -> str:
    """'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction or _g('and')} {words[-1]}"


# The design of the study


def _placebo_words(arms, interventions) -> str:
    placebo = any(a.type in DUMMY_ARMS for a in arms) or any(
        "placebo" in i.name.lower() or "sham" in i.name.lower() for i in interventions
    )
    if placebo:
        return _g(
            "Yes: some participants get a placebo or sham, a dummy treatment that looks "
            "the same but has no active effect."
        )
    if arms or interventions:
        return _g("No: no one gets a dummy treatment.")
    return ""


def _masking_words(trial) -> str:
    if trial.masking == Masking.NONE:
        return str(Masking.NONE.explanation)
    if not trial.masking:
        return ""
    who = [str(WhoMasked(w).label) for w in trial.who_masked if w in WhoMasked.values]
    if not who:
        return _g("Some people in the study do not know who gets which treatment (masked).")
    return _g("%(who)s do not know who gets which treatment (masked).") % {
        "who": _join(who).capitalize()
    }


def design_facts(trial, arms=(), interventions=()) -> list[tuple[str, str]]:
    """(question, answer) pairs describing the design in plain words."""
    facts = []
    if trial.study_type in StudyType.values:
        facts.append((_g("Type of study"), str(StudyType.explain(trial.study_type))))
    if trial.study_type == StudyType.OBSERVATIONAL:
        if explained := ObservationalModel.explain(trial.observational_model):
            facts.append((_g("How"), str(explained)))
        if explained := TimePerspective.explain(trial.time_perspective):
            facts.append((_g("When"), str(explained)))
    elif trial.study_type != StudyType.EXPANDED_ACCESS:
        if explained := PrimaryPurpose.explain(trial.primary_purpose):
            facts.append((_g("Purpose"), str(explained)))
        if explained := Allocation.explain(trial.allocation):
            facts.append((_g("Randomised?"), str(explained)))
        if explained := InterventionModel.explain(trial.intervention_model):
            facts.append((_g("Groups"), str(explained)))
        placebo = _placebo_words(arms, interventions) if trial.study_type else ""
        if placebo:
            facts.append((_g("Placebo?"), placebo))
        if masking := _masking_words(trial):
            facts.append((_g("Who is masked?"), masking))
    if trial.enrollment:
        people = f"{trial.enrollment:,}"
        if trial.enrollment_estimated:
            size = _g("About %(people)s people are expected to take part.")
            if trial.enrollment == 1:
                size = _g("About %(people)s person is expected to take part.")
        else:
            size = _g("%(people)s people took part or are taking part.")
            if trial.enrollment == 1:
                size = _g("%(people)s person took part or is taking part.")
        facts.append((_g("Size"), size % {"people": people}))
    return facts


# People and references


def responsible_party(value: dict) -> str:
    """'Principal investigator: Jane Doe, Professor, Some University' or the sponsor."""
    if not value:
        return ""
    person = ", ".join(
        v
        for v in (
            value.get("investigatorFullName") or value.get("oldNameTitle"),
            value.get("investigatorTitle"),
            value.get("investigatorAffiliation") or value.get("oldOrganization"),
        )
        if v
    )
    code = value.get("type", "")
    kind = str(ResponsiblePartyType(code).label) if code in ResponsiblePartyType.values else ""
    if kind and person:
        return f"{kind}: {person}"
    return person or kind


DOI = re.compile(r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/[^\s\"<>]+)", re.I)


def reference_links(reference: dict) -> list[tuple[str, str]]:
    """(label, url) for a reference's PubMed and DOI pages."""
    links = []
    pmid = str(reference.get("pmid") or "").strip()
    if pmid.isdigit():
        links.append((f"PubMed {pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
    match = DOI.search(reference.get("citation") or "")
    if match:
        doi = match.group(1).rstrip(".,;)")
        links.append((f"DOI {doi}", f"https://doi.org/{doi}"))
    return links


# Links


def web_url(value: str) -> str:
    """The URL when it is http(s), else '' (a record's link is never made a javascript: link)."""
    value = (value or "").strip()
    return value if re.match(r"^https?://[^\s]+$", value, re.I) else ""


def tel_href(phone: str) -> str:
    """'+33 (0)1 42 49 49 49' -> 'tel:+330142494949'; '' when it has too few digits."""
    text = re.sub(r"\(0\)", "0", phone or "")
    digits = re.sub(r"[^\d+]", "", text)
    digits = digits[:1] + digits[1:].replace("+", "")
    if sum(c.isdigit() for c in digits) < 5:
        return ""
    return f"tel:{digits}"


def mailto_href(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return f"mailto:{email}"
