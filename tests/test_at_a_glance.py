"""The summary at the top of every trial page, made from the record's structured fields."""

from __future__ import annotations

import re
from html import unescape

import pytest

from trials import plain

from .factories import make_trial

pytestmark = pytest.mark.django_db

DRUG = {"type": "DRUG", "name": "Anifrolumab", "armGroupLabels": ["Anifrolumab"]}
PLACEBO = {"type": "DRUG", "name": "Placebo", "armGroupLabels": ["Placebo"]}
ARMS = [
    {"label": "Anifrolumab", "type": "EXPERIMENTAL", "interventionNames": ["Drug: Anifrolumab"]},
    {"label": "Placebo", "type": "PLACEBO_COMPARATOR", "interventionNames": ["Drug: Placebo"]},
]


def glance(client, trial) -> dict[str, str]:
    html = client.get(f"/trials/{trial.nct_id}/").content.decode()
    block = re.search(r'<section class="glance".*?</section>', html, re.S).group(0)
    lines = re.findall(r'<div class="glance-(\w+)"><dt>.*?</dt><dd>(.*?)</dd></div>', block, re.S)
    return {key: unescape(value) for key, value in lines} | {"_block": unescape(block)}


def test_a_placebo_controlled_double_blind_trial_says_so_in_a_line(client):
    trial = make_trial(
        interventions=[DRUG, PLACEBO],
        arms=ARMS,
        phases=["PHASE3"],
        allocation="RANDOMIZED",
        masking="DOUBLE",
        who_masked=["PARTICIPANT", "INVESTIGATOR"],
    )
    lines = glance(client, trial)
    assert "Summary made from the study record" in lines["_block"]
    assert lines["what"] == "Medicine: Anifrolumab."  # the placebo is not what is tested
    assert lines["phase"] == "Phase 3: compares the treatment with standard care in many people."
    assert lines["blinding"] == (
        "Some participants get a placebo or sham (a dummy treatment). Double-blind: the "
        "participants and the researchers do not know who gets which treatment."
    )


def test_an_open_label_trial_says_everyone_knows(client):
    trial = make_trial(interventions=[DRUG], masking="NONE", phases=["PHASE1", "PHASE2"])
    lines = glance(client, trial)
    assert lines["blinding"] == (
        "No one gets a placebo. Open label: everyone knows who gets which treatment."
    )
    assert lines["phase"] == (
        "Phase 1 and phase 2: tests safety and dose in a small group; then tests whether "
        "the treatment works and how safe it is."
    )


def test_dates_with_month_precision_give_a_length_in_months(client):
    trial = make_trial(start="2025-03", primary_completion="2026-06")
    assert glance(client, trial)["when"] == (
        "From March 2025 until the main results in June 2026 (expected): about 15 months."
    )
    trial = make_trial(start="2025-03-10", primary_completion="2028-09-01")
    assert glance(client, trial)["when"] == (
        "From 10 March 2025 until the main results in 1 September 2028 (expected): "
        "about 3 years and 6 months."
    )


def test_a_year_alone_gives_the_length_in_years_only(client):
    trial = make_trial(start="2021", primary_completion="2024", primary_completion_type="ACTUAL")
    assert (
        glance(client, trial)["when"] == "From 2021 until the main results in 2024: about 3 years."
    )


def test_no_maximum_age_reads_and_older_and_who_can_join_lists_the_conditions(client):
    trial = make_trial(
        max_age=None, sex="FEMALE", conditions=["Lupus Nephritis", "Systemic Lupus"], healthy=True
    )
    assert glance(client, trial)["who"] == (
        "Ages 18 years and older; women only; with Lupus Nephritis and Systemic Lupus; "
        "healthy volunteers can join."
    )


def test_how_many_and_where(client):
    trial = make_trial(
        status="COMPLETED",
        enrollment=412,
        enrollment_type="ACTUAL",
        locations=[
            {"facility": "A", "city": "Lyon", "country": "France"},
            {"facility": "B", "city": "Paris", "country": "France"},
            {"facility": "C", "city": "Berlin", "country": "Germany"},
        ],
    )
    lines = glance(client, trial)
    assert lines["size"] == "412 people took part."
    assert lines["where"] == "3 sites in 2 countries: France and Germany."
    expected = make_trial(enrollment=60, locations=[])
    lines = glance(client, expected)
    assert lines["size"] == "About 60 people are expected to take part."
    assert lines["where"] == "No sites are listed yet."


def test_an_observational_study_says_nothing_is_given(client):
    trial = make_trial(study_type="OBSERVATIONAL", phases=[], interventions=[DRUG])
    lines = glance(client, trial)
    assert lines["what"] == "No treatment is given by the study: it watches what happens to people."
    assert "phase" not in lines and "blinding" not in lines


def test_the_nearest_site_is_said_only_when_a_place_is_known():
    trial = make_trial()
    site = trial.sites.get()
    lines = {g.key: g.text for g in plain.at_a_glance(trial, sites=[site])}
    assert "Nearest" not in lines["where"]
    near = plain.NearestSite(site, 12.4)
    lines = {g.key: g.text for g in plain.at_a_glance(trial, sites=[site], nearest=near)}
    assert (
        lines["where"]
        == "1 site in France. Nearest to you: Test Hospital, Lyon, France, about 12 km away."
    )


def test_the_api_carries_the_same_lines(client):
    trial = make_trial(interventions=[DRUG, PLACEBO], arms=ARMS, masking="NONE")
    data = client.get(f"/api/trials/{trial.nct_id}/").json()
    page = glance(client, trial)
    assert {line["key"]: line["text"] for line in data["at_a_glance"]} == {
        k: v for k, v in page.items() if k != "_block"
    }
