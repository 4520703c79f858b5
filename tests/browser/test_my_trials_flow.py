"""My trials in a real browser: saving, notes on passages, sharing with a passcode,
printing, and the scripts' own units (anchoring, encryption).

The live server has its own database (conftest.py): `live_db` reads and changes it in
SQL, as an operator or the passing of time would, and `import_record` imports a record
into it, as an import of ClinicalTrials.gov would.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import psycopg
import pytest
from django.db import connection
from playwright.sync_api import expect

from ..factories import study
from .conftest import BASE, Visit, browser_env

pytestmark = pytest.mark.browser

SEED = "NCT05631717"  # a recruiting seed trial, with a summary and criteria lists
COMPLETED = "NCT00094380"  # a completed seed trial
SUMMARY_PASSAGE = "compare the efficacy and safety of human umbilical cord"

# The position of `text` in the element `selector` (first match), in viewport pixels:
# [start x, y, end x, y], or null.
TEXT_RECT = """([selector, text]) => {
  const root = document.querySelector(selector);
  root.scrollIntoView({block: "center"});
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    const rects = range.getClientRects();
    const first = rects[0], last = rects[rects.length - 1];
    return [first.left + 1, first.top + first.height / 2, last.right - 1, last.top + last.height / 2];
  }
  return null;
}"""

# Selects `text` in the element `selector`, as a keyboard user does with caret browsing
# (F7), which the test's browser cannot turn on for one test.
SELECT_TEXT = """([selector, text]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    return true;
  }
  return false;
}"""


@pytest.fixture(scope="module")
def live_db(live_url):
    """The live server's database, in SQL (autocommit)."""
    django_params = connection.get_connection_params()
    params = {k: v for k, v in django_params.items() if k in {"host", "port", "user", "password"}}
    with psycopg.connect(dbname="trialfinder_browser", autocommit=True, **params) as db:
        yield db


def manage(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=browser_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.fixture
def import_record(tmp_path):
    """Imports a study record into the live server's database."""

    def run(record: dict) -> None:
        path = tmp_path / f"{record['protocolSection']['identificationModule']['nctId']}.json"
        path.write_text(json.dumps(record))
        manage("import_ctgov", str(path))

    return run


def select_with_mouse(page, selector: str, text: str) -> None:
    x1, y1, x2, y2 = page.evaluate(TEXT_RECT, [selector, text])
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=6)
    page.mouse.up()


def note_on_selection(page, selector: str, text: str, note: str) -> None:
    """Selects a passage and notes it through the button beside the selection."""
    assert page.evaluate(SELECT_TEXT, [selector, text])
    page.locator(".add-note-button").click()
    page.locator(".note-editor textarea").fill(note)
    page.locator(".note-editor").get_by_role("button", name="Save the note").click()


def save_trial(visit, nct: str) -> None:
    visit.goto(f"/trials/{nct}/")
    toggle = visit.page.locator(".trial-tools [data-save-nct]")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")


def share_from_my_trials(visit, days: str = "30") -> tuple[str, str]:
    page = visit.page
    visit.goto("/my-trials/")
    page.select_option("#share-days", days)
    page.get_by_role("button", name="Create a link and a passcode").click()
    result = page.locator("[data-share-result]")
    expect(result).to_be_visible(timeout=30_000)
    return page.input_value("#share-link"), page.inner_text("[data-share-passcode]")


def stored_share(live_db, url: str) -> dict:
    link_id = url.rstrip("/").rsplit("/", 1)[1]
    cursor = live_db.execute("SELECT * FROM trials_sharedlist WHERE link_id = %s", [link_id])
    row = cursor.fetchone()
    if row is None:
        return {}
    return dict(zip([c.name for c in cursor.description], row, strict=True))


# Saving


def test_save_and_unsave_from_a_result_card_and_from_the_trial_page(visit):
    page = visit.page
    visit.goto("/?condition=lupus")
    card = page.locator("li.card").first
    toggle = card.locator("[data-save-nct]")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    nct = toggle.get_attribute("data-save-nct")
    title = card.locator(".card-title a").inner_text()
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-my-trials-link]")).to_have_text(re.compile(r"My trials\s*1\s*saved"))
    expect(page.get_by_role("status").filter(has_text="Saved to My trials.")).to_have_count(1)

    card.locator(".card-title a").click()
    expect(page).to_have_url(re.compile(f"/trials/{nct}/"))
    on_page = page.locator(".trial-tools [data-save-nct]")
    expect(on_page).to_have_attribute("aria-pressed", "true")
    on_page.click()
    expect(on_page).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[data-my-trials-link] .count-badge")).to_be_hidden()

    page.go_back()  # the results again, as the browser kept them
    toggle = page.locator(f"li.card [data-save-nct='{nct}']").first
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    visit.goto("/my-trials/")
    expect(page.locator(".my-trial .card-title")).to_have_text([title])
    page.locator(".my-trial [data-save-nct]").click()  # unsaved: it stays until the page is left
    expect(page.locator(".my-trial [data-save-nct]")).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(page.get_by_role("heading", name="No saved trials yet")).to_be_visible()
    visit.assert_only_our_host()


def test_status_changes_since_saving_and_trials_that_no_longer_exist_are_marked(visit):
    page = visit.page
    visit.goto("/my-trials/")
    saved = {
        SEED: {"title": "Was not yet recruiting", "status": "NOT_YET_RECRUITING",
               "statusLabel": "Not yet recruiting", "open": False, "savedAt": "2026-01-01T10:00:00Z"},
        COMPLETED: {"title": "Was recruiting", "status": "RECRUITING", "statusLabel": "Recruiting",
                    "open": True, "savedAt": "2026-01-02T10:00:00Z"},
        "NCT09999999": {"title": "A trial that was withdrawn", "status": "RECRUITING",
                        "statusLabel": "Recruiting", "open": True, "savedAt": "2026-01-03T10:00:00Z"},
    }  # fmt: skip
    page.evaluate(
        "saved => localStorage.setItem('trialfinder.saved.v1', JSON.stringify(saved))", saved
    )
    page.reload()
    seed = page.locator(f"#trial-{SEED}")
    expect(seed.locator(".status-change")).to_contain_text("Now recruiting.")
    expect(seed.locator(".status-change")).to_contain_text("When you saved it: Not yet recruiting.")
    completed = page.locator(f"#trial-{COMPLETED}")
    expect(completed.locator(".status-change")).to_contain_text("Closed since you saved it.")
    expect(completed.locator(".badge.status")).to_have_text("Completed")
    gone = page.locator("#trial-NCT09999999")
    expect(gone).to_contain_text("A trial that was withdrawn")
    expect(gone).to_contain_text("This trial is no longer on TrialFinder")
    # Newest saved first
    expect(page.locator(".my-trial")).to_have_count(3)
    assert page.locator(".my-trial").first.get_attribute("id") == "trial-NCT09999999"

    completed.get_by_role("button", name=re.compile("OK, noted")).click()
    expect(completed.locator(".status-change")).to_have_count(0)
    page.reload()
    expect(page.locator(f"#trial-{COMPLETED} .status-change")).to_have_count(0)
    expect(page.locator(f"#trial-{SEED} .status-change")).to_have_count(1)

    gone.get_by_role("button", name="Remove it and its notes from My trials").click()
    expect(page.locator("#trial-NCT09999999")).to_have_count(0)
    visit.screenshot("my-trials-changes-1280")


# Notes


def test_a_note_on_a_passage_selected_with_the_mouse_survives_a_reload(visit):
    page = visit.page
    visit.goto(f"/trials/{SEED}/")
    select_with_mouse(page, "#what .prose p", SUMMARY_PASSAGE)
    add = page.locator(".add-note-button")
    expect(add).to_be_visible()
    add.click()
    editor = page.locator(".note-editor")
    expect(editor.locator("textarea")).to_be_focused()
    expect(editor).to_contain_text(SUMMARY_PASSAGE)
    editor.locator("textarea").fill("Ask Dr Martin whether the stem cells come from a donor.")
    editor.get_by_role("button", name="Save the note").click()

    for _ in range(2):  # as saved, then after a reload
        mark = page.locator("#what mark.note-mark")
        expect(mark).to_have_count(1)
        assert SUMMARY_PASSAGE in mark.inner_text()
        ref = page.get_by_role("link", name="Your note 1", exact=True)
        expect(ref).to_have_attribute("href", re.compile("#note-"))
        box = page.locator("#what .note-box")
        expect(box).to_contain_text("Ask Dr Martin whether the stem cells come from a donor.")
        expect(page.locator("#my-notes")).to_be_visible()
        expect(page.locator("#my-notes .note-quote")).to_contain_text(SUMMARY_PASSAGE)
        page.reload()

    # The highlight leaves the text as it was, for reading and for screen readers.
    paragraph = page.locator("#what .prose p").first
    assert SUMMARY_PASSAGE in paragraph.evaluate("p => p.textContent")
    page.get_by_role("link", name="Your note 1", exact=True).click()
    expect(page.locator("#what .note-box")).to_be_in_viewport()
    visit.screenshot("trial-note-1280")

    visit.goto("/my-trials/")
    expect(page.locator(".my-trial-notes")).to_contain_text("Ask Dr Martin")
    visit.assert_only_our_host()


def test_notes_by_keyboard_on_a_selected_passage_and_on_a_section_survive_a_reload(visit):
    page = visit.page
    visit.goto(f"/trials/{SEED}/")
    # A passage selected with the keyboard: Tab reaches "Add a note", Enter opens it.
    assert page.evaluate(SELECT_TEXT, ["#who .prose", "Age: age > 18 years old"])
    expect(page.locator(".add-note-button")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(".add-note-button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".note-editor textarea")).to_be_focused()
    page.keyboard.type("I am 67: check the upper age limit.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#who .note-box")).to_be_focused()

    # A whole section's button, for people who cannot select text.
    page.locator("#dates .add-section-note").focus()
    page.keyboard.press("Enter")
    picker = page.get_by_label("Which part is your note about?")
    expect(picker).to_be_focused()
    page.keyboard.press("ArrowDown")  # after "The whole section": its first passage
    chosen = picker.evaluate("s => s.selectedOptions[0].textContent")
    page.keyboard.press("Tab")
    page.keyboard.type("Ask when it starts.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Save the note"
    expect(page.locator("#dates .note-box")).to_be_focused()

    page.reload()
    expect(page.locator("mark.note-mark")).to_have_count(2)
    assert "Age: age > 18 years old" in page.locator("#who mark.note-mark").first.inner_text()
    assert page.locator("#dates mark.note-mark").evaluate("m => m.textContent") in chosen
    expect(page.locator("#my-notes .note-item")).to_have_count(2)
    expect(page.locator("#my-notes")).to_contain_text("I am 67: check the upper age limit.")
    expect(page.locator("#my-notes")).to_contain_text("Ask when it starts.")

    # Edit, then delete, by keyboard too.
    box = page.locator("#dates .note-box")
    box.get_by_role("button", name="Edit note 2").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Control+a")
    page.keyboard.type("Ask when it starts, and where.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#dates .note-box .note-text")).to_have_text(
        "Ask when it starts, and where."
    )
    page.locator("#dates .note-box").get_by_role("button", name="Delete note 2").click()
    page.get_by_role("button", name="Delete it").click()
    expect(page.locator("#dates .note-box")).to_have_count(0)
    page.reload()
    expect(page.locator("#my-notes .note-item")).to_have_count(1)
    assert visit.axe_violations() == []
    visit.screenshot("trial-notes-by-keyboard-1280")


def test_a_note_follows_its_passage_when_an_import_changes_the_record(visit, import_record):
    page = visit.page
    nct = "NCT81230001"
    first = (
        "Participants take the study drug twice a day for 12 weeks. "
        "Blood tests are done every month at the clinic. "
        "A nurse calls each participant once a week to ask about side effects."
    )
    import_record(study(nct, title="A study whose record changes", summary=first))
    visit.goto(f"/trials/{nct}/")
    note_on_selection(
        page,
        "#what .prose",
        "take the study drug twice a day for 12 weeks",
        "Twice a day is hard for me.",
    )
    note_on_selection(
        page, "#what .prose", "A nurse calls each participant once a week", "Good: someone checks."
    )
    expect(page.locator("#what mark.note-mark")).to_have_count(2)

    changed = (
        "Participants take the study drug twice daily for 16 weeks. "
        "Blood tests are done every month at the clinic."
    )
    import_record(
        study(nct, title="A study whose record changes", summary=changed, last_update="2026-03-01")
    )
    page.reload()
    expect(page.locator("#what .prose")).to_contain_text("twice daily for 16 weeks")
    mark = page.locator("#what mark.note-mark")
    expect(mark).to_have_count(1)
    assert "twice daily for 16 weeks" in mark.inner_text()
    expect(page.locator("#what .note-box")).to_contain_text("Twice a day is hard for me.")
    gone = page.locator("#my-notes .note-gone")
    expect(gone).to_have_count(1)
    expect(gone).to_contain_text("This passage is no longer in the record")
    expect(gone).to_contain_text("A nurse calls each participant once a week")
    expect(gone).to_contain_text("Good: someone checks.")
    visit.screenshot("trial-note-reanchored-1280")


# Sharing


def test_a_shared_list_opens_in_another_browser_only_with_the_passcode(
    visit, browser, live_url, live_db
):
    page = visit.page
    save_trial(visit, SEED)
    save_trial(visit, COMPLETED)
    note = "Private: my kidney results are in the blue folder."
    visit.goto(f"/trials/{SEED}/")
    note_on_selection(page, "#what .prose p", SUMMARY_PASSAGE, note)
    url, passcode = share_from_my_trials(visit, days="7")
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", passcode)
    assert re.fullmatch(re.escape(live_url) + r"/shared/[A-Za-z0-9_-]{22}/", url)
    result = page.locator("[data-share-result]")
    expect(result).to_contain_text("This is the only time you will see this passcode.")
    expect(result).to_contain_text("the link by e-mail and the passcode by phone")
    assert visit.axe_violations() == []
    visit.screenshot("my-trials-shared-1280")

    # What the server stored: ciphertext, no note, no trial, no passcode.
    row = stored_share(live_db, url)
    stored = " ".join(
        bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
        for v in row.values()
    )
    for secret in (note, "blue folder", SEED, COMPLETED, passcode, passcode.replace("-", "")):
        assert secret not in stored
    assert row["verifier_hash"].startswith("pbkdf2_sha256$")
    assert row["iterations"] >= 600_000 and len(bytes(row["salt"])) == 16

    other = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        reading = Visit(other, live_url)
        reader = reading.page
        response = reader.goto(url)
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-robots-tag"] == "noindex, nofollow"
        expect(reader.get_by_label("Passcode")).to_be_visible()
        error = reader.locator("#passcode-error")
        for left in (4, 3, 2, 1):
            reader.get_by_label("Passcode").fill("2222-3333-4444")
            reader.get_by_role("button", name="Open the list").click()
            expect(error).to_have_text(re.compile(f"not right. {left} more tr"), timeout=20_000)
            expect(reader.get_by_label("Passcode")).to_have_attribute("aria-invalid", "")
        reader.get_by_label("Passcode").fill("2222-3333-4444")
        reader.get_by_role("button", name="Open the list").click()
        expect(error).to_contain_text("this link is locked until", timeout=20_000)
        expect(error).to_contain_text("After 15 more wrong passcodes the link stops working")
        reader.get_by_label("Passcode").fill(passcode)
        reader.get_by_role("button", name="Open the list").click()
        expect(error).to_contain_text("this link is locked until", timeout=20_000)
        assert reader.locator("[data-shared-content]").is_hidden()
        assert reading.axe_violations() == []  # the passcode page, with its error shown
        reading.screenshot("shared-passcode-locked-1280")

        # Time passes: the lock ends, and the right passcode opens the list.
        live_db.execute(
            "UPDATE trials_sharedlist SET locked_until = now() - interval '1 second' WHERE link_id = %s",
            [url.rstrip("/").rsplit("/", 1)[1]],
        )
        reader.get_by_label("Passcode").fill(passcode.lower().replace("-", " "))
        reader.get_by_role("button", name="Open the list").click()
        content = reader.locator("[data-shared-content]")
        expect(content).to_be_visible(timeout=20_000)
        expect(content.locator(".my-trial")).to_have_count(2)
        expect(content.locator(f"#trial-{SEED} .badge.status")).to_have_text("Recruiting")
        expect(content.locator(f"#trial-{COMPLETED} .badge.status")).to_have_text("Completed")
        expect(content.locator(f"#trial-{SEED}")).to_contain_text(note)
        expect(content.locator(f"#trial-{SEED} .note-quote")).to_contain_text(SUMMARY_PASSAGE)
        reader.get_by_role("button", name="Save these to my list").click()
        expect(reader.locator("[data-save-these-status]")).to_contain_text(
            "2 trials saved to My trials."
        )
        reader.goto(live_url + f"/trials/{SEED}/")
        expect(reader.locator("#what .note-box")).to_contain_text(note)
        reader.goto(live_url + "/my-trials/")
        expect(reader.locator(".my-trial")).to_have_count(2)
        reading.assert_only_our_host()
    finally:
        other.close()


def test_a_revoked_or_expired_link_says_it_has_expired_and_the_purge_deletes_it(
    visit, browser, live_db
):
    page = visit.page
    save_trial(visit, SEED)
    revoked_url, _ = share_from_my_trials(visit)
    page.get_by_role("button", name="Done: hide the passcode").click()
    expired_url, _ = share_from_my_trials(visit, days="1")
    page.get_by_role("button", name="Done: hide the passcode").click()
    links = page.locator("[data-shares-list] li")
    expect(links).to_have_count(2)

    # Revoked from My trials: gone at once.
    links.filter(has_text=revoked_url).get_by_role("button", name="Stop this link now").click()
    expect(links).to_have_count(1)
    assert stored_share(live_db, revoked_url) == {}

    # Expired: the day has passed.
    live_db.execute(
        "UPDATE trials_sharedlist SET expires_at = now() - interval '1 minute' WHERE link_id = %s",
        [expired_url.rstrip("/").rsplit("/", 1)[1]],
    )
    other = browser.new_context()
    try:
        reader = other.new_page()
        for url in (revoked_url, expired_url):
            response = reader.goto(url)
            assert response.status == 410
            expect(reader.get_by_role("heading", level=1)).to_have_text("This link has expired")
            expect(reader.get_by_label("Passcode")).to_have_count(0)
    finally:
        other.close()
    assert stored_share(live_db, expired_url) != {}
    assert "expired shared list" in manage("purge_shared_lists")
    assert stored_share(live_db, expired_url) == {}


# Printing, pages without JavaScript, accessibility


def test_printing_leaves_out_navigation_and_forms_and_shows_the_address_and_the_date(visit):
    page = visit.page
    save_trial(visit, SEED)
    note_on_selection(page, "#what .prose p", SUMMARY_PASSAGE, "Show this to Dr Martin.")
    page.emulate_media(media="print")
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.locator("#contact")).to_be_hidden()
    expect(page.locator(".toc")).to_be_hidden()
    expect(page.locator(".trial-tools")).to_be_hidden()
    expect(page.locator(".add-section-note").first).to_be_hidden()
    meta = page.locator(".trial-header .print-meta")
    expect(meta).to_be_visible()
    expect(meta).to_contain_text(f"/trials/{SEED}/")
    expect(meta).to_contain_text(re.compile(r"\d{4}"))
    expect(page.locator("#what .note-box")).to_be_visible()
    expect(page.locator("#what .note-box")).to_contain_text("Show this to Dr Martin.")
    visit.screenshot("trial-print")

    visit.goto("/my-trials/")
    expect(page.locator(".my-trial")).to_have_count(1)
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.locator("[data-share-panel]")).to_be_hidden()
    expect(page.locator(".my-trial .save-toggle")).to_be_hidden()
    expect(page.locator(".my-trial-notes")).to_contain_text("Show this to Dr Martin.")
    expect(page.locator(".print-meta")).to_contain_text("/my-trials/")
    page.emulate_media(media="screen")
    expect(page.locator(".site-header nav")).to_be_visible()
    expect(page.locator(".print-meta")).to_be_hidden()


def test_without_javascript_nothing_is_offered_and_printing_is_explained(visit_without_js):
    page = visit_without_js.page
    visit_without_js.goto("/?condition=lupus")
    expect(page.locator("li.card").first).to_be_visible()
    expect(page.locator("[data-save-nct]").first).to_be_hidden()
    expect(page.locator("[data-my-trials-link]")).to_be_hidden()
    visit_without_js.goto(f"/trials/{SEED}/")
    # (Playwright's text assertions leave <noscript> out; what is drawn is what counts.)
    assert "print this page (Ctrl+P" in page.locator(".trial-tools").inner_text()
    expect(page.locator("[data-save-nct]").first).to_be_hidden()
    expect(page.locator(".add-section-note")).to_have_count(0)
    expect(page.locator("#my-notes")).to_be_hidden()
    visit_without_js.goto("/my-trials/")
    assert "need JavaScript, which is turned off" in page.locator("main").inner_text()
    expect(page.locator("[data-my-trials-app]")).to_be_hidden()


def test_my_trials_and_a_page_with_notes_pass_axe_on_a_phone(visit_phone):
    page = visit_phone.page
    save_trial(visit_phone, SEED)
    visit_phone.goto(f"/trials/{SEED}/")
    note_on_selection(page, "#what .prose p", SUMMARY_PASSAGE, "A note on a phone.")
    page.locator("#who .add-section-note").click()  # an open editor, too
    assert visit_phone.axe_violations() == []
    visit_phone.screenshot("trial-notes-375")
    visit_phone.goto("/my-trials/")
    expect(page.locator(".my-trial")).to_have_count(1)
    assert visit_phone.axe_violations() == []
    visit_phone.screenshot("my-trials-375")


# The scripts' units, in the browser that runs them


def test_anchoring_finds_a_passage_exactly_approximately_or_not_at_all(visit):
    visit.goto("/my-trials/")
    results = visit.page.evaluate(
        """async () => {
          const a = await import("/static/js/mytrials/anchor.js");
          const text = "Adults aged 18 to 65. Adults aged 18 to 65 with lupus nephritis. No pregnancy.";
          const quote = (exact, prefix, suffix) => ({quote: {type: "TextQuoteSelector", exact, prefix, suffix}});
          const box = document.createElement("div");
          box.innerHTML = "<p>Take  the\\n drug <b>daily</b>.</p><ul><li>One</li><li>Two</li></ul><p data-notes-ui>UI</p>";
          document.body.append(box);
          const range = document.createRange();
          range.setStart(box.querySelector("b").firstChild, 0);
          range.setEnd(box.querySelectorAll("li")[1].firstChild, 3);
          const described = a.describe(box, range);
          range.setStart(box.querySelector("b").firstChild, 2);
          range.setEnd(box.querySelectorAll("li")[0].firstChild, 1);
          const snapped = a.describe(box, range, {words: true}).quote.exact;
          const marks = a.wrap(a.textOf(box), 14, 19, () => document.createElement("mark"));
          return {
            folded: a.textOf(box).text,
            described: described.quote,
            position: described.position,
            snapped,
            marked: marks.map(m => m.textContent),
            textAfterMarks: a.textOf(box).text,
            exact: a.locate(text, quote("lupus nephritis", "", "")),
            duplicate: a.locate(text, quote("Adults aged 18 to 65", ". ", " with lupus")),
            edited: a.locate("Adults aged 18 to 75 with kidney lupus.", quote("Adults aged 18 to 65 with lupus", "", "")),
            gone: a.locate(text, quote("Participants must live in Paris", "", "")),
          };
        }"""
    )
    assert results["folded"] == "Take the drug daily. One Two"
    assert results["described"] == {
        "type": "TextQuoteSelector",
        "exact": "daily. One Two",
        "prefix": "Take the drug ",
        "suffix": "",
    }
    assert results["position"] == {"type": "TextPositionSelector", "start": 14, "end": 28}
    assert results["snapped"] == "daily. One"  # "il" to "O", taken as whole words
    assert results["marked"] == ["daily"]
    assert results["textAfterMarks"] == results["folded"]
    assert results["exact"] == {"start": 48, "end": 63, "errors": 0}
    assert results["duplicate"]["start"] == 22  # the one followed by " with lupus"
    assert results["edited"]["errors"] <= 6 and results["edited"]["start"] == 0
    assert results["gone"] is None


def test_sealing_needs_the_passcode_and_hides_the_content(visit):
    visit.goto("/my-trials/")
    results = visit.page.evaluate(
        """async () => {
          const c = await import("/static/js/mytrials/crypto.js");
          const passcode = c.newPasscode();
          const content = {trials: [{nct_id: "NCT05631717", notes: [{text: "secret words"}]}]};
          const sealed = await c.seal(content, passcode, 100000);
          const salt = c.fromBase64(sealed.salt);
          const right = await c.keys(passcode, salt, sealed.iterations);
          const wrong = await c.keys(c.newPasscode(), salt, sealed.iterations);
          let wrongOpens = true;
          try { await c.unseal(sealed, wrong.key); } catch { wrongOpens = false; }
          return {
            passcode,
            formatted: c.formatPasscode(passcode),
            normalized: c.normalizePasscode(" " + c.formatPasscode(passcode).toLowerCase() + " "),
            invalid: [c.normalizePasscode("short"), c.normalizePasscode("OOOO-IIII-1111")],
            others: Array.from({length: 50}, () => c.newPasscode()),
            opened: await c.unseal(sealed, right.key),
            sameVerifier: right.verifier === sealed.verifier,
            wrongVerifier: wrong.verifier === sealed.verifier,
            wrongOpens,
            ciphertext: atob(sealed.ciphertext),
            sizes: [c.fromBase64(sealed.iv).length, salt.length, c.fromBase64(sealed.verifier).length],
          };
        }"""
    )
    passcode = results["passcode"]
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}", passcode)
    assert results["formatted"] == f"{passcode[:4]}-{passcode[4:8]}-{passcode[8:]}"
    assert results["normalized"] == passcode
    assert results["invalid"] == [None, None]
    assert len(set(results["others"])) == 50
    assert results["opened"] == {
        "trials": [{"nct_id": "NCT05631717", "notes": [{"text": "secret words"}]}]
    }
    assert results["sameVerifier"] and not results["wrongVerifier"] and not results["wrongOpens"]
    assert "secret" not in results["ciphertext"] and "NCT" not in results["ciphertext"]
    assert results["sizes"] == [12, 16, 32]
