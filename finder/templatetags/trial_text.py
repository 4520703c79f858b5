"""Template filters that show a trial's record in words a patient reads (trials.plain,
trials.vocabularies)."""

from __future__ import annotations

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from trials import glossary, l10n, plain
from trials.search.suggest import HIGHLIGHT_START, HIGHLIGHT_STOP
from trials.vocabularies import (
    ArmType,
    ContactRole,
    InterventionType,
    OutcomeKind,
    Phase,
    ReferenceType,
    SponsorClass,
    Status,
)

from ..charts import bar_chart

register = template.Library()


def _words(method):
    """A vocabulary's classmethod as a filter (a filter function carries attributes)."""
    return lambda value: method(value)


register.filter("age_range", plain.age_range)
register.filter("sex_words", plain.sex_words)
register.filter("where_line", plain.where_line)
register.filter("phase_words", plain.phase_words)
register.filter("partial_date", plain.partial_date)
register.filter("responsible_party", plain.responsible_party)
register.filter("id_type", plain.id_type)
register.filter("ref_links", plain.reference_links)
register.filter("web_url", plain.web_url)
register.filter("tel_href", plain.tel_href)
register.filter("mailto_href", plain.mailto_href)
register.filter("criteria", plain.criteria_sections)
register.filter("status_label", _words(Status.label_for))
register.filter("phase_explanation", _words(Phase.explain))
register.filter("arm_type", _words(ArmType.label_for))
register.filter("intervention_type", _words(InterventionType.label_for))
register.filter("official_role", _words(ContactRole.label_for))
register.filter("contact_role", _words(ContactRole.label_for))
register.filter("outcome_heading", _words(OutcomeKind.explain))
register.filter("bar_chart", bar_chart)
register.filter("country_name", l10n.country_name)
register.filter("language_name", l10n.language_name)


register.filter("endonym", l10n.endonym)


@register.filter
def team_languages(trial) -> list[str]:
    """The languages the trial's study team speaks, as its coordinators recorded them."""
    try:
        return trial.team_languages.languages
    except ObjectDoesNotExist:
        return []


@register.filter
def markdown(text: str) -> SafeString:
    return mark_safe(plain.render_markdown(text))  # sanitised by nh3 in render_markdown


@register.filter
def sponsor_class(value: str) -> str:
    return SponsorClass(value).label if SponsorClass.knows(value) else ""


@register.filter
def reference_type(value: str) -> str:
    return ReferenceType(value).label if ReferenceType.knows(value) else ""


@register.filter
def recruiting_count(sites) -> int:
    return sum(1 for site in sites if site.is_recruiting)


@register.filter
def get(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.filter
def highlight(snippet: str) -> SafeString:
    """A search snippet, escaped, with the matched words in <mark>."""
    text = str(escape(snippet))
    return mark_safe(text.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>"))


@register.filter
def define_terms(html: str, seen) -> SafeString:
    """Sanitised HTML with the glossary terms of its section marked (trials.glossary);
    `seen` is the section's set from the page's `terms` (terms.who, terms.what...)."""
    if not isinstance(seen, set):
        return html
    # Tags come from sanitised HTML; mark_terms escapes every text it writes.
    return mark_safe(glossary.mark_terms(str(html), seen, reverse("glossary")))


@register.filter
def text_terms(text: str, seen) -> SafeString:
    """A plain text (not Markdown) as escaped paragraphs, with its glossary terms marked."""
    return define_terms(linebreaks(text, autoescape=True), seen)
