"""The trial page (/trials/<NCT ID>/), its JSON twin, the 404 page and the FAQ.

Checked on the seed trials (imported from fixtures/source, as the seed pages show
them) and on the real ClinicalTrials.gov records already in the test database.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trials import plain
from trials.importer import import_items
from trials.models import Trial
from trials.sources import Item
from trials.vocabularies import Phase, StudyType

from .factories import make_trial, study

pytestmark = pytest.mark.django_db

SEED_SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source" / "seed_studies.json"


def import_record(record: dict) -> Trial:
    summary = import_items([Item("test", "1", record)])
    assert not summary.problems, summary.problems
    return Trial.objects.get(nct_id=record["protocolSection"]["identificationModule"]["nctId"])


@pytest.fixture
def seeds():
    records = json.loads(SEED_SOURCE.read_text(encoding="utf-8"))
    import_items([Item("seed", str(i), r) for i, r in enumerate(records)])


def page(client, nct_id: str) -> str:
    response = client.get(f"/trials/{nct_id}/")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text(html: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, white space folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def unmarked(html: str) -> str:
    """The HTML without the glossary's term links (tests/test_glossary.py checks those)."""
    return re.sub(r'<a class="term"[^>]*>(.*?)</a>', r"\1", html)


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert match, f"no section #{section_id}"
    return match.group(0)


# The header


def test_seed_000_header_says_status_phase_and_conditions_in_words(client, seeds):
    html = page(client, "NCT05631717")
    words = text(html)
    assert "<h1" in html and "Human Umbilical Cord MSCs and Low-dose IL-2" in words
    assert "Recruiting. The study is looking for participants now." in words
    assert "Phase 3. Compares the treatment with standard care in many people." in words
    assert "Systemic Lupus Erythematosus" in words and "Lupus Nephritis" in words
    assert 'href="https://clinicaltrials.gov/study/NCT05631717"' in html


def test_the_official_title_shows_below_the_title_and_the_last_update_in_words(client, seeds):
    words = text(page(client, "NCT00698191"))
    assert "Official title: Phase I/IIa: Allogeneic Bone Marrow Derived" in words
    words = text(page(client, "NCT03562065"))
    assert "Last updated 8 July 2021" in words


def test_a_status_not_verified_recently_is_explained(client, seeds):
    words = text(page(client, "NCT00659217"))
    assert "Status not verified recently." in words
    assert "has not been confirmed by its sponsor for more than two years" in words
    assert "Phase 1 and phase 2." in words


# Who can join


def test_seed_000_says_ages_sex_and_healthy_volunteers_in_words(client, seeds):
    who = text(section(page(client, "NCT05631717"), "who"))
    assert "Ages 18 to 65 years" in who
    assert "Sex All sexes" in who
    assert "Healthy volunteers Not stated" in who
    who = text(section(page(client, "NCT00659217"), "who"))
    assert "Healthy volunteers Yes: people without the condition can join" in who


def test_criteria_become_inclusion_and_exclusion_lists_with_escapes_undone(client, seeds):
    who = unmarked(section(page(client, "NCT05631717"), "who"))
    assert "<h3>Inclusion criteria</h3>" in who and "<h3>Exclusion criteria</h3>" in who
    assert who.index("Inclusion criteria") < who.index("SLEDAI-2K") < who.index("Exclusion")
    assert (
        "<li>Age: age &gt; 18 years old, ≤ 65 years old when obtaining informed consent</li>" in who
    )
    assert "<li>SLEDAI-2K score ≥ 6</li>" in who
    assert "\\&gt;" not in who and "\\>" not in who
    assert "You cannot join if any of these is true for you." in who


def test_nested_criteria_lists_stay_nested(client, seeds):
    who = unmarked(section(page(client, "NCT03562065"), "who"))
    presence = who.index("Presence of:")
    nested = who[presence : who.index("</ol>", presence)]
    assert "<ol>" in nested
    assert "<li>Renal failure: calculated creatinine clearance of &lt;30 ml / min</li>" in nested
    assert "\\&lt;" not in who and "\\<" not in who


def test_numbered_criteria_keep_their_numbers(client, seeds):
    who = section(page(client, "NCT00659217"), "who")
    assert '<ol start="2">' in who
    assert "<li>Meet at least 4 of 11 American College of Rheumatology" in who


def test_ctgov_markdown_escapes_of_every_kind_are_undone(client):
    criteria = (
        "Inclusion Criteria:\n\n* Dose 10\\^6 cells\n* Creatinine \\< 1.5 and \\&gt; 0.5\n"
        "* About \\~ 3 months\n* Weight \\> 40 kg\n\nExclusion Criteria:\n\n* None"
    )
    trial = make_trial(criteria=criteria)
    who = unmarked(section(page(client, trial.nct_id), "who"))
    assert "<li>Dose 10^6 cells</li>" in who
    assert "<li>Creatinine &lt; 1.5 and &gt; 0.5</li>" in who
    assert "<li>About ~ 3 months</li>" in who
    assert "<li>Weight &gt; 40 kg</li>" in who


def test_record_text_is_sanitised(client):
    trial = make_trial(
        summary="Hello <script>alert(1)</script> [click](javascript:alert(1)) "
        '<img src="https://evil.example/x.png"> [site](https://example.org)',
        criteria="Inclusion Criteria:\n\n* <b onclick=x>bold</b>\n\n    indented, not code\n",
    )
    html = page(client, trial.nct_id)
    assert "<script>alert" not in html and "<img" not in html
    assert 'href="javascript' not in html and "<b onclick" not in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">site</a>' in html
    assert "<pre" not in html and "<code>" not in html
    assert "indented, not code" in html


# What happens


def test_arms_and_interventions_show_their_doses(client, seeds):
    what = section(page(client, "NCT03562065"), "what")
    assert "<li>1.10^6 CSM / kg</li>" in what and "<li>4.10^6 CSM / kg" in what
    assert "\\^" not in what
    assert "Receives: mesenchymal stem cells" in text(what)


def test_design_is_said_in_plain_words(client, seeds):
    what = text(section(page(client, "NCT00698191"), "what"))
    assert "Randomised? Not randomised" in what
    assert "Everyone in the study gets the same treatment." in what
    assert "No one is masked (open label)" in what
    assert "Purpose To treat a disease or condition." in what


def test_a_randomised_placebo_controlled_double_masked_design_says_so(client):
    record = study(interventions=[{"type": "DRUG", "name": "Placebo", "armGroupLabels": ["B"]}])
    record["protocolSection"]["designModule"]["designInfo"] = {
        "allocation": "RANDOMIZED",
        "interventionModel": "PARALLEL",
        "primaryPurpose": "TREATMENT",
        "maskingInfo": {"masking": "DOUBLE", "whoMasked": ["PARTICIPANT", "INVESTIGATOR"]},
    }
    record["protocolSection"]["designModule"]["enrollmentInfo"] = {
        "count": 120,
        "type": "ESTIMATED",
    }
    record["protocolSection"]["armsInterventionsModule"]["armGroups"] = [
        {"label": "A", "type": "EXPERIMENTAL", "description": "Drug X 10 mg daily"},
        {"label": "B", "type": "PLACEBO_COMPARATOR", "interventionNames": ["Drug: Placebo"]},
    ]
    trial = import_record(record)
    what = text(section(page(client, trial.nct_id), "what"))
    assert "Randomised? Randomised: chance" in what
    assert "Placebo? Yes: some participants get a placebo" in what
    assert "Who is masked? The participants and the researchers do not know" in what
    assert "About 120 people are expected to take part." in what
    assert "Comparison: gets a placebo (dummy treatment)" in what
    assert "Drug X 10 mg daily" in what


def test_an_observational_study_says_it_decides_no_treatment(client, real_studies):
    nct_id = next(
        s["protocolSection"]["identificationModule"]["nctId"]
        for s in real_studies
        if s["protocolSection"].get("designModule", {}).get("studyType") == "OBSERVATIONAL"
        and s["protocolSection"]["designModule"].get("designInfo", {}).get("observationalModel")
        == "COHORT"
        and "statusModule" in s["protocolSection"]
    )
    what = text(section(page(client, nct_id), "what"))
    assert "Observational: the study watches what happens" in what
    assert "A group of people is followed over time." in what


# Outcomes, dates, places, people, publications, identifiers


def test_outcomes_show_measure_description_and_time_frame(client, seeds):
    outcomes = text(section(page(client, "NCT03458156"), "outcomes"))
    assert "Main questions (primary outcomes) SLEDAI-2000 score" in outcomes
    assert "measures ≥ 50% in each of the 24 descriptors" in outcomes
    assert "When: changes of month 3, month 6, month 9 and month 12 after treatment" in outcomes
    assert "Other questions (secondary outcomes) BILAG-2004 score" in outcomes


def test_dates_keep_their_precision(client, seeds):
    dates = text(section(page(client, "NCT03458156"), "dates"))
    assert "Study start January 2017" in dates
    assert "Main results September 2019 (expected)" in dates
    assert "Study end January 2020 (expected)" in dates
    assert "1 January 2017" not in dates
    dates = text(section(page(client, "NCT03562065"), "dates"))
    assert "Study start 11 September 2019" in dates


def test_sites_are_grouped_by_country_and_city_with_their_own_status(client):
    trial = make_trial(
        locations=[
            {
                "facility": "Hôpital Nord",
                "city": "Paris",
                "country": "France",
                "status": "RECRUITING",
            },
            {"facility": "Charité", "city": "Berlin", "country": "Germany", "status": "COMPLETED"},
            {
                "facility": "Hôpital Sud",
                "city": "Paris",
                "country": "France",
                "status": "WITHDRAWN",
            },
            {
                "facility": "CHU",
                "city": "Lyon",
                "country": "France",
                "status": "NOT_YET_RECRUITING",
            },
        ]
    )
    where = section(page(client, trial.nct_id), "where")
    words = text(where)
    assert "4 sites in 2 countries, 1 recruiting now." in words
    assert (
        words.index("France") < words.index("Lyon") < words.index("Paris") < words.index("Germany")
    )
    assert "Lyon CHU Not yet recruiting" in words
    assert "Paris Hôpital Nord Recruiting Hôpital Sud Withdrawn" in words
    assert "Berlin Charité Completed" in words
    assert '<h3 class="country-name">France</h3>' in where


def test_many_sites_fold_by_country(client, edge_studies):
    big = max(
        edge_studies,
        key=lambda s: len(
            s["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
        ),
    )
    nct_id = big["protocolSection"]["identificationModule"]["nctId"]
    where = section(page(client, nct_id), "where")
    assert '<details class="country">' in where
    assert where.count('<li class="site">') == len(
        big["protocolSection"]["contactsLocationsModule"]["locations"]
    )


def test_contacts_are_real_mailto_and_tel_links(client):
    trial = make_trial(
        central_contacts=[
            {
                "name": "Ann Lee",
                "role": "CONTACT",
                "phone": "+1 (212) 555-0100",
                "phoneExt": "12",
                "email": "ann@example.org",
            },
            {"name": "No Mail", "role": "BACKUP", "phone": "n/a", "email": "not an address"},
        ],
        locations=[
            {
                "facility": "Site A",
                "city": "Lyon",
                "country": "France",
                "status": "RECRUITING",
                "contacts": [
                    {
                        "name": "Dr Roux",
                        "role": "CONTACT",
                        "email": "roux@chu.example.fr",
                        "phone": "+33 4 72 11 00 00",
                    }
                ],
            }
        ],
    )
    html = page(client, trial.nct_id)
    people = section(html, "people")
    assert '<a href="tel:+12125550100">+1 (212) 555-0100</a> ext. 12' in people
    assert '<a href="mailto:ann@example.org">ann@example.org</a>' in people
    assert "not an address" in people and 'href="mailto:not an address"' not in people
    where = section(html, "where")
    assert '<a href="mailto:roux@chu.example.fr">' in where
    assert '<a href="tel:+33472110000">' in where


def test_sponsor_collaborators_and_officials_are_named(client):
    record = study()
    sponsors = record["protocolSection"]["sponsorCollaboratorsModule"]
    sponsors["collaborators"] = [{"name": "Partner Lab", "class": "OTHER"}]
    sponsors["responsibleParty"] = {
        "type": "PRINCIPAL_INVESTIGATOR",
        "investigatorFullName": "Jane Doe",
        "investigatorAffiliation": "Big University",
    }
    record["protocolSection"]["contactsLocationsModule"]["overallOfficials"] = [
        {"name": "Prof. Smith", "affiliation": "Big University", "role": "STUDY_CHAIR"}
    ]
    trial = import_record(record)
    people = text(section(page(client, trial.nct_id), "people"))
    assert "Sponsor Test Sponsor (university, hospital or other organisation)" in people
    assert "Working with Partner Lab" in people
    assert "Principal investigator: Jane Doe, Big University" in people
    assert "Prof. Smith, study chair (Big University)" in people


def test_references_link_to_pubmed_and_doi(client):
    record = study()
    record["protocolSection"]["referencesModule"] = {
        "references": [
            {
                "pmid": "39708824",
                "type": "RESULT",
                "citation": "Farge D, et al. Lancet Rheumatol. 2025;7(4):e261-e273. "
                "doi: 10.1016/S2665-9913(24)00298-4. Epub 2024 Dec 17.",
            }
        ],
        "seeAlsoLinks": [{"label": "Study website", "url": "https://example.org/study"}],
    }
    trial = import_record(record)
    refs = section(page(client, trial.nct_id), "references")
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/39708824/"' in refs
    assert 'href="https://doi.org/10.1016/S2665-9913(24)00298-4"' in refs
    assert "Results of this study" in refs
    assert (
        '<a href="https://example.org/study" rel="nofollow noopener noreferrer">Study website</a>'
        in refs
    )


def test_identifiers_list_the_sponsor_and_secondary_numbers(client, seeds):
    ids = text(section(page(client, "NCT03458156"), "ids"))
    assert "ClinicalTrials.gov NCT03458156" in ids
    assert "Sponsor's study number DalianMU_JL_002" in ids


def test_seed_003_without_sites_says_so(client, seeds):
    where = text(section(page(client, "NCT00698191"), "where"))
    assert "The study lists no sites yet." in where


# Related trials


def test_related_trials_share_conditions_and_list_open_ones_first(client, seeds):
    related = section(page(client, "NCT05631717"), "related")
    ids = re.findall(r'href="/trials/(NCT\d+)/"', related)
    assert len(ids) == 6 and "NCT05631717" not in ids
    trials = {t.nct_id: t for t in Trial.objects.filter(nct_id__in=ids)}
    for nct_id in ids:
        about = " ".join(trials[nct_id].condition_terms) + " " + trials[nct_id].title.lower()
        assert "lupus" in about, nct_id
    statuses = [trials[n].is_open for n in ids]
    assert statuses == sorted(statuses, reverse=True) and statuses[0]
    # Those sharing a condition itself come first among the open ones.
    shared = {"systemic lupus erythematosus", "lupus nephritis"}
    assert shared & set(trials[ids[0]].condition_terms)


def test_a_trial_without_conditions_has_no_related_section(client):
    record = study()
    record["protocolSection"]["conditionsModule"] = {"conditions": []}
    trial = import_record(record)
    assert 'id="related"' not in page(client, trial.nct_id)


# Addresses: canonical, unknown, malformed


@pytest.mark.parametrize(
    "typed", ["nct05631717", "NCT%2005631717", "%20NCT05631717%20", "05631717"]
)
def test_a_lowercase_or_spaced_nct_id_redirects_to_the_canonical_url(client, seeds, typed):
    response = client.get(f"/trials/{typed}/")
    assert response.status_code == 301
    assert response["Location"] == "/trials/NCT05631717/"


def test_an_unknown_nct_id_gets_a_friendly_404_with_a_search_box(client):
    response = client.get("/trials/NCT09999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find trial NCT09999999" in html
    assert '<form class="inline-search" method="get" action="/"' in html
    assert 'name="condition"' in html and '<label for="nf-condition">' in html
    assert 'href="https://clinicaltrials.gov/study/NCT09999999"' in html


@pytest.mark.parametrize(
    "typed", ["garbage", "NCTX123", "%3Cscript%3E", "NCT" + "9" * 300, "%00", "NCT0563171%C3%A9"]
)
def test_a_malformed_id_is_a_404_never_an_error(client, typed):
    response = client.get(f"/trials/{typed}/")
    assert response.status_code == 404
    assert "We could not find this page" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_other_unknown_pages_use_the_same_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find this page" in response.content.decode()


# Cost, privacy and policy


def test_the_page_costs_the_same_queries_for_one_site_or_sixty(client):
    def queries(trial):
        with CaptureQueriesContext(connection) as captured:
            page(client, trial.nct_id)
        return len(captured)

    one = make_trial(conditions=["Rare Thing"])
    many = make_trial(
        conditions=["Rare Thing"],
        locations=[
            {
                "facility": f"Site {i}",
                "city": f"City {i % 7}",
                "country": ["France", "Spain", "Italy"][i % 3],
                "status": "RECRUITING",
                "contacts": [{"name": f"Dr {i}", "email": f"dr{i}@example.org"}],
            }
            for i in range(60)
        ],
        interventions=[{"type": "DRUG", "name": f"Drug {i}"} for i in range(10)],
    )
    assert queries(one) == queries(many) == 7  # trial, 5 child lists, related trials


def test_pages_load_nothing_from_other_hosts_and_have_no_inline_code(client, seeds):
    for url in [
        "/trials/NCT05631717/",
        "/trials/NCT03562065/",
        "/about-clinical-trials/",
        "/trials/NCT09999999/",
    ]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*>", html):
            assert not re.search(r'(?:src|href)="(?:https?:)?//', tag), tag
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert " style=" not in html and "<style" not in html and "hx-on" not in html


def test_a_closed_trial_offers_no_contact_form(client, seeds):
    html = page(client, "NCT03458156")
    assert 'id="contact-form"' not in html
    assert "This study is not looking for new participants" in html


def test_every_edge_case_record_renders(client, edge_studies):
    for s in edge_studies:
        nct_id = s["protocolSection"]["identificationModule"]["nctId"]
        if not Trial.objects.filter(nct_id=nct_id).exists():
            continue  # the records the importer rejects (no status)
        html = page(client, nct_id)
        assert "<h1" in html and nct_id in html


def test_real_criteria_with_escapes_symbols_and_nested_lists_render_as_lists(client):
    pattern = r"\\[<>^~]|≥|\n  +[*0-9]"  # escapes, ≥, indented (nested) list items
    trials = Trial.objects.filter(eligibility_criteria__regex=pattern).order_by("nct_id")[:150]
    assert len(trials) == 150
    for trial in trials:
        who = section(page(client, trial.nct_id), "who")
        if re.search(r"^\* ", trial.eligibility_criteria, re.M):
            assert "<li>" in who, trial.nct_id
        assert not re.search(r"\\(?:&gt;|&lt;|\^|~)", who), trial.nct_id
        if "≥" in trial.eligibility_criteria:
            assert "≥" in who, trial.nct_id
        if re.search(r"\n  +[*-] ", trial.eligibility_criteria):
            assert re.search(r"<li>(?:(?!</li>).)*<[ou]l", who, re.S), trial.nct_id


# The JSON twin and the FAQ


def test_the_api_returns_everything_the_page_shows(client, seeds):
    data = client.get("/api/trials/NCT03562065/").json()
    assert data["nct_id"] == "NCT03562065"
    assert data["title"].startswith("Treatment of Refractory Systemic Lupus")
    assert data["status"]["label"] == "Status not verified recently"
    assert data["phase_labels"] == ["Phase 1", "Phase 2"]
    assert data["eligibility"]["ages"] == "18 to 70 years"
    kinds = [s["kind"] for s in data["eligibility"]["criteria_sections"]]
    assert kinds == ["inclusion", "exclusion"]
    assert "&lt;30 ml / min" in data["eligibility"]["criteria_sections"][1]["html"]
    assert data["dates"]["start"] == {
        "date": "2019-09-11",
        "text": "11 September 2019",
        "estimated": False,
    }
    assert data["arms"][0]["interventions"] == ["mesenchymal stem cells"]
    assert data["locations"][0]["facility"] == "Saint-Louis Hospital"
    assert data["sponsor"]["name"] == "Assistance Publique - Hôpitaux de Paris"
    assert data["identifiers"]["org_study_id"] == "P150302"
    assert not any(q["question"] == "Randomised?" for q in data["design"])
    assert {"outcomes", "references", "contacts", "related", "collaborators"} <= set(data)


def test_the_api_answers_404_as_json_and_redirects_a_lowercase_id(client, seeds):
    response = client.get("/api/trials/NCT09999999/")
    assert response.status_code == 404 and response.json()["error"] == "not found"
    response = client.get("/api/trials/nct03562065/")
    assert response.status_code == 301 and response["Location"] == "/api/trials/NCT03562065/"


def test_the_faq_answers_the_seed_pages_questions_and_is_linked_from_every_page(client, seeds):
    faq = client.get("/about-clinical-trials/").content.decode()
    for question in [
        "What is a clinical trial?",
        "Why take part?",
        "How long does a trial last?",
        "Will I be paid?",
        "How safe are trials?",
    ]:
        assert f">{question}</h2>" in faq
    for url in ["/", "/trials/NCT05631717/", "/trials/NCT09999999/"]:
        assert 'href="/about-clinical-trials/"' in client.get(url).content.decode()


def test_phases_and_other_codes_read_in_words_and_codes_no_vocabulary_knows_are_left_out():
    assert Phase.knows("PHASE2") and not Phase.knows("PHASE9") and not Phase.knows(None)
    assert StudyType.knows("INTERVENTIONAL") and not StudyType.knows("")
    assert plain.phase_words(["PHASE1", "PHASE9", "PHASE2"]) == "Phase 1 and phase 2"
    assert plain.phase_words(["PHASE9"]) == ""
