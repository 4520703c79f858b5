"""The reading level of a trial's brief summary (Flesch–Kincaid grade, computed offline)."""

from __future__ import annotations

import re

import pytest

from trials.readability import grade_level, reading, syllables

from .factories import make_trial

SIMPLE = "We want to know if a new pill helps people with lupus. You take one pill a day. The study lasts one year."
TECHNICAL = (
    "This randomized, double-blind, placebo-controlled, multicenter study evaluates the "
    "efficacy, safety, and pharmacokinetics of subcutaneous administration of anifrolumab "
    "in adult participants with systemic lupus erythematosus receiving standard of care therapy."
)


def test_syllables_come_from_the_bundled_hyphenation_dictionary():
    assert [
        syllables(w) for w in ["the", "make", "people", "study", "randomised", "evaluation"]
    ] == [
        1,
        1,
        2,
        2,
        3,
        5,
    ]
    assert syllables("42") == 1


def test_the_grade_follows_the_flesch_kincaid_formula():
    counted = reading("The cat sat on the mat. The dog ran.")
    assert (counted.words, counted.sentences, counted.syllables) == (9, 2, 9)
    assert counted.grade == round(0.39 * 9 / 2 + 11.8 * 9 / 9 - 15.59, 1) == -2.0


def test_plain_words_read_at_a_low_grade_and_a_researchers_abstract_above_12():
    assert grade_level(SIMPLE) < 6
    assert grade_level(TECHNICAL) > 16
    assert not reading(SIMPLE).for_researchers and reading(TECHNICAL).for_researchers


def test_list_items_count_as_sentences_and_markdown_is_not_read():
    listed = "Inclusion Criteria:\n\n* Adults\n* Women\n* **Lupus** nephritis"
    counted = reading(listed)
    assert counted.sentences == 4 and counted.words == 6


def test_a_text_without_words_has_no_grade():
    assert grade_level("") is None and grade_level("***") is None


@pytest.mark.django_db
def test_the_page_says_a_hard_summary_is_written_for_researchers(client):
    hard = make_trial(summary=TECHNICAL)
    html = client.get(f"/trials/{hard.nct_id}/").content.decode()
    glance = re.search(r'<section class="glance".*?</section>', html, re.S).group(0)
    assert "This summary is written for researchers." in glance
    easy = make_trial(summary=SIMPLE)
    assert "written for researchers" not in client.get(f"/trials/{easy.nct_id}/").content.decode()
    data = client.get(f"/api/trials/{hard.nct_id}/").json()
    assert data["reading_level"]["for_researchers"] is True and data["reading_level"]["grade"] > 16
