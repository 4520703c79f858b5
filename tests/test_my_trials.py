"""My trials on the server: the page, the Save toggles on cards and trial pages, and the
endpoint that tells the page what saved trials are now.

The list and the notes themselves live in the browser: tests/browser/test_my_trials_flow.py.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from trials.models import Trial

from .factories import make_trial, site

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
    block = re.search(r'<meta name="my-trials-strings" content="([^"]*)">', html)
    strings = json.loads(unescape(block.group(1)))
    assert strings["closed_since_saved"] == "Closed since you saved it."
    assert strings["passage_gone"].startswith("This passage is no longer in the record")
    assert strings["saved_these_one"] == "%(count)s trial saved to My trials."
    # The only scripts are files of ours.
    for tag in re.findall(r"<script[^>]*>", html):
        assert re.search(r'src="/static/[^"]+\.js"', tag)


# The nearest site, given a place


def _trial_in_france(nct_id: str, status: str = "RECRUITING") -> Trial:
    return make_trial(
        nct_id=nct_id,
        status=status,
        locations=[
            site("Open Far Clinic", "Marseille", 43.30, 5.37),
            site("Closed Near Clinic", "Lyon", 45.76, 4.84, status="COMPLETED"),
            {"facility": "Clinic Without A Point", "city": "Paris", "country": "France"},
        ],
    )


def test_with_a_place_each_trial_has_its_nearest_site_open_to_enrollment(client):
    _trial_in_france("NCT80000301")
    response = client.get(FACTS, {"nct": "NCT80000301", "lat": "45.76", "lon": "4.84"})
    [trial] = response.json()["trials"]
    # Lyon's site is closed: the open one in Marseille, 277 km away, is the nearest that counts.
    assert trial["nearest_site"] == {
        "facility": "Open Far Clinic",
        "city": "Marseille",
        "distance": "277 km",
    }


def test_a_closed_trials_nearest_site_is_its_nearest_of_all_in_the_places_unit(client):
    _trial_in_france("NCT80000302", status="COMPLETED")
    query = {"nct": "NCT80000302", "near": "Lyon", "lat": "45.76", "lon": "4.84", "unit": "mi"}
    [trial] = client.get(FACTS, query).json()["trials"]
    assert trial["nearest_site"] == {
        "facility": "Closed Near Clinic",
        "city": "Lyon",
        "distance": "less than 1 mile",
    }


def test_a_trial_without_a_site_position_says_so_and_without_a_place_no_distance_is_given(client):
    make_trial(nct_id="NCT80000303", locations=[{"facility": "X", "city": "Oslo"}])
    [near] = client.get(FACTS, {"nct": "NCT80000303", "near": "Nanjing"}).json()["trials"]
    assert near["nearest_site"] is None
    [plain] = facts(client, "NCT80000303").json()["trials"]
    assert "nearest_site" not in plain


@pytest.mark.parametrize(
    ("query", "field"),
    [({"lat": "45"}, "near"), ({"near": "Xyzzy"}, "near"), ({"lat": "95", "lon": "0"}, "lat")],
)
def test_a_place_the_facts_cannot_use_gets_a_clear_400(client, query, field):
    response = client.get(FACTS, {"nct": "NCT80000304", **query})
    assert response.status_code == 400
    assert field in response.json()["parameters"]


def test_the_page_with_a_place_hands_its_point_to_the_script_and_links_other_places(client):
    html = client.get("/my-trials/", {"near": "Springfield"}).content.decode()
    assert "Each trial shows its site nearest to <strong>Springfield, Missouri" in html
    place = unescape(re.search(r'data-place="([^"]*)"', html).group(1))
    assert "lat=37.22&lon=-93.30&unit=mi" in place
    assert "Did you mean:" in html
    assert '<a href="?near=Springfield%2C+Illinois%2C+United+States&amp;lat=39.80' in html
    assert 'href="/my-trials/">Hide the distances</a>' in html


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"near": "Xyzzy"}, "We could not find “Xyzzy”. Try a postcode or a nearby city."),
        ({"lat": "45"}, "Give both a latitude (lat) and a longitude (lon)."),
        ({"lat": "abc", "lon": "1"}, "That place could not be read. Type a town or a postcode."),
    ],
)
def test_a_place_the_page_cannot_use_gets_a_notice_and_no_distances(client, query, notice):
    response = client.get("/my-trials/", query)
    html = response.content.decode()
    assert response.status_code == 200
    assert notice in html
    assert 'data-place=""' in html


def test_the_page_without_a_place_offers_the_near_box_and_no_distances(client):
    html = client.get("/my-trials/").content.decode()
    assert 'data-place=""' in html
    assert '<label for="id_near">Distances from</label>' in html
    assert "nearest to" not in html
