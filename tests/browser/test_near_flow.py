"""Searching near a place in a real browser: the "Near" box, ambiguity, "Use my location"
with the permission granted and denied, the trial page's sites by distance."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import Visit

pytestmark = pytest.mark.browser

BOSTON = {"latitude": 42.3601, "longitude": -71.0589}


@pytest.fixture
def located_visit(browser, live_url):
    """A browser whose geolocation says Boston, with the permission granted."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
        geolocation=BOSTON,
        permissions=["geolocation"],
    )
    yield Visit(context, live_url)
    context.close()


@pytest.fixture
def refusing_visit(browser, live_url):
    """A browser where the patient refuses to share the location."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True)
    context.clear_permissions()
    yield Visit(context, live_url)
    context.close()


def test_use_my_location_searches_near_the_point_the_browser_gives(located_visit):
    visit = located_visit
    page = visit.page
    visit.goto("/?status=ALL")
    page.click("#use-my-location")
    expect(page).to_have_url(re.compile(r"lat=42\.36&lon=-71\.06"))
    expect(page.locator(".notice.place")).to_contain_text("your location")
    expect(page.locator(".card .nearest").first).to_contain_text("Nearest site:")
    expect(page.locator(".facet-distance")).to_contain_text("Within 50 miles")
    assert page.locator("#id_near").input_value() == ""
    visit.screenshot("near-my-location-1280")
    assert visit.axe_violations() == []
    visit.assert_only_our_host()


def test_a_refused_location_says_so_and_the_box_still_works(refusing_visit):
    visit = refusing_visit
    page = visit.page
    visit.goto("/")
    page.click("#use-my-location")
    expect(page.locator("#locate-status")).to_contain_text("did not share your location")
    assert "lat=" not in page.url
    # A place is looked up when it is complete (Enter, or leaving the box), not while
    # it is typed.
    page.fill("#id_near", "Paris")
    page.press("#id_near", "Enter")
    expect(page.locator(".notice.place")).to_contain_text("Paris")
    expect(page.locator(".notice.place")).to_contain_text("France")
    visit.screenshot("near-refused-375")
    assert visit.axe_violations() == []
    visit.assert_only_our_host()


def test_an_ambiguous_place_offers_the_others_and_the_choice_goes_into_the_link(visit):
    page = visit.page
    visit.goto("/?status=ALL")
    page.fill("#id_near", "Springfield")
    page.press("#id_near", "Enter")
    expect(page.locator(".notice.place")).to_contain_text("Did you mean")
    page.locator(".notice.place a", has_text="Illinois").click()
    expect(page).to_have_url(re.compile(r"near=Springfield%2C\+Illinois"))
    expect(page).to_have_url(re.compile(r"lat=39\.\d\d&lon=-89\.\d\d"))
    expect(page.locator(".notice.place strong")).to_have_text(re.compile("Springfield, Illinois"))
    visit.screenshot("near-ambiguous-1280")
    assert visit.axe_violations() == []


def test_the_trial_page_keeps_the_place_and_sorts_the_sites_by_distance(visit):
    page = visit.page
    visit.goto("/?near=Boston%2C+MA&radius=500&sort=nearest&status=ALL")
    page.locator(".card-title a").first.click()
    expect(page).to_have_url(re.compile(r"/trials/NCT\d+/\?near=Boston"))
    expect(page.locator("#where")).to_contain_text("nearest first")
    distances = page.locator(".sites.by-distance .distance").all_inner_texts()
    assert distances and distances[0] in ("less than 1 mile",) or distances[0].endswith("miles")
    visit.screenshot("near-trial-page-1280")
    assert visit.axe_violations() == []


def test_an_unknown_place_gets_a_notice_without_javascript(visit_without_js):
    page = visit_without_js.page
    visit_without_js.goto("/")
    page.fill("#id_near", "Xyzzy")
    page.click("button:has-text('Search')")
    expect(page.locator(".notice").first).to_contain_text("We could not find “Xyzzy”")
    assert page.locator("#use-my-location").is_hidden()


def test_the_notices_of_bad_place_input_pass_axe(visit):
    visit.goto("/?near=Xyzzy&radius=33")
    expect(visit.page.locator(".notice").first).to_be_visible()
    assert "We could not find" in visit.page.locator(".results").inner_text()
    assert visit.axe_violations() == []


def test_my_trials_gives_each_saved_trial_its_nearest_site_from_the_browsers_location(
    located_visit,
):
    visit = located_visit
    page = visit.page
    visit.goto("/?near=Boston%2C+MA")
    card = page.locator("li.card").first
    in_search = card.locator(".nearest").inner_text()  # "Nearest site: X, City · N miles…"
    card.locator("[data-save-nct]").click()
    expect(card.locator("[data-save-nct]")).to_have_attribute("aria-pressed", "true")

    visit.goto("/my-trials/")
    saved = page.locator(".my-trial").first
    expect(saved.locator(".card-title")).to_be_visible()
    expect(saved).not_to_contain_text("Nearest site")
    page.click("#use-my-location")
    expect(page).to_have_url(re.compile(r"/my-trials/\?.*lat=42\.36&lon=-71\.06"))
    expect(page.locator(".notice.place")).to_contain_text("your location")
    nearest = saved.locator("dt", has_text="Nearest site").locator("xpath=following-sibling::dd")
    expect(nearest).to_have_text(re.compile(r"· (\d[\d,]*|less than 1) miles?$"))
    # The same site and distance as the search's card from the same point.
    assert in_search.startswith(f"Nearest site: {nearest.inner_text()}")
    visit.screenshot("my-trials-nearest-1280")
    assert visit.axe_violations() == []

    # A town typed instead; the trial page then lists the sites nearest first.
    page.fill("#id_near", "Nanjing")
    page.press("#id_near", "Enter")
    expect(page.locator(".notice.place")).to_contain_text("Nanjing")
    expect(nearest).to_have_text(re.compile(r"· (\d[\d,]*|less than 1) km$"))
    page.set_viewport_size({"width": 375, "height": 800})
    visit.screenshot("my-trials-nearest-375")
    assert visit.axe_violations() == []
    page.locator(".my-trial .card-title a").first.click()
    expect(page).to_have_url(re.compile(r"near=Nanjing.*lat=32\.06"))
    expect(page.locator("#where")).to_contain_text("nearest first")
    visit.assert_only_our_host()
