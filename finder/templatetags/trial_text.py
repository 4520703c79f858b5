"""Template filters that turn a trial's record into text a patient can read.

ClinicalTrials.gov writes its long texts (criteria, descriptions, arms) in a
Markdown of its own: lists and emphasis, with `\\>`, `\\<`, `\\^` and `\\~` escaped.
`markdown` renders it with markdown-it (no code blocks, headings or raw HTML,
which the records only produce by accident) and sanitises the result with nh3.
The other filters say design codes, dates, references and contacts in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from django import template
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from trials.models import PHASE_EXPLANATIONS

register = template.Library()

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


@register.filter
def markdown(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # sanitised by nh3 in render_markdown


# Eligibility criteria, split at their "Inclusion Criteria:" / "Exclusion Criteria:" lines

CRITERIA_HEADING = re.compile(
    r"""^\s*(?:[*+-]\s+|\d{1,2}[.)]\s+|[A-Za-z][.)]\s+)?   # an optional list marker
        (?:\*\*|__)?\s*
        (?P<title>(?:(?:key|main|major|general|patient|patients'?|partner|participant|
                     donor|additional|other|specific)\s+)*
                  (?:inclusion|exclusion|non-inclusion|eligibility)\s+criteria
                  (?:\s+for\s+[^:*]{1,60}?)?)
        \s*(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*:?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
CRITERIA_HINTS = {
    "inclusion": "To join, all of these must be true for you.",
    "exclusion": "You cannot join if any of these is true for you.",
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


def _kind(title: str) -> str:
    lowered = title.lower()
    if "exclusion" in lowered or "non-inclusion" in lowered:
        return "exclusion"
    if "inclusion" in lowered:
        return "inclusion"
    return "other"


def criteria_sections(text: str) -> list[CriteriaSection]:
    """The criteria as titled sections: inclusion, exclusion, and any text around them."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in (text or "").splitlines():
        match = CRITERIA_HEADING.match(line)
        if match:
            sections.append((" ".join(match.group("title").split()), []))
        else:
            sections[-1][1].append(line)
    result = []
    for title, lines in sections:
        html = render_markdown("\n".join(lines))
        if not html and not title:
            continue
        title = title[:1].upper() + title[1:].lower()
        result.append(CriteriaSection(_kind(title) if title else "other", title, mark_safe(html)))
    return result


@register.filter
def criteria(text: str) -> list[CriteriaSection]:
    return criteria_sections(text)


# The design of the study in plain words

ALLOCATION_WORDS = {
    "RANDOMIZED": "Randomised: chance (usually a computer) decides which group each "
    "participant joins, so the groups can be compared fairly.",
    "NON_RANDOMIZED": "Not randomised: the study team decides which group each participant "
    "joins, or participants choose.",
}
MODEL_WORDS = {
    "SINGLE_GROUP": "Everyone in the study gets the same treatment.",
    "PARALLEL": "Each group gets a different treatment, side by side, for the whole study.",
    "CROSSOVER": "Each participant gets each of the treatments in turn, one after the other.",
    "FACTORIAL": "Two or more treatments are tested alone and together.",
    "SEQUENTIAL": "Groups join one after another, for example to try higher doses step by step.",
}
MASKED_WHO = {
    "PARTICIPANT": "the participants",
    "CARE_PROVIDER": "the doctors and nurses giving care",
    "INVESTIGATOR": "the researchers",
    "OUTCOMES_ASSESSOR": "the people measuring the results",
}
PURPOSE_WORDS = {
    "TREATMENT": "To treat a disease or condition.",
    "PREVENTION": "To prevent a disease or condition.",
    "DIAGNOSTIC": "To find better ways to diagnose a disease or condition.",
    "SUPPORTIVE_CARE": "To improve comfort and quality of life.",
    "SCREENING": "To find a disease or condition early.",
    "HEALTH_SERVICES_RESEARCH": "To study how health care is delivered.",
    "BASIC_SCIENCE": "To learn how the body or a treatment works.",
    "DEVICE_FEASIBILITY": "To try out a new medical device in a few people.",
    "ECT": "To test education, counselling or training.",
    "OTHER": "Other.",
}
OBSERVATIONAL_MODEL_WORDS = {
    "COHORT": "A group of people is followed over time.",
    "CASE_CONTROL": "People with the condition are compared with people without it.",
    "CASE_ONLY": "Only people with the condition are studied.",
    "CASE_CROSSOVER": "Each person is compared with themselves at different times.",
    "ECOLOGIC_OR_COMMUNITY": "Whole communities are studied rather than single people.",
    "FAMILY_BASED": "Families are studied together.",
    "DEFINED_POPULATION": "A defined group of people is studied.",
    "NATURAL_HISTORY": "The study follows how the condition develops naturally.",
}
TIME_WORDS = {
    "PROSPECTIVE": "Information is collected from now on, as the study goes.",
    "RETROSPECTIVE": "The study looks back at information already recorded.",
    "CROSS_SECTIONAL": "Information is collected once, at one point in time.",
}


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _placebo_words(trial, arms, interventions) -> str:
    placebo = any(a.type in {"PLACEBO_COMPARATOR", "SHAM_COMPARATOR"} for a in arms) or any(
        "placebo" in i.name.lower() or "sham" in i.name.lower() for i in interventions
    )
    if placebo:
        return (
            "Yes: some participants get a placebo or sham, a dummy treatment that looks "
            "the same but has no active effect."
        )
    if arms or interventions:
        return "No: no one gets a dummy treatment."
    return ""


def _masking_words(trial) -> str:
    if trial.masking == "NONE":
        return "No one is masked (open label): everyone knows who gets which treatment."
    if not trial.masking:
        return ""
    who = [MASKED_WHO[w] for w in trial.who_masked if w in MASKED_WHO]
    if not who:
        return "Some people in the study do not know who gets which treatment (masked)."
    return f"{_join(who).capitalize()} do not know who gets which treatment (masked)."


def design_facts(trial, arms=(), interventions=()) -> list[tuple[str, str]]:
    """(question, answer) pairs describing the design in plain words."""
    facts = []
    if trial.study_type == "OBSERVATIONAL":
        facts.append(
            (
                "Type of study",
                "Observational: the study watches what happens; it does not decide "
                "anyone's treatment.",
            )
        )
        if trial.observational_model in OBSERVATIONAL_MODEL_WORDS:
            facts.append(("How", OBSERVATIONAL_MODEL_WORDS[trial.observational_model]))
        if trial.time_perspective in TIME_WORDS:
            facts.append(("When", TIME_WORDS[trial.time_perspective]))
    elif trial.study_type == "EXPANDED_ACCESS":
        facts.append(
            (
                "Type of study",
                "Expanded access: a way to get a treatment that is not yet approved, "
                "outside a trial.",
            )
        )
    else:
        if trial.study_type == "INTERVENTIONAL":
            facts.append(
                (
                    "Type of study",
                    "Interventional: the study decides which treatment participants get.",
                )
            )
        if trial.primary_purpose in PURPOSE_WORDS:
            facts.append(("Purpose", PURPOSE_WORDS[trial.primary_purpose]))
        if trial.allocation in ALLOCATION_WORDS:
            facts.append(("Randomised?", ALLOCATION_WORDS[trial.allocation]))
        if trial.intervention_model in MODEL_WORDS:
            facts.append(("Groups", MODEL_WORDS[trial.intervention_model]))
        placebo = _placebo_words(trial, arms, interventions) if trial.study_type else ""
        if placebo:
            facts.append(("Placebo?", placebo))
        masking = _masking_words(trial)
        if masking:
            facts.append(("Who is masked?", masking))
    if trial.enrollment:
        people = f"{trial.enrollment:,} {'person' if trial.enrollment == 1 else 'people'}"
        facts.append(
            (
                "Size",
                f"About {people} are expected to take part."
                if trial.enrollment_estimated
                else f"{people[0].upper()}{people[1:]} took part or are taking part.",
            )
        )
    return facts


ARM_TYPES = {
    "EXPERIMENTAL": "Experimental: gets the treatment being tested",
    "ACTIVE_COMPARATOR": "Comparison: gets an existing treatment",
    "PLACEBO_COMPARATOR": "Comparison: gets a placebo (dummy treatment)",
    "SHAM_COMPARATOR": "Comparison: gets a sham (dummy procedure)",
    "NO_INTERVENTION": "Comparison: gets no study treatment",
    "OTHER": "Other",
}
INTERVENTION_TYPES = {
    "DRUG": "Medicine",
    "BIOLOGICAL": "Biological (e.g. cells, vaccine, antibody)",
    "DEVICE": "Device",
    "PROCEDURE": "Procedure or surgery",
    "RADIATION": "Radiation",
    "BEHAVIORAL": "Behavioural (e.g. exercise, counselling)",
    "GENETIC": "Genetic",
    "DIETARY_SUPPLEMENT": "Dietary supplement",
    "COMBINATION_PRODUCT": "Combination product",
    "DIAGNOSTIC_TEST": "Diagnostic test",
    "OTHER": "Other",
}


OUTCOME_HEADINGS = {
    "PRIMARY": "Main questions (primary outcomes)",
    "SECONDARY": "Other questions (secondary outcomes)",
    "OTHER": "Also measured",
}


@register.filter
def recruiting_count(sites) -> int:
    return sum(1 for site in sites if site.is_recruiting)


@register.filter
def outcome_heading(kind: str) -> str:
    return OUTCOME_HEADINGS.get(kind, kind.capitalize())


@register.filter
def phase_explanation(phase: str) -> str:
    return PHASE_EXPLANATIONS.get(phase, "")


@register.filter
def arm_type(value: str) -> str:
    return ARM_TYPES.get(value, value.replace("_", " ").capitalize())


@register.filter
def intervention_type(value: str) -> str:
    return INTERVENTION_TYPES.get(value, value.replace("_", " ").capitalize())


# Dates, people and organisations


@register.filter
def partial_date(value) -> str:
    """A PartialDate in words, at its own precision; 'expected' when estimated."""
    if value is None:
        return ""
    return f"{value} (expected)" if value.estimated else str(value)


SPONSOR_CLASSES = {
    "INDUSTRY": "company",
    "NIH": "US National Institutes of Health",
    "FED": "US federal agency",
    "OTHER_GOV": "government body",
    "NETWORK": "research network",
    "INDIV": "individual",
    "OTHER": "university, hospital or other organisation",
}
OFFICIAL_ROLES = {
    "PRINCIPAL_INVESTIGATOR": "Principal investigator",
    "STUDY_DIRECTOR": "Study director",
    "STUDY_CHAIR": "Study chair",
}
CONTACT_ROLES = {
    "CONTACT": "Contact",
    "BACKUP": "Backup contact",
    "PRINCIPAL_INVESTIGATOR": "Principal investigator",
    "SUB_INVESTIGATOR": "Sub-investigator",
    "STUDY_CHAIR": "Study chair",
    "STUDY_DIRECTOR": "Study director",
}
RESPONSIBLE_PARTY_TYPES = {
    "SPONSOR": "The sponsor",
    "PRINCIPAL_INVESTIGATOR": "Principal investigator",
    "SPONSOR_INVESTIGATOR": "Sponsor-investigator",
}
ID_TYPES = {
    "NIH": "US NIH grant",
    "FDA": "US FDA",
    "VA": "US Veterans Affairs",
    "CDC": "US CDC",
    "AHRQ": "US AHRQ",
    "SAMHSA": "US SAMHSA",
    "OTHER_GRANT": "Grant",
    "EUDRACT_NUMBER": "EudraCT number",
    "CTIS": "EU CT number (CTIS)",
    "REGISTRY": "Other registry",
    "OTHER": "Other",
}
REFERENCE_TYPES = {
    "RESULT": "Results of this study",
    "BACKGROUND": "Background",
    "DERIVED": "Linked by PubMed",
}


@register.filter
def sponsor_class(value: str) -> str:
    return SPONSOR_CLASSES.get(value, "")


@register.filter
def official_role(value: str) -> str:
    return OFFICIAL_ROLES.get(value, value.replace("_", " ").capitalize())


@register.filter
def contact_role(value: str) -> str:
    return CONTACT_ROLES.get(value, value.replace("_", " ").capitalize())


@register.filter
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
    kind = RESPONSIBLE_PARTY_TYPES.get(value.get("type", ""), "")
    if kind and person:
        return f"{kind}: {person}"
    return person or kind


@register.filter
def id_type(value: dict) -> str:
    kind = ID_TYPES.get(value.get("type", ""), "")
    domain = value.get("domain", "")
    return " · ".join(part for part in (kind, domain) if part)


@register.filter
def reference_type(value: str) -> str:
    return REFERENCE_TYPES.get(value, "")


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


@register.filter
def ref_links(reference: dict) -> list[tuple[str, str]]:
    return reference_links(reference)


@register.filter
def web_url(value: str) -> str:
    """The URL when it is http(s), else '' (a record's link is never made a javascript: link)."""
    value = (value or "").strip()
    return value if re.match(r"^https?://[^\s]+$", value, re.I) else ""


@register.filter
def tel_href(phone: str) -> str:
    """'+33 (0)1 42 49 49 49' -> 'tel:+330142494949'; '' when it has too few digits."""
    text = re.sub(r"\(0\)", "0", phone or "")
    digits = re.sub(r"[^\d+]", "", text)
    digits = digits[:1] + digits[1:].replace("+", "")
    if sum(c.isdigit() for c in digits) < 5:
        return ""
    return f"tel:{digits}"


@register.filter
def mailto_href(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return f"mailto:{email}"
