"""From a search to confirmed e-mail alerts, managed and left, in a real browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, BASE

pytestmark = pytest.mark.browser

SITE_URL = "http://127.0.0.1:8000"  # TRIALFINDER_SITE_URL of the test server: links in e-mails


def send_queued_mail() -> str:
    """Run the task queue of the test server's database once, as `db_worker` does, and
    return what the console mail backend printed: the e-mails."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/trialfinder_browser"
    else:
        env["TRIALFINDER_DB_NAME"] = "trialfinder_browser"
    done = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def link_in_mail(printed: str, to: str, path: str) -> str:
    """The link to `path` in the last e-mail to `to`."""
    message = printed[printed.rindex(f"To: {to}") :]
    return re.search(rf"{re.escape(SITE_URL)}({re.escape(path)}\S+)", message).group(1)


def sign_up(visit, email: str, frequency: str = "Weekly") -> None:
    page = visit.page
    visit.goto("/?condition=lupus")
    form = page.locator("#stay-informed")
    expect(form).to_contain_text("new trials for lupus, open to enrollment")
    form.locator("#id_email").fill(email)
    form.get_by_label(frequency).check()
    form.get_by_role("button", name="E-mail me new trials").click()
    expect(page.locator("h1")).to_have_text("Check your inbox")


def test_from_a_search_to_confirmed_alerts_then_managed_and_left(visit):
    page = visit.page
    sign_up(visit, "ada.alerts@example.org", "Daily")
    assert visit.axe_violations() == []
    visit.screenshot("alert-sent-1280")
    confirm = link_in_mail(send_queued_mail(), "ada.alerts@example.org", "/alerts/confirm/")
    visit.goto(confirm)
    expect(page.locator("main")).to_contain_text("new trials for lupus, open to enrollment")
    assert visit.axe_violations() == []
    page.get_by_role("button", name="Yes, start my alerts").click()
    expect(page.locator("h1")).to_have_text("Your e-mail alerts")
    expect(page.locator(".notice-ok")).to_contain_text("your alerts are confirmed")
    expect(page.locator("#id_frequency_0")).to_be_checked()  # daily, as chosen
    assert visit.axe_violations() == []
    visit.screenshot("alert-manage-1280")
    page.get_by_label("Weekly").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".notice-ok")).to_contain_text("at most as often as you chose")
    page.get_by_role("button", name="Pause my alerts").click()
    expect(page.locator(".notice-ok")).to_contain_text("Paused")
    manage = page.url
    page.get_by_role("button", name="Unsubscribe and delete my address and this search").click()
    expect(page.locator("h1")).to_have_text("You are unsubscribed")
    assert visit.axe_violations() == []
    page.goto(manage)
    expect(page.locator("h1")).to_have_text("No alerts found for this link")
    assert visit.axe_violations() == []
    visit.assert_only_our_host()


def test_the_unsubscribe_link_shows_one_button(visit):
    page = visit.page
    sign_up(visit, "grace.alerts@example.org")
    confirm = link_in_mail(send_queued_mail(), "grace.alerts@example.org", "/alerts/confirm/")
    visit.goto(confirm)
    page.get_by_role("button", name="Yes, start my alerts").click()
    token = page.url.split("/alerts/manage/")[1].split("/")[0]
    visit.goto(f"/alerts/unsubscribe/{token}/")
    expect(page.locator("h1")).to_have_text("Unsubscribe from these alerts?")
    assert visit.axe_violations() == []
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("h1")).to_have_text("You are unsubscribed")


def test_the_sign_up_works_without_javascript_and_says_what_is_wrong(visit_without_js):
    page = visit_without_js.page
    visit_without_js.goto("/?condition=asthma")
    form = page.locator("#stay-informed")
    form.locator("#id_email").fill("not an address")
    form.get_by_role("button", name="E-mail me new trials").click()
    expect(page.locator("#error-summary-title")).to_be_visible()
    expect(page.locator("#id_email_error")).to_contain_text("Enter your e-mail address")
    page.fill("#id_email", "nojs.alerts@example.org")
    page.get_by_role("button", name="E-mail me new trials").click()
    expect(page.locator("h1")).to_have_text("Check your inbox")
    visit_without_js.assert_only_our_host()


def test_the_new_pages_have_no_accessibility_violations(visit):
    page = visit.page
    for path, heading in [
        ("/?condition=lupus", "Find a clinical trial"),
        ("/", "Find a clinical trial"),
        ("/alerts/new/?condition=lupus", "E-mail alerts for a search"),
        ("/alerts/new/", "E-mail alerts for a search"),
        ("/alerts/confirm/altered:link/", "This link is not complete"),
        ("/alerts/manage/" + "x" * 43 + "/", "No alerts found for this link"),
        ("/about-clinical-trials/#alerts", "About clinical trials"),
    ]:
        visit.goto(path)
        expect(page.locator("h1")).to_have_text(heading)
        assert visit.axe_violations() == [], path
    visit.goto("/alerts/new/?condition=lupus")
    page.get_by_role("button", name="E-mail me new trials").click()
    expect(page.locator("#error-summary-title")).to_be_visible()
    assert visit.axe_violations() == []


def test_the_search_page_links_its_feed(visit):
    page = visit.page
    visit.goto("/?condition=lupus")
    feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert feed.get_attribute("href") == "/feed/?condition=lupus"
    response = page.request.get(visit.base_url + "/feed/?condition=lupus")
    assert response.ok and "<feed" in response.text()


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_the_sign_up(browser, live_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_url}/?condition=lupus")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#stay-informed").screenshot(path=str(ARTIFACTS / f"alert-signup-{width}.png"))
    page.goto(f"{live_url}/alerts/new/?condition=lupus")
    page.screenshot(path=str(ARTIFACTS / f"alert-signup-page-{width}.png"), full_page=True)
    context.close()
