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

from . import eligibility, l10n
from .models import DAYS_PER_YEAR
from .vocabularies import (
    DUMMY_ARMS,
    Allocation,
    InterventionModel,
    InterventionType,
    Masking,
    ObservationalModel,
    Phase,
    PrimaryPurpose,
    ResponsiblePartyType,
    SecondaryIdType,
    Sex,
    Status,
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


# Each unit's words, looked up for the one unit an age uses.
_AGE_UNITS = {
    "year": lambda n: ngettext("%(number)s year", "%(number)s years", n),
    "month": lambda n: ngettext("%(number)s month", "%(number)s months", n),
    "week": lambda n: ngettext("%(number)s week", "%(number)s weeks", n),
    "day": lambda n: ngettext("%(number)s day", "%(number)s days", n),
    "hour": lambda n: ngettext("%(number)s hour", "%(number)s hours", n),
    "minute": lambda n: ngettext("%(number)s minute", "%(number)s minutes", n),
}


def _age_words(number: str, unit: str) -> str:
    """'18 years', '1 month'."""
    words = _AGE_UNITS.get(unit)
    if words is None:
        return f"{number} {unit}".strip()
    try:
        count = float(number)
    except ValueError:
        count = 2.0
    return words(int(count) if count.is_integer() else 2) % {"number": number}


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


def where_line(trial) -> str:
    """'Boston, Lyon, Paris and 4 more · United States, France', or 'No sites listed'."""
    if not trial.countries:
        return _g("No sites listed")
    cities = ", ".join(trial.cities[:3])
    if len(trial.cities) > 3:
        cities += " " + _g("and %(more)s more") % {"more": len(trial.cities) - 3}
    countries = ", ".join(l10n.country_name(name) for name in trial.countries[:3])
    if len(trial.countries) > 3:
        countries += f" +{len(trial.countries) - 3}"
    return " · ".join(part for part in (cities, countries) if part)


def sex_words(value: str) -> str:
    """'Women only', 'Men only', 'All sexes' or 'Not stated'."""
    return str(Sex.explain(value)) or _g("Not stated")


def phase_words(phases: list[str]) -> str:
    """['PHASE1', 'PHASE2'] -> 'Phase 1 and phase 2'; no phase -> ''."""
    labels = [str(Phase.label_for(p)) for p in phases if Phase.knows(p)]
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
    who = [str(WhoMasked(w).label) for w in trial.who_masked if WhoMasked.knows(w)]
    if not who:
        return _g("Some people in the study do not know who gets which treatment (masked).")
    return _g("%(who)s do not know who gets which treatment (masked).") % {
        "who": _join(who).capitalize()
    }


def design_facts(trial, arms=(), interventions=()) -> list[tuple[str, str]]:
    """(question, answer) pairs describing the design in plain words."""
    facts = []
    if StudyType.knows(trial.study_type):
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
    kind = str(ResponsiblePartyType(code).label) if ResponsiblePartyType.knows(code) else ""
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


# At a glance: a few lines made from the record's structured fields, nothing else


@dataclass(frozen=True)
class Glance:
    key: str  # what, phase, blinding, who, size, when, where
    label: str
    text: str


@dataclass(frozen=True)
class NearestSite:
    """The site closest to a place the patient gave, and how far it is.

    A caller that knows where the patient is (a distance search) passes one to
    `at_a_glance`; without a place there is no nearest site to say.
    """

    site: object  # a trials.models.Site
    distance_km: float


MAX_NAMES = 5


def _names(names: list[str]) -> str:
    shown = names[:MAX_NAMES]
    if len(names) > MAX_NAMES:
        more = len(names) - MAX_NAMES
        shown.append(ngettext("%(n)s more", "%(n)s more", more) % {"n": more})
    return _join(shown)


def _is_dummy(intervention) -> bool:
    name = intervention.name.lower()
    return "placebo" in name or "sham" in name


def _what_is_tested(trial, interventions) -> str:
    if trial.study_type == StudyType.OBSERVATIONAL:
        # An observational record's "interventions" are often notes, not treatments.
        return _g("No treatment is given by the study: it watches what happens to people.")
    tested = [i for i in interventions if not _is_dummy(i)]
    if not tested:
        return ""
    by_type: dict[str, list[str]] = {}
    for i in tested:
        label = InterventionType.label_for(i.type) if i.type else _g("Treatment")
        by_type.setdefault(str(label), []).append(i.name)
    return "; ".join(f"{label}: {_names(names)}" for label, names in by_type.items()) + "."


def _phase_line(phases: list[str]) -> str:
    known = [p for p in phases if Phase.knows(p)]
    if not known:
        return ""
    explained = [str(Phase.explain(p)).rstrip(".") for p in known]
    first, *rest = explained
    said = first + "".join(f"; {_g('then')} {e[:1].lower()}{e[1:]}" for e in rest)
    return f"{phase_words(known)}: {said[:1].lower()}{said[1:]}."


def _blinding_line(trial, arms, interventions) -> str:
    if trial.study_type != StudyType.INTERVENTIONAL:
        return ""
    parts = []
    dummy = any(a.type in DUMMY_ARMS for a in arms) or any(_is_dummy(i) for i in interventions)
    if dummy:
        parts.append(_g("Some participants get a placebo or sham (a dummy treatment)."))
    elif arms or interventions:
        parts.append(_g("No one gets a placebo."))
    if trial.masking == Masking.NONE:
        parts.append(_g("Open label: everyone knows who gets which treatment."))
    elif Masking.knows(trial.masking):
        who = [str(WhoMasked(w).label) for w in trial.who_masked if WhoMasked.knows(w)]
        kind = {
            Masking.SINGLE: _g("Single-blind"),
            Masking.DOUBLE: _g("Double-blind"),
            Masking.TRIPLE: _g("Triple-blind"),
            Masking.QUADRUPLE: _g("Quadruple-blind"),
        }[trial.masking]
        if who:
            parts.append(
                _g("%(kind)s: %(who)s do not know who gets which treatment.")
                % {"kind": kind, "who": _join(who)}
            )
        else:
            parts.append(
                _g("%(kind)s: some people in the study do not know who gets which treatment.")
                % {"kind": kind}
            )
    return " ".join(parts)


def _who_line(trial) -> str:
    ages = age_range(trial)
    if ages == _g("Not stated"):
        parts = [_g("Ages not stated")]
    elif ages == _g("Any age"):
        parts = [ages]
    else:
        parts = [_g("Ages %(ages)s") % {"ages": ages[:1].lower() + ages[1:]}]
    if trial.sex:
        parts.append(sex_words(trial.sex).lower())
    if trial.conditions:
        parts.append(_g("with %(conditions)s") % {"conditions": _names(list(trial.conditions))})
    if trial.healthy_volunteers:
        parts.append(_g("healthy volunteers can join"))
    elif trial.healthy_volunteers is False:
        parts.append(_g("not for healthy volunteers"))
    return "; ".join(parts) + "."


def _size_line(trial) -> str:
    if not trial.enrollment:
        return ""
    people = f"{trial.enrollment:,}"
    if trial.enrollment_estimated:
        return ngettext(
            "About %(people)s person is expected to take part.",
            "About %(people)s people are expected to take part.",
            trial.enrollment,
        ) % {"people": people}
    if trial.overall_status in (Status.COMPLETED, Status.TERMINATED):
        return ngettext(
            "%(people)s person took part.", "%(people)s people took part.", trial.enrollment
        ) % {"people": people}
    return ngettext(
        "%(people)s person took part or is taking part.",
        "%(people)s people took part or are taking part.",
        trial.enrollment,
    ) % {"people": people}


def _months_between(start, end) -> int:
    return (end.value.year - start.value.year) * 12 + end.value.month - start.value.month


def duration_words(start, end) -> str:
    """'about 2 years and 3 months', at the coarser precision of the two dates."""
    if start is None or end is None or end.value < start.value:
        return ""
    if "Y" in (start.precision, end.precision):
        years = end.value.year - start.value.year
        if years < 1:
            return _g("less than a year")
        return ngettext("about %(n)s year", "about %(n)s years", years) % {"n": years}
    if "D" == start.precision == end.precision and (end.value - start.value).days < 60:
        days = (end.value - start.value).days
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    months = _months_between(start, end)
    if months < 1:
        return _g("less than a month")
    if months < 24:
        return ngettext("about %(n)s month", "about %(n)s months", months) % {"n": months}
    years, rest = divmod(months, 12)
    said = ngettext("about %(n)s year", "about %(n)s years", years) % {"n": years}
    if rest:
        said = _g("%(years)s and %(months)s") % {
            "years": said,
            "months": ngettext("%(n)s month", "%(n)s months", rest) % {"n": rest},
        }
    return said


def _when_line(trial) -> str:
    start, end = trial.start, trial.primary_completion
    if start and end:
        line = _g("From %(start)s until the main results in %(end)s") % {
            "start": partial_date(start),
            "end": partial_date(end),
        }
        if length := duration_words(start, end):
            line += f": {length}"
        return line + "."
    if start:
        verb = _g("Starts %(date)s.") if start.estimated else _g("Started %(date)s.")
        return verb % {"date": partial_date(start)}
    return ""


def _where_line(trial, sites, nearest: NearestSite | None) -> str:
    countries = list(dict.fromkeys(s.country for s in sites if s.country)) or list(trial.countries)
    if not sites and not countries:
        return _g("No sites are listed yet.")
    count = len(sites)
    where = ngettext("%(n)s site", "%(n)s sites", count) % {"n": f"{count:,}"}
    if countries:
        if len(countries) == 1:
            line = _g("%(sites)s in %(country)s.") % {"sites": where, "country": countries[0]}
        else:
            line = ngettext(
                "%(sites)s in %(n)s country: %(countries)s.",
                "%(sites)s in %(n)s countries: %(countries)s.",
                len(countries),
            ) % {"sites": where, "n": len(countries), "countries": _names(countries)}
    else:
        line = f"{where}."
    if nearest is not None:
        line += " " + _g("Nearest to you: %(site)s, about %(km)s km away.") % {
            "site": nearest.site,
            "km": f"{nearest.distance_km:,.0f}",
        }
    return line


def at_a_glance(
    trial, arms=(), interventions=(), sites=(), nearest: NearestSite | None = None
) -> list[Glance]:
    """The trial in a few lines, each made from the record's structured fields only:
    what is tested, the phase, placebo and masking, who can join, how many, how long,
    where. A line the record has nothing for is left out."""
    lines = [
        ("what", _g("What is tested"), _what_is_tested(trial, interventions)),
        ("phase", _g("Phase"), _phase_line(trial.phases)),
        ("blinding", _g("Placebo and blinding"), _blinding_line(trial, arms, interventions)),
        ("who", _g("Who can join"), _who_line(trial)),
        ("size", _g("How many people"), _size_line(trial)),
        ("when", _g("How long"), _when_line(trial)),
        ("where", _g("Where"), _where_line(trial, sites, nearest)),
    ]
    return [Glance(key, label, text) for key, label, text in lines if text]
