"""My trials on the server: the page, the Save toggles on cards and trial pages, and the
endpoint that tells the page what saved trials are now.

The list and the notes themselves live in the browser: tests/browser/test_my_trials_flow.py.
"""

from __future__ import annotations

import json
import re

import pytest

from trials.models import Trial

from .factories import make_trial

pytestmark = pytest.mark.django_db

FACTS = "/api/my-trials/"


def facts(client, *ids: str):
    query = "&".join(f"nct={i}" for i in ids)
    return client.get(f"{FACTS}?{query}")


def test_the_page_says_where_the_list_is_kept_and_how_to_print_without_javascript(client):
    response = client.get("/my-trials/")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "stay in this browser, on this device: we never receive them unless you share them" in html
    )
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, re.S).group(1)
    assert "need JavaScript" in noscript and "print it" in noscript
    # What needs JavaScript is hidden until the script shows it.
    assert re.search(r'class="my-trials-app" data-my-trials-app hidden', html)
    assert "js/mytrials/my-trials.js" in html


def test_the_facts_of_saved_trials_are_their_status_phase_and_places_now(client):
    make_trial(
        nct_id="NCT80000101",
        title="Saved trial",
        status="ACTIVE_NOT_RECRUITING",
        phases=["PHASE2", "PHASE3"],
        locations=[
            {"facility": "A", "city": "Lyon", "country": "France", "status": "RECRUITING"},
            {"facility": "B", "city": "Porto", "country": "Portugal"},
        ],
    )
    response = facts(client, "NCT80000101")
    assert response.status_code == 200
    [trial] = response.json()["trials"]
    assert trial["nct_id"] == "NCT80000101"
    assert trial["title"] == "Saved trial"
    assert trial["status"] == {
        "code": "ACTIVE_NOT_RECRUITING",
        "label": "Active, not recruiting",
        "explanation": "The study is running but no longer taking new participants.",
        "open": False,
    }
    assert trial["phase_words"] == "Phase 2 and phase 3"
    assert sorted(trial["cities"]) == ["Lyon", "Porto"]
    assert sorted(trial["countries"]) == ["France", "Portugal"]
    assert (trial["site_count"], trial["recruiting_site_count"]) == (2, 1)
    assert "distance" not in json.dumps(trial)


def test_trials_that_no_longer_exist_are_named_as_missing(client):
    make_trial(nct_id="NCT80000102")
    response = facts(client, "NCT80000102", "NCT80000199", "nct 80000102", "not-an-id")
    data = response.json()
    assert [t["nct_id"] for t in data["trials"]] == ["NCT80000102"]
    assert data["missing"] == ["NCT80000199", "NOT-AN-ID"]


def test_a_trial_deleted_after_it_was_saved_is_missing(client):
    make_trial(nct_id="NCT80000103")
    assert facts(client, "NCT80000103").json()["missing"] == []
    Trial.objects.filter(nct_id="NCT80000103").delete()
    assert facts(client, "NCT80000103").json()["missing"] == ["NCT80000103"]


def test_the_facts_are_one_query_and_never_cached(client, django_assert_num_queries):
    make_trial(nct_id="NCT80000104")
    make_trial(nct_id="NCT80000105")
    with django_assert_num_queries(1):
        response = facts(client, "NCT80000104", "NCT80000105", "NCT80000106")
    assert len(response.json()["trials"]) == 2
    assert response["Cache-Control"] == "no-store"


def test_asking_for_no_trial_or_too_many_gets_a_clear_400(client):
    empty = client.get(FACTS)
    assert empty.status_code == 400
    assert empty.json()["parameters"]["nct"] == ["Give at least one NCT ID."]
    many = facts(client, *(f"NCT{n:08d}" for n in range(101)))
    assert many.status_code == 400
    assert many.json()["parameters"]["nct"] == ["Ask for at most 100 trials at a time."]
    assert many["Cache-Control"] == "no-store"


def test_every_result_card_and_the_trial_page_carry_a_save_toggle_shown_by_the_script(client):
    search = client.get("/?condition=lupus").content.decode()
    cards = re.findall(r'<li class="card">.*?</li>', search, re.S)
    assert cards
    for card in cards:
        toggle = re.search(r"<button[^>]*data-save-nct=\"(NCT\d+)\"[^>]*>", card)
        assert toggle, card
        assert " hidden" in toggle.group(0) and 'aria-pressed="false"' in toggle.group(0)
    trial = Trial.objects.filter(overall_status="RECRUITING").first()
    page = client.get(f"/trials/{trial.nct_id}/").content.decode()
    toggle = re.search(r'<button[^>]*data-save-nct="' + trial.nct_id + r'"[^>]*>', page)
    assert 'data-save-status="RECRUITING"' in toggle.group(0)
    assert 'data-save-open="true"' in toggle.group(0)


def test_the_trial_page_says_how_to_print_without_javascript_and_prints_its_address(client):
    trial = Trial.objects.first()
    html = client.get(f"/trials/{trial.nct_id}/").content.decode()
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, re.S).group(1)
    assert "print this page" in noscript
    assert f"Printed from http://testserver/trials/{trial.nct_id}/ on" in html
    assert 'id="my-notes"' in html and "js/mytrials/notes.js" in html


def test_my_trials_is_in_the_header_once_the_script_shows_it(client):
    html = client.get("/about-clinical-trials/").content.decode()
    link = re.search(r"<a [^>]*data-my-trials-link[^>]*>", html).group(0)
    assert 'href="/my-trials/"' in link and " hidden" in link


def test_the_scripts_sentences_come_translated_as_data_not_as_a_script(client):
    html = client.get("/my-trials/").content.decode()
    block = re.search(
        r'<script id="my-trials-strings" type="application/json">(.*?)</script>', html, re.S
    )
    strings = json.loads(block.group(1))
    assert strings["closed_since_saved"] == "Closed since you saved it."
    assert strings["passage_gone"].startswith("This passage is no longer in the record")
    assert strings["saved_these_one"] == "%(count)s trial saved to My trials."
    # The only executable scripts are files of ours.
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="application/json"' in tag or re.search(r'src="/static/[^"]+\.js"', tag)
