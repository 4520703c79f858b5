"""The glossary page, and glossary terms marked in a trial's text."""

from __future__ import annotations

import re
from html import unescape

import pytest

from trials import glossary
from trials.glossary_terms import TERMS

from .factories import make_trial

URL = "/glossary/"


def marked(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<a class="term"[^>]*>(.*?)</a>', html)]


def mark(html: str, seen=None) -> str:
    return glossary.mark_terms(html, set() if seen is None else seen, URL)


# The terms


def test_the_glossary_has_about_150_terms_each_defined_in_one_or_two_sentences():
    terms = glossary.terms()
    assert 140 <= len(terms) <= 220
    assert len({t.slug for t in terms}) == len(terms)
    for term in terms:
        sentences = re.findall(r"[.!?](?:\s|$)", term.definition)
        assert 1 <= len(sentences) <= 2, term.name
        assert 20 <= len(term.definition) <= 300, term.name


def test_the_terms_the_issue_names_are_defined():
    names = {t.name.lower() for t in glossary.terms()}
    for name in [
        "placebo",
        "randomised",
        "open label",
        "double-blind",
        "arm",
        "cohort",
        "endpoint",
        "adverse event",
        "serious adverse event",
        "phase 1",
        "phase 2",
        "phase 3",
        "phase 4",
        "inclusion criteria",
        "exclusion criteria",
        "informed consent",
        "ecog performance status",
        "egfr",
        "bmi",
        "biopsy",
        "metastatic",
        "remission",
    ]:
        assert name in names, name


def test_every_form_of_a_term_is_found_in_a_sentence_using_it():
    for entry in TERMS:
        for form in entry.also:
            html = mark(f"<p>They said {form} here.</p>")
            assert marked(html) == [form], (entry.name, form, marked(html))


# Marking rules


def test_a_term_is_marked_once_per_section_ignoring_case_with_plurals():
    seen: set[str] = set()
    first = mark("<p>Participants get a Placebo. The placebo looks the same.</p>", seen)
    assert marked(first) == ["Placebo"]
    again = mark("<ul><li>Two placebos a day</li></ul>", seen)
    assert marked(again) == []  # same section: already explained above
    other = mark("<p>Biopsies are taken; placebos too.</p>", set())
    assert marked(other) == ["Biopsies", "placebos"]


def test_links_headings_and_words_inside_other_words_are_left_alone():
    html = mark(
        '<h3>Placebo group</h3><p>See <a href="https://example.org">placebo facts</a>. '
        "A placebo-like pill, then a randomised one.</p>"
    )
    assert marked(html) == ["randomised"]
    assert "<h3>Placebo group</h3>" in html
    assert '<a href="https://example.org">placebo facts</a>' in html


def test_the_longest_term_wins_and_abbreviations_keep_their_capitals():
    html = mark(
        "<p>Serious adverse events were rare. A PET scan; a pet; EGFR is a gene, eGFR a test.</p>"
    )
    assert marked(html) == ["Serious adverse events", "PET scan", "eGFR"]


def test_a_term_of_several_words_never_spans_punctuation():
    assert marked(mark("<p>The study, arm and leg.</p>")) == []
    assert marked(mark("<p>The study arm.</p>")) == ["study arm"]


def test_the_text_stays_escaped_and_the_definition_travels_with_the_link():
    html = mark("<p>Weight &lt; 5 kg &amp; a placebo &quot;twice&quot;.</p>")
    assert "Weight &lt; 5 kg &amp; a " in html
    link = re.search(r'<a class="term"[^>]*>', html).group(0)
    assert 'href="/glossary/#placebo"' in link
    assert 'data-definition="A dummy treatment' in link


# On a trial page


@pytest.mark.django_db
def test_a_trial_page_marks_terms_once_per_section_and_links_them_to_the_glossary(client):
    trial = make_trial(
        summary="A randomised, double-blind study of a placebo. The placebo is a pill.",
        criteria=(
            "Inclusion Criteria:\n\n* Signed informed consent\n* ECOG performance status 0-1\n\n"
            "Exclusion Criteria:\n\n* Placebo allergy\n* Metastatic disease"
        ),
    )
    html = client.get(f"/trials/{trial.nct_id}/").content.decode()
    who = re.search(r'<section id="who".*?</section>', html, re.S).group(0)
    what = re.search(r'<section id="what".*?</section>', html, re.S).group(0)
    assert marked(what) == ["randomised", "double-blind", "placebo"]
    assert marked(who) == ["informed consent", "ECOG performance status", "Placebo", "Metastatic"]
    assert f'href="{URL}#metastatic"' in who
    assert '<script src="/static/js/glossary.js"' in html


@pytest.mark.django_db
def test_the_glossary_page_lists_every_term_with_an_anchor(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for term in glossary.terms():
        assert f'id="{term.slug}"' in html
    assert "<dfn>Placebo</dfn>" in html
    assert html.count('class="glossary-entry"') == len(glossary.terms())
    assert "They are not medical advice" in html
