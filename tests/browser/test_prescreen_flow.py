"""The pre-screening checklist in a real browser: from a search to a request with answers,
with and without JavaScript, its accessibility, and what a coordinator then reads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from html import unescape

import pytest
from playwright.sync_api import expect

from .conftest import BASE

pytestmark = pytest.mark.browser

SEARCH = "/?age=40&sex=FEMALE&status=RECRUITING&country=France"
ADMIN_USER, ADMIN_PASSWORD = "prescreen-root", "a-long-password-for-tests-1"


def server_env() -> dict[str, str]:
    """The environment of the test server's database (tests/browser/conftest.py)."""
    env = {**os.environ}
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/trialfinder_browser"
    else:
        env["TRIALFINDER_DB_NAME"] = "trialfinder_browser"
    return env


@pytest.fixture(scope="module")
def pregnancy_trial(live_url) -> str:
    """A recruiting trial in France whose exclusions our rules read for pregnancy."""
    with urllib.request.urlopen(live_url + "/api/trials/?status=RECRUITING&country=France") as r:
        results = json.load(r)["results"]
    for result in results:
        with urllib.request.urlopen(f"{live_url}/trials/{result['nct_id']}/") as r:
            html = r.read().decode()
        data = re.search(r'id="prescreen-data" data-checklist="([^"]*)"', html)
        items = json.loads(unescape(data.group(1)))["items"]
        if any(
            i.get("rule", {}).get("source") == "pregnancy" and i["kind"] == "exclusion"
            for i in items
        ):
            return result["nct_id"]
    pytest.fail("no recruiting trial in France with a pregnancy exclusion")


def open_checklist(page):
    page.click("#prescreen summary")
    expect(page.locator("#prescreen-form")).to_be_visible()


def choose(page, name: str, value: str):
    page.click(
        f"label[for={page.locator(f'input[name={name}][value={value}]').get_attribute('id')}]"
    )


def fill_contact_form(page, email: str) -> None:
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_email", email)
    page.fill("#id_phone", "+33 1 23 45 67 89")
    page.check("#id_consent")


def test_from_a_search_to_a_request_with_answers_that_the_coordinator_reads(visit, pregnancy_trial):
    page = visit.page
    visit.goto(SEARCH)
    link = page.locator(".card-title a").first
    assert link.get_attribute("href").endswith("?age=40&sex=FEMALE")
    visit.goto(f"/trials/{pregnancy_trial}/?age=40&sex=FEMALE")
    open_checklist(page)
    expect(page.locator("#id_age")).to_have_value("40")
    if page.locator("#criterion-age").count():
        expect(page.locator("#answer-age-yes")).to_be_checked()
        expect(page.locator("#criterion-age [data-prefilled]")).to_contain_text(
            "Answered from your age"
        )
    # The profile answers what it decides, live, and says so.
    choose(page, "pregnancy", "pregnant")
    expect(page.locator("#prescreen-result h4")).to_have_text("Probably not a fit")
    expect(page.locator("#prescreen-result [data-verdict-against]")).to_contain_text("answered Yes")
    choose(page, "pregnancy", "no")
    expect(page.locator("#prescreen-result h4")).not_to_have_text("Probably not a fit")
    first = page.locator(".checklist-inclusion ~ ol .criterion").first
    key = first.get_attribute("data-key")
    choose(page, f"answer_{key}", "unsure")
    expect(page.locator("#prescreen-result h4")).to_have_text("Worth asking the team")
    criterion = first.locator("legend").inner_text()
    # Sent only when ticked, showing exactly what goes.
    send_box = page.locator("#field-send_answers")
    expect(send_box).to_be_visible()
    assert not page.locator("#id_send_answers").is_checked()
    assert page.input_value("#id_prescreen") == ""
    page.check("#id_send_answers")
    expect(send_box.locator("[data-preview]")).to_contain_text("Worth asking the team")
    expect(send_box.locator("[data-preview]")).to_contain_text(criterion[:40])
    assert json.loads(page.input_value("#id_prescreen"))["answers"][key] == "unsure"
    visit.screenshot("prescreen-send-1280")
    fill_contact_form(page, "ada.prescreen@example.org")
    page.click("button:has-text('Send my details to the study team')")
    expect(page.locator("h1")).to_have_text("Your request is on its way")
    # The profile is asked once: another trial's checklist has it already.
    visit.goto("/trials/NCT05631717/")
    open_checklist(page)
    expect(page.locator("input[name=pregnancy][value=no]")).to_be_checked()
    visit.assert_only_our_host()
    # The coordinator reads the verdict and the criterion the patient was not sure of.
    create_admin = (
        "from django.contrib.auth.models import User\n"
        f"if not User.objects.filter(username={ADMIN_USER!r}).exists():\n"
        f"    User.objects.create_superuser({ADMIN_USER!r}, 'root@example.org', {ADMIN_PASSWORD!r})\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", create_admin],
        cwd=BASE,
        env=server_env(),
        check=True,
        capture_output=True,
    )
    visit.goto("/admin/login/")
    page.fill("#id_username", ADMIN_USER)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    visit.goto("/admin/trials/contactrequest/?q=ada.prescreen%40example.org")
    page.locator("#result_list tbody th a").first.click()
    answers = page.locator(".prescreen-answers")
    expect(answers).to_contain_text("Worth asking the team")
    expect(answers).to_contain_text(criterion[:40])


def test_the_checklist_works_without_javascript_and_keeps_nothing(
    visit_without_js, pregnancy_trial
):
    page = visit_without_js.page
    visit_without_js.goto(f"/trials/{pregnancy_trial}/?age=40")
    page.click("#prescreen summary")
    page.check("input[name=pregnancy][value=pregnant]")
    page.click("button:has-text('See the result')")
    expect(page.locator("#prescreen-result h4")).to_have_text("Probably not a fit")
    expect(page.locator("input[name=pregnancy][value=pregnant]")).to_be_checked()
    expect(page.locator("#field-send_answers")).to_be_visible()
    expect(page.locator("#field-send_answers [data-preview]")).to_contain_text("Probably not a fit")
    page.check("#id_send_answers")
    fill_contact_form(page, "grace.prescreen@example.org")
    page.click("button:has-text('Send my details to the study team')")
    expect(page.locator("h1")).to_have_text("Your request is on its way")
    visit_without_js.assert_only_our_host()


def test_the_checklist_has_no_accessibility_violations_with_a_verdict_or_with_errors(
    visit, pregnancy_trial
):
    page = visit.page
    visit.goto(f"/trials/{pregnancy_trial}/?age=40&sex=FEMALE")
    open_checklist(page)
    choose(page, "pregnancy", "breastfeeding")
    choose(page, "hiv", "no")
    expect(page.locator("#prescreen-result h4")).not_to_have_text("Your result")
    assert visit.axe_violations() == []
    # Posted as the plain form is, with values the page refuses.
    page.fill("#id_age", "300")
    page.fill("#id_bmi", "heavy")
    page.evaluate("document.getElementById('prescreen-form').submit()")
    expect(page.locator("#prescreen-errors-title")).to_be_visible()
    expect(page.locator("#prescreen")).to_contain_text("Enter an age from 0 to 120.")
    assert visit.axe_violations() == []


def test_the_checklist_on_a_phone(visit_phone, pregnancy_trial):
    page = visit_phone.page
    visit_phone.goto(f"/trials/{pregnancy_trial}/?age=40&sex=FEMALE")
    open_checklist(page)
    choose(page, "pregnancy", "pregnant")
    expect(page.locator("#prescreen-result h4")).to_have_text("Probably not a fit")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert visit_phone.axe_violations() == []
    visit_phone.screenshot("prescreen-375")
