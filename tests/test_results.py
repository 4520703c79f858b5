"""What the study found: posted results on the trial page, in the API and on the card.

Checked on every real record with posted results (already in the test database), on
three of them field by field against their own JSON (read here, independently of
trials.results), and on hand-built records for the awkward cases: groups out of
order, missing values, no results at all.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from .factories import make_trial

pytestmark = pytest.mark.django_db

SEED_MESSAGE = (
    "The study team has not published outcome measurements, participant flow, or safety "
    "data for this trial yet. Check back later for updates."
)


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def results_section(client, nct_id: str) -> str:
    response = client.get(f"/trials/{nct_id}/")
    assert response.status_code == 200, (nct_id, response.status_code)
    html = response.content.decode()
    match = re.search(r'<section id="results".*?(?=<section id="dates")', html, re.S)
    assert match, f"{nct_id}: no results section"
    return match.group(0)


def api(client, nct_id: str) -> dict:
    response = client.get(f"/api/trials/{nct_id}/")
    assert response.status_code == 200
    return response.json()


def nct(record: dict) -> str:
    return record["protocolSection"]["identificationModule"]["nctId"]


def by_id(records: list[dict], nct_id: str) -> dict:
    return next(r for r in records if nct(r) == nct_id)


def share(n: int, of: int) -> str:
    """The share as the page writes it, computed here from the record's counts."""
    percent = 100 * n / of
    if 0 < percent < 1:
        return f"{n} of {of} (<1%)"
    return f"{n} of {of} ({round(percent)}%)"


# Every real record with results


def test_every_real_record_with_results_renders_its_results(client, real_studies, edge_studies):
    with_results = [r for r in real_studies + edge_studies if "resultsSection" in r]
    assert len([r for r in real_studies if "resultsSection" in r]) == 131
    seen = set()
    for record in with_results:
        if nct(record) in seen:
            continue
        seen.add(nct(record))
        section = results_section(client, nct(record))
        words = text(section)
        assert "What the study found" in words and SEED_MESSAGE not in words, nct(record)
        assert "Participant flow" in words and "Who took part" in words, nct(record)
        assert "Outcomes" in words, nct(record)
        if "adverseEventsModule" in record["resultsSection"]:
            assert "Medical problems (adverse events)" in words, nct(record)
        assert "{{" not in section and "<td>None</td>" not in section, nct(record)


def test_every_real_record_with_results_has_the_same_results_in_the_api(client, real_studies):
    for record in [r for r in real_studies if "resultsSection" in r][:40]:
        data = api(client, nct(record))
        assert data["has_results"] is True
        results = data["results"]
        posted = record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
        assert results["posted"] is True
        assert [o["title"] for o in results["outcomes"]] == [o["title"] for o in posted]


# Three records, field by field


def test_a_single_group_record_shows_its_flow_baseline_outcome_and_events(client, real_studies):
    record = by_id(real_studies, "NCT00329836")
    results = record["resultsSection"]
    words = text(results_section(client, "NCT00329836"))
    milestones = results["participantFlowModule"]["periods"][0]["milestones"]
    started = next(m for m in milestones if m["type"] == "STARTED")["achievements"][0]
    finished = next(m for m in milestones if m["type"] == "COMPLETED")["achievements"][0]
    assert f"{started['numSubjects']} people started; {finished['numSubjects']} finished." in words
    age = next(
        m
        for m in results["baselineCharacteristicsModule"]["measures"]
        if m["title"] == "Age, Continuous"
    )
    measured = age["classes"][0]["categories"][0]["measurements"][0]
    assert f"{measured['value']} years (standard deviation {measured['spread']})" in words
    outcome = results["outcomeMeasuresModule"]["outcomeMeasures"][0]
    value = outcome["classes"][0]["categories"][0]["measurements"][0]["value"]
    assert outcome["title"] in words and f"Number {value} people" in words
    group = results["adverseEventsModule"]["eventGroups"][0]
    serious = share(group["seriousNumAffected"], group["seriousNumAtRisk"])
    assert f"Serious problems {serious}" in words
    assert "Other (not serious) problems are listed when more than 5% of the people" in words


def test_a_three_group_record_shows_each_groups_numbers_and_serious_events(client, real_studies):
    record = by_id(real_studies, "NCT01698684")
    results = record["resultsSection"]
    section = results_section(client, "NCT01698684")
    words = text(section)
    flow = results["participantFlowModule"]
    titles = {g["id"]: g["title"] for g in flow["groups"]}
    for milestone in flow["periods"][0]["milestones"]:
        if milestone["type"] == "STARTED":
            counts = [int(a["numSubjects"]) for a in milestone["achievements"]]
            assert f"Started {' '.join(str(c) for c in counts)}" in words
    assert f"{sum(counts)} people started" in words
    assert all(title in words for title in titles.values())
    outcome = next(
        o for o in results["outcomeMeasuresModule"]["outcomeMeasures"] if o["type"] == "PRIMARY"
    )
    for m in outcome["classes"][0]["categories"][0]["measurements"]:
        title = next(g["title"] for g in outcome["groups"] if g["id"] == m["groupId"])
        assert (
            f"{title}: {m['value']} {outcome['unitOfMeasure']} (standard deviation {m['spread']})"
            in words
        )
    events = results["adverseEventsModule"]
    groups = {g["id"]: g for g in events["eventGroups"]}
    said = "; ".join(
        f"{share(g['seriousNumAffected'], g['seriousNumAtRisk'])} in {g['title']}"
        for g in events["eventGroups"]
    )
    assert f"Serious medical problems: {said}." in words
    for event in events["seriousEvents"]:
        row = re.search(
            rf"<th scope=\"row\">{re.escape(event['term'])}</th>(.*?)</tr>", section, re.S
        )
        assert row, event["term"]
        cells = [text(c) for c in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]
        expected = [
            share(s["numAffected"], s["numAtRisk"])
            for g in events["eventGroups"]
            for s in event["stats"]
            if s["groupId"] == g["id"]
        ]
        assert cells == expected, event["term"]
        assert event["organSystem"] in words
    assert groups  # every event group has its column


def test_a_record_with_an_analysis_shows_its_p_value_estimate_and_interval(client, real_studies):
    record = by_id(real_studies, "NCT02397473")
    outcome = next(
        o
        for o in record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
        if o["type"] == "PRIMARY"
    )
    analysis = outcome["analyses"][0]
    words = text(results_section(client, "NCT02397473"))
    assert f"p-value {analysis['pValue']}" in words
    assert (
        f"{analysis['paramType']}: {analysis['paramValue']} ({analysis['ciPctValue']}% confidence "
        f"interval {analysis['ciLowerLimit']} to {analysis['ciUpperLimit']})" in words
    )
    assert "About p-values:" in words and "does not say how big" in words
    data = api(client, "NCT02397473")["results"]
    posted = next(o for o in data["outcomes"] if o["kind"] == "PRIMARY")
    assert posted["analyses"][0]["p_value"] == analysis["pValue"]
    assert posted["analyses"][0]["groups"] == analysis["groupIds"]
    for row in posted["rows"]:
        for value in row["values"]:
            original = next(
                m
                for m in outcome["classes"][0]["categories"][0]["measurements"]
                if m["groupId"] == value["group"]
            )
            assert (value["value"], value["spread"]) == (original["value"], original["spread"])


# Hand-built results: the awkward cases


def flow_group(gid, title):
    return {"id": gid, "title": title, "description": f"{title} arm"}


HAND_BUILT = {
    "participantFlowModule": {
        "groups": [flow_group("FG000", "Drug"), flow_group("FG001", "Placebo")],
        "periods": [
            {
                "title": "Overall Study",
                "milestones": [
                    # The record lists the placebo group first: values follow their ids.
                    {
                        "type": "STARTED",
                        "achievements": [
                            {"groupId": "FG001", "numSubjects": "206"},
                            {"groupId": "FG000", "numSubjects": "206"},
                        ],
                    },
                    {
                        "type": "COMPLETED",
                        "achievements": [
                            {"groupId": "FG001", "numSubjects": "180"},
                            {"groupId": "FG000", "numSubjects": "191"},
                        ],
                    },
                ],
                "dropWithdraws": [
                    {
                        "type": "Adverse Event",
                        "reasons": [{"groupId": "FG000", "numSubjects": "15"}],
                    }
                ],
            }
        ],
    },
    "baselineCharacteristicsModule": {
        "groups": [
            flow_group("BG000", "Drug"),
            flow_group("BG001", "Placebo"),
            flow_group("BG002", "Total"),
        ],
        "denoms": [
            {
                "units": "Participants",
                "counts": [
                    {"groupId": "BG002", "value": "412"},
                    {"groupId": "BG001", "value": "206"},
                    {"groupId": "BG000", "value": "206"},
                ],
            }
        ],
        "measures": [
            {
                "title": "Age, Continuous",
                "paramType": "MEAN",
                "dispersionType": "STANDARD_DEVIATION",
                "unitOfMeasure": "years",
                "classes": [
                    {
                        "categories": [
                            {
                                "measurements": [
                                    {"groupId": "BG002", "value": "51.0", "spread": "9.0"},
                                    {"groupId": "BG000", "value": "50.5", "spread": "8.8"},
                                ]
                            }
                        ]
                    }
                ],
            },
            {
                "title": "Sex: Female, Male",
                "paramType": "COUNT_OF_PARTICIPANTS",
                "unitOfMeasure": "Participants",
                "classes": [
                    {
                        "categories": [
                            {
                                "title": "Female",
                                "measurements": [
                                    {"groupId": "BG000", "value": "120"},
                                    {"groupId": "BG001", "value": "110"},
                                    {"groupId": "BG002", "value": "230"},
                                ],
                            },
                            {
                                "title": "Male",
                                "measurements": [
                                    {"groupId": "BG000", "value": "86"},
                                    {"groupId": "BG001", "value": "96"},
                                    {"groupId": "BG002", "value": "182"},
                                ],
                            },
                        ]
                    }
                ],
            },
        ],
    },
    "outcomeMeasuresModule": {
        "outcomeMeasures": [
            {
                "type": "PRIMARY",
                "title": "Change in pain score at week 12",
                "paramType": "MEAN",
                "dispersionType": "Standard Deviation",
                "unitOfMeasure": "points",
                "timeFrame": "Week 12",
                "groups": [
                    {"id": "OG001", "title": "Placebo"},
                    {"id": "OG000", "title": "Drug"},
                ],
                "denoms": [
                    {
                        "units": "Participants",
                        "counts": [
                            {"groupId": "OG000", "value": "200"},
                            {"groupId": "OG001", "value": "198"},
                        ],
                    }
                ],
                "classes": [
                    {
                        "categories": [
                            {
                                "measurements": [
                                    {"groupId": "OG000", "value": "-2.3", "spread": "1.1"},
                                    {"groupId": "OG001", "value": "-0.8", "spread": "1.3"},
                                ]
                            }
                        ]
                    }
                ],
                "analyses": [
                    {
                        "groupIds": ["OG000", "OG001"],
                        "statisticalMethod": "ANCOVA",
                        "pValue": "<0.001",
                        "paramType": "Mean Difference (Net)",
                        "paramValue": "-1.5",
                        "ciPctValue": "95",
                        "ciLowerLimit": "-1.8",
                        "ciUpperLimit": "-1.2",
                    }
                ],
            },
            {
                "type": "SECONDARY",
                "title": "People whose pain went away",
                "paramType": "COUNT_OF_PARTICIPANTS",
                "unitOfMeasure": "Participants",
                "timeFrame": "Week 12",
                "groups": [{"id": "OG000", "title": "Drug"}, {"id": "OG001", "title": "Placebo"}],
                "denoms": [
                    {
                        "units": "Participants",
                        "counts": [
                            {"groupId": "OG000", "value": "200"},
                            {"groupId": "OG001", "value": "198"},
                        ],
                    }
                ],
                "classes": [
                    {"categories": [{"measurements": [{"groupId": "OG000", "value": "50"}]}]}
                ],
            },
            {
                "type": "SECONDARY",
                "title": "Quality of life at one year",
                "reportingStatus": "NOT_POSTED",
                "anticipatedPostingDate": "2027-06",
                "timeFrame": "One year",
            },
        ]
    },
    "adverseEventsModule": {
        "frequencyThreshold": "5",
        "eventGroups": [
            {
                "id": "EG001",
                "title": "Placebo",
                "seriousNumAffected": 6,
                "seriousNumAtRisk": 206,
                "otherNumAffected": 40,
                "otherNumAtRisk": 206,
            },
            {
                "id": "EG000",
                "title": "Drug",
                "seriousNumAffected": 4,
                "seriousNumAtRisk": 206,
                "otherNumAffected": 52,
                "otherNumAtRisk": 206,
            },
        ],
        "seriousEvents": [
            {
                "term": "Pneumonia",
                "organSystem": "Infections and infestations",
                "stats": [
                    {"groupId": "EG000", "numAffected": 1, "numAtRisk": 206},
                    {"groupId": "EG001", "numAffected": 2, "numAtRisk": 206},
                ],
            }
        ],
        "otherEvents": [
            {
                "term": "Headache",
                "organSystem": "Nervous system disorders",
                "stats": [{"groupId": "EG000", "numAffected": 30, "numAtRisk": 206}],
            }
        ],
    },
    "moreInfoModule": {
        "limitationsAndCaveats": {"description": "The study stopped early for slow enrolment."},
        "pointOfContact": {
            "title": "Director of Clinical Trials",
            "organization": "Test Sponsor",
            "email": "results@example.org",
        },
    },
}


@pytest.fixture
def hand_built():
    return make_trial(
        status="COMPLETED", title="Zylofenac for knee pain", results=HAND_BUILT, has_results=True
    )


def test_in_short_says_the_main_numbers_in_sentences(client, hand_built):
    words = text(results_section(client, hand_built.nct_id))
    assert "412 people started; 371 finished." in words
    assert (
        "Who took part: 412 people, average age 51.0 years, 230 women (56%) and 182 men (44%)."
        in words
    )
    assert (
        "Main result: Change in pain score at week 12, average (mean). "
        "Placebo: -0.8 points (standard deviation 1.3); Drug: -2.3 points (standard deviation 1.1)."
    ) in words
    assert "Serious medical problems: 6 of 206 (3%) in Placebo; 4 of 206 (2%) in Drug." in words


def test_values_follow_their_groups_ids_not_their_order(client, hand_built):
    section = results_section(client, hand_built.nct_id)
    flow = re.search(r"Overall Study.*?</table>", section, re.S).group(0)
    assert re.search(r"<th scope=\"col\">Drug</th><th scope=\"col\">Placebo</th>", flow)
    assert '<th scope="row">Finished</th><td>191</td><td>180</td>' in flow
    outcome = api(client, hand_built.nct_id)["results"]["outcomes"][0]
    assert [g["title"] for g in outcome["groups"]] == ["Placebo", "Drug"]
    assert [v["value"] for v in outcome["rows"][0]["values"]] == ["-0.8", "-2.3"]
    baseline = api(client, hand_built.nct_id)["results"]["baseline"]
    assert baseline["total_group"] == "BG002"
    assert baseline["analysed"] == [
        {"group": "BG000", "n": 206},
        {"group": "BG001", "n": 206},
        {"group": "BG002", "n": 412},
    ]


def test_a_value_the_record_lacks_is_not_reported_never_zero(client, hand_built):
    section = results_section(client, hand_built.nct_id)
    words = text(section)
    # Age: the placebo column has no value; its dropout reason neither.
    assert (
        "Age, Continuous (years) 50.5 years (standard deviation 8.8) not reported 51.0 years"
        in words
    )
    assert "Adverse Event 15 not reported" in words
    assert "50 of 200 people (25%) not reported" in words
    assert "Headache Nervous system disorders not reported 30 of 206 (15%)" in words
    assert "The results of this outcome are not posted. They are expected in 2027-06." in words
    data = api(client, hand_built.nct_id)["results"]
    placebo_age = data["baseline"]["measures"][0]["rows"][0]["values"][1]
    assert placebo_age == {
        "group": "BG001",
        "value": None,
        "spread": None,
        "lower": None,
        "upper": None,
        "comment": None,
        "of": None,
        "percent": None,
        "text": "not reported",
    }
    counted = data["outcomes"][1]["rows"][0]["values"][0]
    assert (counted["of"], counted["percent"]) == (200, 25.0)


def test_the_primary_outcomes_chart_states_the_same_numbers_in_words(client, hand_built):
    section = results_section(client, hand_built.nct_id)
    charts = re.findall(r"<svg.*?</svg>", section, re.S)
    assert len(charts) == 1  # primary outcomes only
    svg = charts[0]
    assert 'role="img"' in svg and "aria-describedby=" in svg
    desc = text(re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1))
    assert desc == (
        "Change in pain score at week 12 (average (mean)). "
        "Placebo: -0.8 points (standard deviation 1.3). Drug: -2.3 points (standard deviation 1.1)."
    )
    bars = re.findall(r'<rect class="chart-bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    assert len(bars) == 2
    # Both changes are negative: each bar ends at zero, the larger change is the longer bar.
    (x1, w1), (x2, w2) = [(float(x), float(w)) for x, w in bars]
    assert x1 + w1 == pytest.approx(x2 + w2) and w2 > w1
    assert "<script" not in svg
    assert "The line across a bar shows its standard deviation." in text(section)


def test_the_analysis_the_events_threshold_and_the_contact_are_shown(client, hand_built):
    words = text(results_section(client, hand_built.nct_id))
    assert "Statistical analysis: Drug compared with Placebo" in words
    assert "p-value <0.001" in words
    assert "Mean Difference (Net): -1.5 (95% confidence interval -1.8 to -1.2)" in words
    assert "Time frame not reported" in words
    assert "listed when more than 5% of the people in a group had them" in words
    assert "Infections and infestations Pneumonia 2 of 206 (<1%) 1 of 206 (<1%)" in words
    assert "The study stopped early for slow enrolment" in words
    assert "Director of Clinical Trials, Test Sponsor" in words and "results@example.org" in words


def test_a_trial_without_results_says_so_and_links_result_publications_and_documents(client):
    trial = make_trial(
        status="COMPLETED",
        references=[
            {"pmid": "31234567", "type": "RESULT", "citation": "Doe J. The trial's results."},
            {"pmid": "20000000", "type": "BACKGROUND", "citation": "Background paper."},
        ],
        documents=[
            {
                "typeAbbrev": "Prot_SAP",
                "hasProtocol": True,
                "hasSap": True,
                "hasIcf": False,
                "label": "Study Protocol and Statistical Analysis Plan",
                "date": "2021-03-16",
                "filename": "Prot_SAP_000.pdf",
                "size": 1186084,
            },
            {"typeAbbrev": "Prot", "hasProtocol": True, "filename": "../../etc/passwd"},
        ],
    )
    section = results_section(client, trial.nct_id)
    words = text(section)
    assert SEED_MESSAGE in words
    assert "Publications of the results" in words and "Doe J. The trial's results." in words
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/31234567/"' in section
    assert "Background paper" not in words
    folder = trial.nct_id[-2:]
    url = f"https://clinicaltrials.gov/ProvidedDocs/{folder}/{trial.nct_id}/Prot_SAP_000.pdf"
    assert f'href="{url}"' in section
    assert "passwd" not in section  # a file name that is not a plain PDF name is left out
    data = api(client, trial.nct_id)
    assert data["has_results"] is False
    assert data["results"]["posted"] is False and data["results"]["in_short"] == []
    assert data["results"]["documents"][0]["url"] == url


def test_a_trial_the_registry_says_has_results_without_them_points_to_clinicaltrials_gov(client):
    trial = make_trial(status="COMPLETED", has_results=True)
    words = text(results_section(client, trial.nct_id))
    assert "ClinicalTrials.gov says this study has posted results" in words
    assert SEED_MESSAGE not in words


def test_a_malformed_results_section_still_renders_the_page(client):
    broken = {
        "participantFlowModule": {"groups": [{"id": "FG000"}], "periods": [{"milestones": [{}]}]},
        "baselineCharacteristicsModule": {"measures": [{"classes": [{}]}]},
        "outcomeMeasuresModule": {
            "outcomeMeasures": [{"type": "PRIMARY", "classes": [{"categories": [{}]}]}]
        },
        "adverseEventsModule": {"eventGroups": [{"id": "EG000"}], "seriousEvents": [{}]},
        "moreInfoModule": {},
    }
    trial = make_trial(status="COMPLETED", results=broken)
    words = text(results_section(client, trial.nct_id))
    assert "What the study found" in words and "not reported" in words


# The search card


def test_the_search_card_of_a_trial_with_results_says_results_posted(client, hand_built):
    response = client.get("/", {"q": hand_built.title, "status": "COMPLETED"})
    html = response.content.decode()
    card = re.search(rf'<li class="card">(?:(?!</li>).)*?{hand_built.nct_id}.*?</li>', html, re.S)
    assert card and "Results posted" in card.group(0)
    other = make_trial(status="COMPLETED", title="Zylofenac without results")
    html = client.get("/", {"q": other.title, "status": "COMPLETED"}).content.decode()
    card = re.search(rf'<li class="card">(?:(?!</li>).)*?{other.nct_id}.*?</li>', html, re.S)
    assert card and "Results posted" not in card.group(0)
    found = client.get("/api/trials/", {"q": hand_built.title, "status": "COMPLETED"}).json()
    assert any(r["nct_id"] == hand_built.nct_id and r["has_results"] for r in found["results"])


# The domain alone


def test_without_a_total_column_who_took_part_adds_up_the_groups_and_no_unit_is_invented():
    from trials.results import parse_results

    two_groups = {
        "baselineCharacteristicsModule": {
            "groups": [flow_group("BG000", "Drug"), flow_group("BG001", "Placebo")],
            "denoms": [
                {
                    "units": "Participants",
                    "counts": [
                        {"groupId": "BG000", "value": "10"},
                        {"groupId": "BG001", "value": "12"},
                    ],
                }
            ],
            "measures": [
                {
                    "title": "Sex: Female, Male",
                    "paramType": "COUNT_OF_PARTICIPANTS",
                    "unitOfMeasure": "Participants",
                    "classes": [
                        {
                            "categories": [
                                {
                                    "title": "Female",
                                    "measurements": [
                                        {"groupId": "BG000", "value": "4"},
                                        {"groupId": "BG001", "value": "7"},
                                    ],
                                },
                                {
                                    "title": "Male",
                                    "measurements": [
                                        {"groupId": "BG000", "value": "6"},
                                        {"groupId": "BG001", "value": "5"},
                                    ],
                                },
                            ]
                        }
                    ],
                }
            ],
        },
        "outcomeMeasuresModule": {
            "outcomeMeasures": [
                {
                    "type": "PRIMARY",
                    "title": "Score",
                    "paramType": "NUMBER",
                    "groups": [{"id": "OG000", "title": "Drug"}],
                    "classes": [
                        {"categories": [{"measurements": [{"groupId": "OG000", "value": "7"}]}]}
                    ],
                }
            ]
        },
    }
    results = parse_results("NCT80000000", two_groups)
    assert "Who took part: 22 people, 11 women (50%) and 11 men (50%)." in results.in_short
    assert "Main result: Score, number. Drug: 7." in results.in_short
