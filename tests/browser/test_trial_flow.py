"""From a trial page to a request in the study team's inbox, in a real browser."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def recruiting_trial(live_url) -> dict:
    """A recruiting trial with several sites, found through the API like any client would."""
    with urllib.request.urlopen(
        live_url + "/api/trials/?status=RECRUITING&country=France"
    ) as response:
        results = json.load(response)["results"]
    for result in results:
        with urllib.request.urlopen(result["api_url"]) as response:
            trial = json.load(response)
        sites = [s for s in trial.get("sites", trial.get("locations", [])) if s]
        if len(sites) >= 2:
            return trial
    return results[0]


def fill_contact_form(page, email: str) -> None:
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_email", email)
    page.fill("#id_phone", "+33 1 23 45 67 89")
    page.locator("#id_phone").blur()
    # Each field left is checked by the server and its block swapped in: tick consent once
    # no check is in flight, so that no swap lands between the click and its reading.
    expect(page.locator(".htmx-request")).to_have_count(0)
    page.check("#id_consent")


def test_a_mistake_gets_an_inline_error_then_the_confirmation_names_the_site(
    visit, recruiting_trial
):
    page = visit.page
    visit.goto(f"/trials/{recruiting_trial['nct_id']}/")
    fill_contact_form(page, "ada@invalid")
    page.locator("#id_email").blur()
    expect(page.locator("#id_email_error")).to_be_visible()
    expect(page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    page.fill("#id_email", "ada@example.org")
    page.locator("#id_email").blur()
    expect(page.locator("#id_email_error")).to_have_count(0)
    site = (
        page.locator("#id_site option:checked").inner_text()
        if page.locator("#id_site").count()
        else ""
    )
    page.click("button:has-text('Send my details to the study team')")
    expect(page.locator("h1")).to_have_text("Your request is on its way")
    body = page.locator("main").inner_text()
    assert "{{" not in body and "SITE_NAME" not in body
    assert "Who receives your details" in body
    if site:  # the confirmation names the site the patient chose
        assert site.split(",")[0] in body
    assert visit.axe_violations() == []
    visit.screenshot("confirmation-1280")
    visit.assert_only_our_host()


def test_the_contact_flow_works_without_javascript(visit_without_js, recruiting_trial):
    page = visit_without_js.page
    visit_without_js.goto(f"/trials/{recruiting_trial['nct_id']}/")
    fill_contact_form(page, "not an address")
    page.click("button:has-text('Send my details to the study team')")
    expect(page.locator("#id_email_error")).to_be_visible()
    expect(page.locator("#error-summary-title")).to_be_visible()
    assert page.input_value("#id_first_name") == "Ada"  # nothing the patient typed is lost
    page.fill("#id_email", "grace@example.org")
    page.check("#id_consent")
    page.click("button:has-text('Send my details to the study team')")
    expect(page.locator("h1")).to_have_text("Your request is on its way")
    visit_without_js.assert_only_our_host()


def test_trial_pages_have_no_accessibility_violations(visit, recruiting_trial):
    page = visit.page
    for path in [
        f"/trials/{recruiting_trial['nct_id']}/",
        "/trials/NCT05631717/",
        "/about-clinical-trials/",
        "/trials/NCT99999999/",
    ]:
        visit.goto(path)
        assert visit.axe_violations() == [], path
    visit.goto(f"/trials/{recruiting_trial['nct_id']}/")
    page.click("button:has-text('Send my details to the study team')")
    expect(page.locator("#error-summary-title")).to_be_visible()
    assert visit.axe_violations() == []


def test_the_contact_form_can_be_filled_with_the_keyboard(visit, recruiting_trial):
    page = visit.page
    visit.goto(f"/trials/{recruiting_trial['nct_id']}/")
    page.locator("#id_first_name").focus()
    page.keyboard.type("Ada")
    for selector, text in [
        ("#id_last_name", "Lovelace"),
        ("#id_email", "ada@example.org"),
        ("#id_phone", "0123456789"),
    ]:
        while not page.evaluate(f"document.activeElement === document.querySelector('{selector}')"):
            page.keyboard.press("Tab")
        page.keyboard.type(text)
    while not page.evaluate("document.activeElement === document.querySelector('#id_consent')"):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    while not page.evaluate("document.activeElement.type === 'submit'"):
        page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your request is on its way")


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_the_trial_page_and_confirmation(browser, live_url, recruiting_trial, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_url}/trials/{recruiting_trial['nct_id']}/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"trial-{width}.png"), full_page=True)
    fill_contact_form(page, f"shot{width}@example.org")
    page.click("button:has-text('Send my details to the study team')")
    expect(page.locator("h1")).to_have_text("Your request is on its way")
    page.screenshot(path=str(ARTIFACTS / f"confirmation-{width}.png"), full_page=True)
    context.close()
