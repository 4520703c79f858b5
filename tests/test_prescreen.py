"""The pre-screening checklist's domain (trials.prescreen): profile rules, facts, verdict,
and the answers a contact request carries."""

from __future__ import annotations

import itertools
import json
import re
from types import SimpleNamespace

import pytest

from trials import eligibility, prescreen, rules
from trials.eligibility import EXCLUSION, INCLUSION, Item
from trials.models import Trial
from trials.prescreen import Checklist, Entry
from trials.rules import NO, UNSURE, YES, Profile

from .factories import make_trial

PREGNANT = Profile(pregnancy="pregnant")
BREASTFEEDING = Profile(pregnancy="breastfeeding")
NOT_PREGNANT = Profile(pregnancy="no")


def decide(text: str, kind: str, profile: Profile) -> str | None:
    """What the rules pre-answer for a criterion, or None."""
    item = Item("x1", kind, text)
    return next((a for rule in rules.RULES if (a := rule.decide(item, profile))), None)


def criteria_of(record: dict) -> str:
    return (
        record.get("protocolSection", {})
        .get("eligibilityModule", {})
        .get("eligibilityCriteria", "")
    )


# Pregnancy and breastfeeding


@pytest.mark.parametrize(
    "text, kind, profile, expected",
    [
        ("Pregnant or breastfeeding women", EXCLUSION, PREGNANT, YES),
        ("Pregnant or breastfeeding women", EXCLUSION, BREASTFEEDING, YES),
        ("Pregnant or breastfeeding women", EXCLUSION, NOT_PREGNANT, NO),
        ("Pregnancy", EXCLUSION, BREASTFEEDING, NO),
        ("Lactation", EXCLUSION, PREGNANT, NO),
        ("Women who are pregnant or nursing.", EXCLUSION, PREGNANT, YES),
        # Negations in an inclusion: "not pregnant" is Yes for someone who is not.
        ("Not pregnant or breastfeeding", INCLUSION, NOT_PREGNANT, YES),
        ("Not pregnant or breastfeeding", INCLUSION, BREASTFEEDING, NO),
        ("Non-pregnant, non-lactating", INCLUSION, NOT_PREGNANT, YES),
        ("Must not be currently pregnant", INCLUSION, PREGNANT, NO),
        (
            "Female subjects must have a negative pregnancy test at screening",
            INCLUSION,
            PREGNANT,
            NO,
        ),
        ("HIV-negative and not pregnant", INCLUSION, PREGNANT, NO),
        # Decided only as far as the answer goes.
        ("Pregnant, or planning to become pregnant during the study", EXCLUSION, PREGNANT, YES),
        (
            "Pregnant, or planning to become pregnant during the study",
            EXCLUSION,
            NOT_PREGNANT,
            None,
        ),
        ("Not pregnant and willing to use contraception", INCLUSION, PREGNANT, NO),
        ("Not pregnant and willing to use contraception", INCLUSION, NOT_PREGNANT, None),
        (
            "Women of childbearing potential must have a negative pregnancy test",
            INCLUSION,
            NOT_PREGNANT,
            None,
        ),
        # Someone else's pregnancy, a pregnancy's details, examples, plans: left to the patient.
        ("Male patients whose partners are pregnant", EXCLUSION, PREGNANT, None),
        ("Multiple pregnancy", EXCLUSION, NOT_PREGNANT, None),
        ("Women between 14 and 28 weeks of gestation", INCLUSION, PREGNANT, None),
        ("Contraindication to MRI (e.g. pregnancy, pacemaker)", EXCLUSION, PREGNANT, None),
        ("Women planning a pregnancy within a year", EXCLUSION, PREGNANT, None),
        ("A pregnancy test will be done at screening", INCLUSION, PREGNANT, None),
        # A requirement written in the exclusion list is not read backwards.
        (
            "Subjects must not be pregnant or planning to become pregnant",
            EXCLUSION,
            NOT_PREGNANT,
            None,
        ),
        # No answer, no pre-answer.
        ("Pregnancy", EXCLUSION, Profile(pregnancy="unsure"), None),
        ("Pregnancy", EXCLUSION, Profile(), None),
    ],
)
def test_the_pregnancy_rule(text, kind, profile, expected):
    assert decide(text, kind, profile) == expected


# Another study, another cancer, infections


@pytest.mark.parametrize(
    "text, kind, answer, expected",
    [
        ("Participation in another clinical trial", EXCLUSION, YES, YES),
        ("Participation in another clinical trial", EXCLUSION, NO, NO),
        ("Currently participating in another interventional study", EXCLUSION, NO, NO),
        ("Currently participating in another interventional study", EXCLUSION, YES, None),
        ("Participation in another clinical trial within 30 days", EXCLUSION, YES, YES),
        ("Participation in another clinical trial within 30 days", EXCLUSION, NO, None),
        ("Not participating in any other clinical study", INCLUSION, NO, YES),
        ("Not participating in any other clinical study", INCLUSION, YES, NO),
        ("Willing not to take part in another study during this one", INCLUSION, YES, None),
        ("Previous participation in this study", EXCLUSION, YES, None),
    ],
)
def test_the_other_study_rule(text, kind, answer, expected):
    assert decide(text, kind, Profile(other_study=answer)) == expected


@pytest.mark.parametrize(
    "text, answer, expected",
    [
        ("Malignancy within the past 5 years", YES, YES),
        ("Malignancy within the past 5 years", NO, NO),
        # A shorter window or "active": only No decides it.
        ("Other malignancy within the past 3 years", YES, None),
        ("Other malignancy within the past 3 years", NO, NO),
        ("Other active malignancy requiring treatment", NO, NO),
        ("Other active malignancy requiring treatment", YES, None),
        # Exceptions: a cancer in the past 5 years may be one of them.
        ("History of another malignancy within 5 years, except basal cell carcinoma", NO, NO),
        ("History of another malignancy within 5 years, except basal cell carcinoma", YES, None),
        # At any time: only Yes decides it.
        ("History of other malignancy", YES, YES),
        ("History of other malignancy", NO, None),
        ("Prior malignancy within the past 10 years", NO, None),
        # A treatment, a relative or a named cancer is another matter.
        ("Prior cancer therapy", YES, None),
        ("Family history of cancer", YES, None),
        ("History of carcinoma of the prostate", YES, None),
    ],
)
def test_the_other_cancer_rule_reads_the_period_it_covers(text, answer, expected):
    assert decide(text, EXCLUSION, Profile(other_cancer=answer)) == expected


def test_no_other_cancer_in_an_inclusion_is_turned_over():
    text = "No other malignancy within the past 5 years"
    assert decide(text, INCLUSION, Profile(other_cancer=NO)) == YES
    assert decide(text, INCLUSION, Profile(other_cancer=YES)) == NO


NONE_OF_THEM = Profile(hiv=NO, hepatitis_b=NO, hepatitis_c=NO)


@pytest.mark.parametrize(
    "text, kind, profile, expected",
    [
        ("Known HIV infection", EXCLUSION, Profile(hiv=YES), YES),
        ("Known HIV infection", EXCLUSION, Profile(hiv=NO), NO),
        ("Positive for HIV, hepatitis B or hepatitis C", EXCLUSION, NONE_OF_THEM, NO),
        ("Positive for HIV, hepatitis B or hepatitis C", EXCLUSION, Profile(hepatitis_c=YES), YES),
        ("Positive for HIV, hepatitis B or hepatitis C", EXCLUSION, Profile(hiv=NO), None),
        ("Hepatitis B or C", EXCLUSION, Profile(hepatitis_b=NO, hepatitis_c=YES), YES),
        ("HBsAg positive", EXCLUSION, Profile(hepatitis_b=YES), YES),
        # "Active" narrows it: only No decides; "history" widens it: only Yes.
        ("Active hepatitis B infection", EXCLUSION, Profile(hepatitis_b=NO), NO),
        ("Active hepatitis B infection", EXCLUSION, Profile(hepatitis_b=YES), None),
        ("History of hepatitis C", EXCLUSION, Profile(hepatitis_c=YES), YES),
        ("History of hepatitis C", EXCLUSION, Profile(hepatitis_c=NO), None),
        # Negations, in both lists.
        ("HIV negative", INCLUSION, Profile(hiv=NO), YES),
        ("Negative test for HIV, HBV and HCV at screening", INCLUSION, NONE_OF_THEM, YES),
        ("Negative test for HIV, HBV and HCV at screening", INCLUSION, Profile(hiv=YES), NO),
        # "AIDS" is the disease, "aids" a device.
        ("Use of erectile aids", EXCLUSION, Profile(hiv=YES), None),
        ("Vaccinated against hepatitis B", INCLUSION, Profile(hepatitis_b=YES), None),
    ],
)
def test_the_infections_rule(text, kind, profile, expected):
    assert decide(text, kind, profile) == expected


# Numbers: BMI and age


@pytest.mark.parametrize(
    "text, kind, bmi, expected",
    [
        ("BMI between 18.5 and 30 kg/m2", INCLUSION, 24.0, YES),
        ("BMI between 18.5 and 30 kg/m2", INCLUSION, 31.0, NO),
        ("Body mass index (BMI) of 18,5 to 35 kg/m² (both values inclusive)", INCLUSION, 35.0, YES),
        ("BMI ≥ 19 kg/m² and ≤ 27 kg/m²", INCLUSION, 18.0, NO),
        ("BMI > 40 or < 18", EXCLUSION, 42.0, YES),
        ("BMI > 40 or < 18", EXCLUSION, 25.0, NO),
        ("Obesity (BMI above 30)", EXCLUSION, 29.5, NO),
        # With another requirement: only a No decides an inclusion.
        ("BMI 18 to 30 kg/m2 and body weight over 50 kg", INCLUSION, 33.0, NO),
        ("BMI 18 to 30 kg/m2 and body weight over 50 kg", INCLUSION, 24.0, None),
        ("Weight under 70 kg, or BMI ≥ 30", EXCLUSION, 33.0, YES),
        ("Weight under 70 kg, or BMI ≥ 30", EXCLUSION, 25.0, None),
    ],
)
def test_the_bmi_rule(text, kind, bmi, expected):
    assert decide(text, kind, Profile(bmi=bmi)) == expected


@pytest.mark.parametrize(
    "text, kind, age, expected",
    [
        ("Age ≥ 18 years", INCLUSION, 40, YES),
        ("Age ≥ 18 years", INCLUSION, 17, NO),
        ("Aged 18 to 65 years", INCLUSION, 66, NO),
        ("18 years of age or older", INCLUSION, 18, YES),
        ("Between 18 and <65 years of age", INCLUSION, 12, NO),
        ("18 < Age < 70", INCLUSION, 18, NO),
        ("Age < 18 or > 70 years", EXCLUSION, 75, YES),
        ("People less than 18 years old and older than 70 years", EXCLUSION, 40, NO),
        ("Male or female, aged 18-75", INCLUSION, 40, YES),
        # One sex only, another measure, or months: the age decides only a No.
        ("Women aged 50 to 74", INCLUSION, 40, NO),
        ("Women aged 50 to 74", INCLUSION, 60, None),
        ("Age ≥ 18 years and ECOG 0-1", INCLUSION, 12, NO),
        ("Age ≥ 18 years and ECOG 0-1", INCLUSION, 40, None),
        ("Infants aged 2 to 12 months", INCLUSION, 1, None),
    ],
)
def test_the_age_rule(text, kind, age, expected):
    assert decide(text, kind, Profile(age=age)) == expected


# On every real record


def test_the_rules_read_every_real_record_without_fault(real_studies, edge_studies):
    examples = [profile for rule in rules.RULES for _answer, profile in rule.examples]
    decided = 0
    for record in real_studies + edge_studies:
        for item in eligibility.items(criteria_of(record)):
            for profile in examples:
                decided += decide(item.full_text, item.kind, profile) is not None
    assert decided > 5_000


def test_a_plain_pregnancy_exclusion_is_decided_both_ways_on_the_real_records(real_studies):
    """Exclusions that say nothing but pregnancy or breastfeeding, found independently
    of the rule: each one is answered Yes when pregnant and No when not."""
    plain = re.compile(
        r"^(?:(?:women|females?|patients?|subjects?|participants?)\s+(?:who\s+are\s+)?)?"
        r"(?:pregnan(?:t|cy)|current\s+pregnancy)"
        r"(?:\s*(?:or|and|/|,|and/or)\s*(?:breast[\s-]?feeding|lactating|lactation|nursing))?"
        r"(?:\s+(?:women|females|patients|subjects))?\.?;?$",
        re.I,
    )
    found = 0
    for record in real_studies:
        for item in eligibility.items(criteria_of(record)):
            if item.kind == EXCLUSION and not item.subitems and plain.match(item.text):
                assert decide(item.text, EXCLUSION, PREGNANT) == YES, item.text
                assert decide(item.text, EXCLUSION, NOT_PREGNANT) == NO, item.text
                found += 1
    assert found > 250


def test_the_browsers_tables_answer_as_the_rules_do(real_studies):
    """static/js/prescreen.js looks pre-answers up in Checklist.as_data(): for every item
    the rules recognise, every profile the table covers gives the rule's answer."""
    checked = 0
    trial = SimpleNamespace(
        nct_id="NCT0",
        min_age_days=None,
        max_age_days=None,
        sex="",
        healthy_volunteers=None,
        conditions=[],
        gender_based=False,
        eligibility_criteria="",
    )
    for record in real_studies[:600]:
        trial.eligibility_criteria = criteria_of(record)
        checklist = Checklist.build(trial)
        data = {d["key"]: d for d in checklist.as_data()["items"]}
        for entry in checklist.entries:
            rule = data[entry.key].get("rule")
            if not rule or "table" not in rule:
                continue
            topic = rules.RULES_BY_TOPIC[rule["source"]]
            choices = [
                ["", *(c for c, _label in rules.PREGNANCY_CHOICES)]
                if name == "pregnancy"
                else ["", *rules.ANSWERS]
                for name in rule["fields"]
            ]
            for values in itertools.product(*choices):
                profile = Profile(**dict(zip(rule["fields"], values, strict=True)))
                expected = topic.decide(entry.item, profile) or ""
                assert rule["table"].get("|".join(values), "") == expected, (entry.item, values)
                checked += 1
    assert checked > 1000


# Facts of the record


@pytest.mark.django_db
def test_the_age_fact_admits_the_ages_the_search_admits():
    trials = Trial.objects.exclude(min_age_days=None, max_age_days=None).order_by("nct_id")[:40]
    for trial in trials:
        low, high = prescreen.age_years(trial)
        for age in (0, 1, 5, 12, 17, 18, 19, 40, 64, 65, 66, 80, 100):
            searched = Trial.objects.for_age(age).filter(pk=trial.pk).exists()
            assert (low <= age <= high) == searched, (trial.nct_id, age)


@pytest.mark.django_db
def test_age_sex_and_healthy_volunteers_are_answered_from_the_search():
    trial = make_trial(min_age="18 Years", max_age="65 Years", sex="FEMALE", healthy=False)
    checklist = Checklist.build(trial, Profile(age=70, sex="FEMALE", healthy=True))
    facts = {
        e.key: (e.answer, e.source)
        for e in checklist.entries
        if e.key in ("age", "sex", "condition")
    }
    assert facts == {"age": (NO, "age"), "sex": (YES, "sex"), "condition": (NO, "healthy")}
    assert Checklist.build(trial, Profile()).entries[0].answer == ""


@pytest.mark.django_db
def test_a_trial_open_to_all_ages_and_sexes_asks_neither():
    trial = make_trial(min_age=None, max_age=None, sex="ALL", healthy=True)
    keys = [e.key for e in Checklist.build(trial).entries]
    assert "age" not in keys and "sex" not in keys and "condition" not in keys


@pytest.mark.django_db
def test_an_age_exclusion_written_in_the_wrong_list_is_not_answered():
    trial = make_trial(
        min_age="18 Years",
        max_age=None,
        criteria="Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* Subject is 18 years of age or older.",
    )
    entry = next(e for e in Checklist.build(trial, Profile(age=40)).entries if e.kind == EXCLUSION)
    assert entry.answer == ""


@pytest.mark.django_db
def test_the_patients_own_answer_wins_over_a_pre_answer():
    trial = make_trial(
        criteria="Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* Pregnancy"
    )
    checklist = Checklist.build(trial, NOT_PREGNANT, {"e1": UNSURE})
    (entry,) = checklist.exclusion
    assert (entry.answer, entry.source, entry.suggested) == (UNSURE, "", NO)


# The verdict


def entries(*answers: tuple[str, str], group: str = "") -> list[Entry]:
    return [
        Entry(Item(f"{kind[0]}{n}", kind, f"criterion {n}", group=group), answer)
        for n, (kind, answer) in enumerate(answers, 1)
    ]


def test_no_inclusion_answered_no_and_no_exclusion_answered_yes_looks_like_a_fit_so_far():
    result = prescreen.verdict(entries((INCLUSION, YES), (INCLUSION, ""), (EXCLUSION, NO)))
    assert result.code == prescreen.FIT and result.label == "Looks like a fit so far"
    assert (result.answered, result.unanswered) == (2, 1)


def test_some_not_sure_is_worth_asking_the_team():
    result = prescreen.verdict(entries((INCLUSION, YES), (EXCLUSION, UNSURE)))
    assert result.code == prescreen.ASK and [e.key for e in result.unsure] == ["e2"]


def test_an_inclusion_answered_no_or_an_exclusion_answered_yes_is_probably_not_a_fit_naming_which():
    result = prescreen.verdict(
        entries((INCLUSION, NO), (INCLUSION, UNSURE), (EXCLUSION, YES), (EXCLUSION, NO))
    )
    assert result.code == prescreen.NOT_FIT
    assert [e.item.text for e in result.against] == ["criterion 1", "criterion 3"]


def test_unknowns_never_exclude():
    assert prescreen.verdict(entries((INCLUSION, ""), (EXCLUSION, ""))).code == ""
    assert (
        prescreen.verdict(entries((INCLUSION, UNSURE), (EXCLUSION, UNSURE))).code == prescreen.ASK
    )


def test_with_cohorts_the_best_cohort_decides():
    patients = entries((INCLUSION, NO), group="Patients")
    controls = [Entry(Item("i2", INCLUSION, "No headache", group="Controls"), YES)]
    shared = [Entry(Item("e1", EXCLUSION, "Pregnancy"), NO)]
    assert prescreen.verdict(patients + controls + shared).code == prescreen.FIT
    controls[0].answer = NO
    result = prescreen.verdict(patients + controls + shared)
    assert result.code == prescreen.NOT_FIT and len(result.against) == 2


# What a contact request carries


@pytest.fixture
def pregnancy_trial():
    return make_trial(
        min_age="18 Years",
        healthy=True,
        criteria="Inclusion Criteria:\n\n* Lupus nephritis\n\nExclusion Criteria:\n\n* Pregnancy\n* HIV infection",
    )


@pytest.mark.django_db
def test_the_answers_travel_and_come_back_as_the_same_checklist(pregnancy_trial):
    sent = Checklist.build(pregnancy_trial, Profile(age=40, pregnancy="no"), {"i1": UNSURE})
    payload = json.loads(json.dumps(sent.payload()))
    received = prescreen.read_payload(pregnancy_trial, payload)
    assert [(e.key, e.answer, e.source) for e in received.entries] == [
        ("age", YES, "age"),
        ("i1", UNSURE, ""),
        ("e1", NO, "pregnancy"),
        ("e2", "", ""),
    ]
    snapshot = prescreen.Snapshot.of(received)
    assert snapshot.verdict == prescreen.ASK
    assert snapshot.unsure == (
        {
            "kind": INCLUSION,
            "text": "Lupus nephritis",
            "subitems": [],
            "group": "",
            "answer": UNSURE,
            "source": "",
        },
    )
    assert (snapshot.favourable, snapshot.unanswered, snapshot.total) == (2, 1, 4)
    assert "pregnan" not in json.dumps(snapshot.as_json()).replace("Pregnancy", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {"answers": {"i1": YES}},  # no fingerprint
        {"fingerprint": "0" * 16, "answers": {"i1": YES}},  # another version of the record
        "FINGERPRINT",  # replaced below: answers that are not answers
    ],
)
def test_answers_that_do_not_fit_the_trial_are_refused(pregnancy_trial, payload):
    if payload == "FINGERPRINT":
        payload = {
            "fingerprint": Checklist.build(pregnancy_trial).fingerprint,
            "answers": {"i1": "maybe"},
        }
    with pytest.raises(prescreen.PayloadError):
        prescreen.read_payload(pregnancy_trial, payload)


@pytest.mark.django_db
def test_an_item_of_another_trial_is_refused(pregnancy_trial):
    fingerprint = Checklist.build(pregnancy_trial).fingerprint
    with pytest.raises(prescreen.PayloadError):
        prescreen.read_payload(
            pregnancy_trial, {"fingerprint": fingerprint, "answers": {"i9": YES}}
        )
