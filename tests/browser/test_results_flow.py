"""A trial page with posted results and glossary terms, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RESULTS_TRIAL = "NCT01698684"  # a real record with posted results, three groups


def test_a_results_page_with_an_open_definition_has_no_accessibility_violations(visit):
    page = visit.page
    visit.goto(f"/trials/{RESULTS_TRIAL}/")
    expect(page.locator("#results-heading")).to_have_text("What the study found")
    expect(page.locator("#results svg[role=img]").first).to_be_visible()
    term = page.locator("a.term").first
    term.click()
    bubble = page.locator(".term-bubble:not([hidden])")
    expect(bubble).to_be_visible()
    expect(term).to_have_attribute("aria-expanded", "true")
    assert term.get_attribute("data-term") in bubble.inner_text()
    assert visit.axe_violations() == []
    visit.screenshot("results-open-definition-1280")
    visit.assert_only_our_host()


def test_a_definition_opens_from_the_keyboard_and_escape_closes_it(visit):
    page = visit.page
    visit.goto(f"/trials/{RESULTS_TRIAL}/")
    term = page.locator("a.term").first
    term.focus()
    page.keyboard.press("Enter")
    bubble = page.locator(".term-bubble:not([hidden])")
    expect(bubble).to_be_visible()
    assert page.url.endswith(f"/trials/{RESULTS_TRIAL}/")  # it opened in place
    page.keyboard.press("Escape")
    expect(bubble).to_have_count(0)
    expect(term).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.activeElement.classList.contains('term')")
    page.keyboard.press("Space")
    expect(page.locator(".term-bubble:not([hidden])")).to_be_visible()
    page.mouse.click(5, 5)  # a click elsewhere closes it
    expect(page.locator(".term-bubble:not([hidden])")).to_have_count(0)


def test_without_javascript_a_term_is_a_link_to_the_glossary(visit_without_js):
    page = visit_without_js.page
    visit_without_js.goto(f"/trials/{RESULTS_TRIAL}/")
    term = page.locator("a.term").first
    slug = term.get_attribute("href").split("#")[1]
    term.click()
    expect(page.locator("h1")).to_have_text("Glossary")
    assert page.url.endswith(f"/glossary/#{slug}")
    expect(page.locator(f"#{slug} dfn")).to_be_visible()


def test_the_glossary_and_a_results_page_on_a_phone(visit_phone):
    visit_phone.goto("/glossary/")
    assert visit_phone.axe_violations() == []
    visit_phone.screenshot("glossary-375")
    visit_phone.goto(f"/trials/{RESULTS_TRIAL}/")
    page = visit_phone.page
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # wide tables scroll inside their own box, not the page
    assert visit_phone.axe_violations() == []
    visit_phone.screenshot("results-375")
