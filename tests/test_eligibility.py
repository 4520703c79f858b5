"""Eligibility criteria split into items a patient can answer (trials.eligibility)."""

from __future__ import annotations

import re

import pytest

from trials import plain
from trials.eligibility import EXCLUSION, INCLUSION, MARKER, clean, heading, items, split_criteria

# Lead-ins whose list holds alternatives: answered one by one, each would be a wrong No.
ALTERNATIVES = re.compile(r"\b(?:one of|at least one|either|any of)\b", re.I)


def criteria_of(record: dict) -> str:
    return (
        record.get("protocolSection", {})
        .get("eligibilityModule", {})
        .get("eligibilityCriteria", "")
    )


def kinds(text: str) -> list[tuple[str, list[str]]]:
    return [(s.kind, [i.text for i in s.items]) for s in split_criteria(text)]


# Every real record


def test_every_real_record_splits_into_items_with_words_and_no_heading(real_studies, edge_studies):
    checked = 0
    for record in real_studies + edge_studies:
        text = criteria_of(record)
        for item in items(text):
            assert re.search(r"\w", item.text), (item, text[:200])
            assert heading(item.text) is None, (item.text, text[:200])
            assert all(re.search(r"\w", sub) for sub in item.subitems), item
            assert item.kind in (INCLUSION, EXCLUSION)
            checked += 1
    assert checked > 25_000


def test_every_real_records_item_keys_are_unique_and_stable(real_studies):
    for record in real_studies:
        text = criteria_of(record)
        keys = [i.key for i in items(text)]
        assert len(keys) == len(set(keys))
        assert keys == [i.key for i in items(text)]


def test_on_every_real_record_a_list_of_alternatives_stays_with_its_lead_in(real_studies):
    """Checked independently of the splitter: an item at the list's level that ends with
    ':' and offers alternatives ("at least one of the following:"), and the indented
    lines under it; each such line must be one of that item's sub-items, never an item."""
    checked = 0
    for record in real_studies:
        text = criteria_of(record)
        found = items(text)
        by_text: dict[str, list] = {}
        for item in found:
            by_text.setdefault(item.text, []).append(item)
        parent = None
        for line in text.splitlines():
            marker = MARKER.match(line)
            if not marker or not marker.group("rest").strip():
                continue
            indent, rest = len(marker.group("indent")), clean(marker.group("rest"))
            if indent == 0:
                parent = rest if rest.endswith(":") and ALTERNATIVES.search(rest) else None
            elif parent and parent in by_text and indent >= 2:
                assert rest not in by_text, (parent, rest)
                assert any(rest in sub for i in by_text[parent] for sub in i.subitems), (
                    parent,
                    rest,
                )
                checked += 1
    assert checked > 100


# Headings


@pytest.mark.parametrize(
    "line, kind",
    [
        ("Inclusion Criteria:", INCLUSION),
        ("INCLUSION", INCLUSION),
        ("Key inclusion criteria", INCLUSION),
        ("**Inclusion criteria:**", INCLUSION),
        ("* Exclusion Criteria:", EXCLUSION),
        ("Other Exclusions", EXCLUSION),
        ("Criteria for exclusion:", EXCLUSION),
        ("Exclusion criteria were as follows:", EXCLUSION),
        ("Non-inclusion criteria", EXCLUSION),
        ("Radiological Exclusion Criteria", EXCLUSION),
        ("Inclusion criteria (controls)", INCLUSION),
        ("Eligibility Criteria:", "other"),
    ],
)
def test_headings_are_recognised_in_many_spellings(line, kind):
    assert heading(line)[0] == kind


@pytest.mark.parametrize(
    "line",
    [
        "* Other protocol-defined Inclusion/Exclusion criteria apply.",
        "* Patient meets the inclusion criteria for trial entry",
        "* Women were free of exclusion criteria.",
        "* Exclusive involvement of the lateral branch",
        "* Subjects who meet any of the exclusion criteria",
    ],
)
def test_a_criterion_that_names_the_criteria_is_not_a_heading(line):
    assert heading(line) is None


# Lists


def test_bullets_and_numbers_are_items_under_their_heading():
    text = (
        "Inclusion Criteria:\n\n* Adults aged 18 or older\n* Lupus nephritis\n\n"
        "Exclusion Criteria:\n\n1. Pregnancy\n2. Kidney transplant"
    )
    assert kinds(text) == [
        (INCLUSION, ["Adults aged 18 or older", "Lupus nephritis"]),
        (EXCLUSION, ["Pregnancy", "Kidney transplant"]),
    ]


def test_nested_items_stay_with_the_item_that_introduces_them():
    text = (
        "Inclusion Criteria:\n\n"
        "1. At least one of the following:\n   a. Proteinuria over 1 g/day\n"
        "   b) Active urinary sediment\n   i- Biopsy within 6 months\n"
        "2. Age 18 or over\n"
    )
    (section,) = split_criteria(text)
    first, second = section.items
    assert first.text == "At least one of the following:"
    assert first.subitems == (
        "Proteinuria over 1 g/day",
        "Active urinary sediment",
        "Biopsy within 6 months",
    )
    assert second.text == "Age 18 or over"


def test_a_list_that_lost_its_indentation_stays_with_its_lead_in():
    text = (
        "Inclusion Criteria:\n\n* Symptoms for at least 3 months:\n* Pain in the pelvic area\n"
        "* Urinary urgency and/or\n* Sexual dysfunction\n* Have chronic prostatitis\n"
    )
    (section,) = split_criteria(text)
    assert [i.text for i in section.items] == [
        "Symptoms for at least 3 months:",
        "Have chronic prostatitis",
    ]
    assert section.items[0].subitems == (
        "Pain in the pelvic area",
        "Urinary urgency and/or",
        "Sexual dysfunction",
    )


def test_a_lead_in_that_only_announces_the_criteria_is_a_note():
    text = (
        "Inclusion Criteria:\n\n* Participants must meet all of the following criteria:\n\n"
        "  1. Adults\n  2. With asthma\n"
    )
    (section,) = split_criteria(text)
    assert [i.text for i in section.items] == ["Adults", "With asthma"]
    assert section.notes == ["Participants must meet all of the following criteria:"]


def test_a_record_converted_with_every_item_under_the_first_gets_them_back_as_items():
    text = (
        "Exclusion Criteria:\n\n* Patient refusing the procedure\n\n"
        "  * Pregnant or breast-feeding women\n  * Persons under judicial protection\n"
    )
    assert kinds(text) == [
        (
            EXCLUSION,
            [
                "Patient refusing the procedure",
                "Pregnant or breast-feeding women",
                "Persons under judicial protection",
            ],
        )
    ]


def test_criteria_in_one_paragraph_split_into_sentences_or_numbers():
    text = (
        "Inclusion criteria. Age 22 or older. English speaking. Diagnosis of Parkinson's disease.\n\n"
        "Exclusion Criteria: 1. Pregnancy 2. Dementia 3. Tracheostomy"
    )
    assert kinds(text) == [
        (INCLUSION, ["Age 22 or older.", "English speaking.", "Diagnosis of Parkinson's disease."]),
        (EXCLUSION, ["Pregnancy", "Dementia", "Tracheostomy"]),
    ]


def test_a_heading_at_the_end_of_a_line_starts_its_section():
    text = (
        "Inclusion Criteria:\n\n* Adults\n* Consent to the study Exclusion Criteria:\n* Pregnancy"
    )
    assert kinds(text) == [
        (INCLUSION, ["Adults", "Consent to the study"]),
        (EXCLUSION, ["Pregnancy"]),
    ]


def test_notes_and_empty_lines_are_not_items():
    text = (
        "Inclusion Criteria:\n\n* Adults\n* Other protocol-defined inclusion criteria may apply\n\n"
        "Note: the study team checks these at a visit.\n\nExclusion Criteria:\n\n* N/A\n-\n"
    )
    sections = split_criteria(text)
    assert kinds(text) == [(INCLUSION, ["Adults"]), (EXCLUSION, [])]
    assert sections[0].notes == [
        "Other protocol-defined inclusion criteria may apply",
        "Note: the study team checks these at a visit.",
    ]


def test_cohorts_named_before_their_lists_are_the_items_groups():
    text = (
        "PATIENTS\n\nInclusion Criteria:\n\n* Cluster headache\n\nExclusion Criteria:\n\n* Pregnancy\n\n"
        "CONTROLS\n\nInclusion Criteria:\n\n* No headache\n\nExclusion Criteria:\n\n* Pregnancy\n"
    )
    assert [(i.key, i.group) for i in items(text)] == [
        ("i1", "PATIENTS"),
        ("e1", "PATIENTS"),
        ("i2", "CONTROLS"),
        ("e2", "CONTROLS"),
    ]


def test_a_record_without_headings_lists_requirements():
    text = "DISEASE CHARACTERISTICS:\n\n* Prostate cancer\n* No metastatic disease\n"
    assert kinds(text) == [(INCLUSION, ["Prostate cancer", "No metastatic disease"])]


def test_escapes_and_emphasis_are_plain_text():
    (item,) = items("Inclusion Criteria:\n\n* **Age** \\>= 18 and HbA1c \\< 10\\%")
    assert item.text == "Age >= 18 and HbA1c < 10%"


@pytest.mark.parametrize("text", ["", "   ", "-", "Inclusion Criteria:", "\x00", "* \n* \n"])
def test_empty_or_odd_criteria_give_no_items(text):
    assert items(text) == []


# The trial page's sections use the same headings


def test_the_trial_page_sections_start_at_headings_in_other_spellings():
    sections = plain.criteria_sections(
        "INCLUSION\n\n* Adults\n\nKey exclusion criteria\n\n* Pregnancy"
    )
    assert [(s.kind, s.title) for s in sections] == [
        (INCLUSION, "Inclusion"),
        (EXCLUSION, "Key exclusion criteria"),
    ]
    assert "Pregnancy" in sections[1].html
