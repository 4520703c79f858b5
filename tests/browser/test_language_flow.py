"""A patient reading the site in Spanish, French or Chinese in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import Visit

pytestmark = pytest.mark.browser

TRIAL = "/trials/NCT05631717/"


@pytest.fixture
def visit_in(browser, live_url):
    """A browser whose language (Accept-Language) is the one given."""
    contexts = []

    def open_in(locale: str) -> Visit:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale=locale, bypass_csp=True
        )
        contexts.append(context)
        return Visit(context, live_url)

    yield open_in
    for context in contexts:
        context.close()


def test_switching_language_keeps_the_filters_chosen_without_a_reload(visit):
    page = visit.page
    visit.goto("/?condition=lupus&status=ALL")
    page.locator(".facet-phase label", has_text="Phase 2").first.click()
    expect(page).to_have_url(re.compile(r"phase=PHASE2"))
    page.select_option("#language-choice", "es")
    page.click("button:has-text('Change language')")
    expect(page).to_have_url(re.compile(r"/es/\?.*condition=lupus"))
    expect(page).to_have_url(re.compile(r"phase=PHASE2"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Buscar un ensayo clínico")
    expect(page.locator("#id_condition")).to_have_value("lupus")
    assert page.locator(".facet-phase input[value=PHASE2]").is_checked()
    visit.assert_only_our_host()


def test_the_language_switcher_works_without_javascript(visit_without_js):
    page = visit_without_js.page
    visit_without_js.goto("/?condition=lupus&phase=PHASE3&status=ALL")
    page.select_option("#language-choice", "fr")
    page.click("button:has-text('Change language')")
    expect(page).to_have_url(re.compile(r"/fr/\?condition=lupus&phase=PHASE3&status=ALL$"))
    expect(page.locator("h1")).to_have_text("Trouver un essai clinique")
    # Chosen once, the language holds for the site's other addresses too.
    visit_without_js.goto("/about-clinical-trials/")
    expect(page).to_have_url(re.compile(r"/fr/about-clinical-trials/$"))


def test_a_shared_french_link_opens_in_french_whatever_the_browsers_language(visit_in):
    visit = visit_in("zh-CN")
    visit.goto("/fr" + TRIAL)
    page = visit.page
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#who-heading")).to_have_text("Qui peut participer")
    expect(page.locator(".english-note")).to_contain_text("sont en anglais")


def test_a_first_visit_follows_the_browsers_language(visit_in):
    visit = visit_in("es-ES")
    visit.goto("/?condition=lupus")
    expect(visit.page).to_have_url(re.compile(r"/es/\?condition=lupus$"))
    expect(visit.page.locator("html")).to_have_attribute("lang", "es")


@pytest.mark.parametrize("language", ["es", "fr", "zh-hans"])
def test_pages_in_each_language_have_no_accessibility_violations(visit, visit_phone, language):
    for url in [
        "/?condition=lupus&status=ALL",
        TRIAL,
        "/about-clinical-trials/",
        "/glossary/",
        "/alerts/new/?condition=lupus",
    ]:
        visit.goto(f"/{language}{url}")
        assert visit.axe_violations() == [], url
    visit_phone.goto(f"/{language}{TRIAL}")
    assert visit_phone.axe_violations() == []
    visit.screenshot(f"language-{language}")
