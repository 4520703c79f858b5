"""A patient searching in a real browser, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def result_count(page) -> str:
    return page.locator(".results-head h2").inner_text()


def test_filtering_updates_results_and_counts_without_a_reload_and_back_restores(visit):
    page = visit.page
    visit.goto("/?status=ALL")
    page.evaluate("window.__same_document = true")
    before = result_count(page)
    phase3 = page.locator(".facet-phase label", has_text="Phase 3")
    phase3_count = phase3.locator(".count").inner_text()
    phase3.click()
    expect(page).to_have_url(re.compile(r"phase=PHASE3"))
    expect(page.locator(".results-head h2")).to_have_text(re.compile(rf"^{phase3_count} trials"))
    assert page.evaluate("window.__same_document") is True  # no page load happened
    # The status facet now counts phase 3 trials only (disjunctive rule).
    assert result_count(page) != before
    expect(page.locator("#result-count")).to_have_text(re.compile(rf"{phase3_count} trials"))
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"phase=PHASE3"))
    expect(page.locator(".results-head h2")).to_have_text(before)
    visit.assert_only_our_host()


def test_a_misspelt_condition_gets_corrected(visit):
    page = visit.page
    visit.goto("/")
    page.fill("#id_condition", "lupus nefritis")
    expect(page.locator(".correction")).to_contain_text("Showing results for Lupus Nephritis")
    expect(page).to_have_url(re.compile(r"condition=lupus(\+|%20)nefritis"))
    assert page.locator(".card").count() > 0
    visit.assert_only_our_host()


def test_the_condition_box_offers_suggestions(visit):
    page = visit.page
    visit.goto("/")
    page.type("#id_condition", "lupus", delay=30)
    expect(page.locator("#condition-options option").first).to_have_attribute(
        "value", re.compile("Lupus", re.I)
    )


def test_search_works_without_javascript(visit_without_js):
    page = visit_without_js.page
    visit_without_js.goto("/")
    page.fill("#id_condition", "lupus")
    page.click("button:has-text('Search')")
    expect(page).to_have_url(re.compile(r"condition=lupus"))
    assert page.locator(".card").count() > 0
    page.locator(".facet-phase label", has_text="Phase 3").click()
    page.click("button:has-text('Update results')")
    expect(page).to_have_url(re.compile(r"phase=PHASE3"))
    visit_without_js.assert_only_our_host()


def test_search_pages_have_no_accessibility_violations(visit):
    visit.goto("/")
    assert visit.axe_violations() == []
    visit.goto("/?condition=lupus&phase=PHASE3&status=ALL")
    assert visit.axe_violations() == []
    visit.goto("/?condition=nothingmatchesthiszzz")
    assert visit.axe_violations() == []


def test_the_search_can_be_used_with_the_keyboard_alone(visit):
    page = visit.page
    visit.goto("/")
    page.keyboard.press("Tab")  # skip link
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    page.locator("#id_condition").focus()
    page.keyboard.type("lupus")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"condition=lupus"))
    checkbox = page.locator(".facet-phase input").first
    checkbox.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"phase="))
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_search(browser, live_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_url + "/?condition=lupus&status=ALL")
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"search-{width}.png"), full_page=True)
    context.close()
