"""The checklist on the trial page: what it shows, what the search carries to it, the
JavaScript-off form, and its answers on a contact request (consent, coordinators, CSV,
e-mails, retention, logs)."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from html import unescape

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from trials import prescreen
from trials.models import ContactRequest, CoordinatorAssignment
from trials.rules import Profile

from .factories import make_trial, run_queue
from .test_contact import PATIENT

pytestmark = pytest.mark.django_db

CRITERIA = """Inclusion Criteria:

* Biopsy-proven lupus nephritis
* At least one of the following:
  * Proteinuria over 1 g/day
  * Active urinary sediment

Exclusion Criteria:

* Pregnant or breastfeeding women
* Known HIV infection
* Kidney transplant
"""


@pytest.fixture
def trial():
    return make_trial(
        title="Mending kidneys in lupus",
        criteria=CRITERIA,
        min_age="18 Years",
        max_age="65 Years",
        sex="ALL",
        healthy=False,
        conditions=["Lupus Nephritis"],
        locations=[
            {
                "facility": "Hôpital Nord",
                "city": "Paris",
                "country": "France",
                "status": "RECRUITING",
            }
        ],
        central_contacts=[
            {"name": "Central Desk", "role": "CONTACT", "email": "desk@sponsor.example"}
        ],
    )


def page(client, trial, query=""):
    response = client.get(f"/trials/{trial.nct_id}/{query}")
    assert response.status_code == 200
    return response


def text(response) -> str:
    """The words a patient reads (not the script's data)."""
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def checked(response, key: str) -> str:
    """The answer the page shows for an item ('' when none)."""
    html = response.content.decode()
    found = re.search(rf'name="answer_{key}" id="[^"]+" value="(\w+)" checked', html)
    return found.group(1) if found else ""


def checklist_post(client, trial, **data):
    return client.post(f"/trials/{trial.nct_id}/checklist/", data)


def payload(trial, profile=None, answers=None) -> str:
    return json.dumps(prescreen.Checklist.build(trial, profile, answers).payload())


def send(client, trial, **overrides):
    data = {**PATIENT, **overrides}
    return client.post(
        f"/trials/{trial.nct_id}/contact/", {k: v for k, v in data.items() if v is not None}
    )


# The checklist on the page


def test_the_trial_page_offers_the_checklist_grouped_as_the_patient_reads_it(client, trial):
    response = page(client, trial)
    body = text(response)
    body = body[body.index("Check whether this trial might suit you") :]
    needs, cannot = (
        body.index("You need all of these"),
        body.index("You cannot take part if any of these apply"),
    )
    assert (
        needs
        < body.index("Biopsy-proven lupus nephritis")
        < cannot
        < body.index("Kidney transplant")
    )
    # The lead-in keeps its alternatives: one item, not three.
    answered = set(re.findall(r'name="(answer_\w+)"', response.content.decode()))
    assert len(answered) == 7  # age, condition, 2 inclusions, 3 exclusions
    assert "Only the study team can say for sure" in body


def test_age_and_sex_from_the_search_are_answered_already_and_say_so(client, trial):
    response = page(client, trial, "?age=40&sex=MALE")
    assert checked(response, "age") == "yes"
    assert "Answered from your age." in text(response)
    assert (
        'name="age" id="id_age" inputmode="numeric" min="0" max="120" step="1" value="40"'
        in response.content.decode()
    )
    assert checked(page(client, trial, "?age=70"), "age") == "no"
    assert checked(page(client, trial), "age") == ""


def test_a_women_only_trial_is_answered_from_the_searchs_sex(client):
    trial = make_trial(sex="FEMALE", criteria=CRITERIA)
    assert checked(page(client, trial, "?sex=FEMALE"), "sex") == "yes"
    assert checked(page(client, trial, "?sex=MALE"), "sex") == "no"


def test_a_healthy_volunteer_is_answered_for_a_trial_only_for_people_with_the_condition(
    client, trial
):
    response = page(client, trial, "?healthy=true")
    assert checked(response, "condition") == "no"
    assert "Lupus Nephritis" in text(response)


def test_the_page_with_the_patients_answers_names_its_canonical_address(client, trial):
    response = page(client, trial, "?age=40&sex=FEMALE")
    assert response["Link"] == f'<http://testserver/trials/{trial.nct_id}/>; rel="canonical"'
    assert "Link" not in page(client, trial)


def test_bad_values_in_the_link_are_ignored_and_the_page_says_so(client, trial):
    response = page(client, trial, "?age=old&sex=OTHER")
    body = text(response)
    assert "We did not use “old” from the link" in body and "We did not use “OTHER”" in body
    assert checked(response, "age") == ""


def test_search_results_link_to_trials_with_the_age_sex_and_healthy_volunteer(client, trial):
    response = client.get("/", {"age": "40", "sex": "FEMALE", "healthy": "true", "status": "ALL"})
    links = re.findall(r'class="card-title"><a href="([^"]+)"', response.content.decode())
    assert links and all(
        link.endswith("/?age=40&amp;sex=FEMALE&amp;healthy=true") for link in links
    )
    plain = client.get("/", {"condition": "lupus nephritis", "status": "ALL"})
    assert f'href="/trials/{trial.nct_id}/"' in plain.content.decode()


def test_related_trials_on_the_page_carry_the_patients_answers_on(client, trial):
    make_trial(title="Another lupus study", conditions=["Lupus Nephritis"], criteria=CRITERIA)
    response = page(client, trial, "?age=40")
    assert re.search(r'href="/trials/NCT\d+/\?age=40"', response.content.decode())


def test_the_page_gives_the_browser_each_items_pre_answers_and_loads_only_our_script(client, trial):
    html = page(client, trial).content.decode()
    data = json.loads(unescape(re.search(r'data-checklist="([^"]*)"', html).group(1)))
    items = {item["key"]: item for item in data["items"]}
    assert items["e1"]["rule"]["table"]["pregnant"] == "yes"
    assert items["e1"]["rule"]["table"]["no"] == "no"
    assert items["age"]["rule"]["ranges"] == [[18, 65, False, False]]
    assert '<script src="/static/js/prescreen.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script, not even data
    assert " style=" not in html


# Without JavaScript: a plain form posting back to the page


def test_without_javascript_the_checklist_posts_back_and_gives_the_verdict_naming_which(
    client, trial
):
    response = checklist_post(client, trial, age="40", pregnancy="pregnant", answer_i1="yes")
    assert response.status_code == 200
    body = text(response)
    assert "Probably not a fit" in body
    result = body[body.index("Probably not a fit") :]
    assert "Pregnant or breastfeeding women (answered Yes)" in result
    assert "Answered from your answer about pregnancy and breastfeeding." in body
    assert response["Cache-Control"] == "no-store"
    assert "open>" in response.content.decode()  # the checklist stays open


def test_without_javascript_not_sure_is_worth_asking_and_unknowns_never_exclude(client, trial):
    body = text(checklist_post(client, trial, answer_i1="yes", answer_i2="unsure"))
    assert "Worth asking the team" in body and "Probably not a fit" not in body
    body = text(checklist_post(client, trial, answer_i1="yes", hiv="no", pregnancy="no"))
    assert "Looks like a fit so far" in body


def test_a_changed_profile_answers_again_what_it_answered_and_keeps_the_patients_own(client, trial):
    first = checklist_post(client, trial, pregnancy="no", hiv="no")
    assert checked(first, "e1") == "no" and checked(first, "e2") == "no"
    # The browser posts back what the page showed, with a new profile and one own answer.
    second = checklist_post(
        client,
        trial,
        pregnancy="pregnant",
        hiv="no",
        answer_e1="no",
        auto_e1="no",
        answer_e2="unsure",
        auto_e2="no",
    )
    assert checked(second, "e1") == "yes"  # from the new answer about pregnancy
    assert checked(second, "e2") == "unsure"  # the patient's own


def test_the_checklist_stores_nothing(client, trial):
    before = ContactRequest.objects.count()
    checklist_post(client, trial, pregnancy="pregnant", hiv="yes", answer_i1="yes")
    assert ContactRequest.objects.count() == before
    assert not client.session.keys()


def test_bad_answers_get_a_clear_message_and_lose_nothing(client, trial):
    response = checklist_post(
        client,
        trial,
        age="300",
        bmi="heavy",
        pregnancy="maybe",
        answer_i1="perhaps",
        answer_i2="yes",
    )
    assert response.status_code == 200
    body = text(response)
    assert "Please check these answers" in body
    for message in (
        "Enter an age from 0 to 120.",
        "Enter your BMI as a number",
        "Choose one of the answers.",
        "Choose Yes, No or Not sure.",
    ):
        assert message in body
    assert checked(response, "i2") == "yes"


def test_getting_the_checklist_address_leads_to_the_checklist(client, trial):
    response = client.get(f"/trials/{trial.nct_id}/checklist/")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/trials/{trial.nct_id}/#prescreen"
    )


def test_after_the_checklist_the_contact_form_shows_exactly_what_it_would_send(client, trial):
    response = checklist_post(client, trial, pregnancy="no", answer_i1="yes", answer_i2="unsure")
    html = response.content.decode()
    assert (
        'name="send_answers"' in html and 'id="id_send_answers" value="on" aria-describedby' in html
    )
    assert ' checked aria-describedby="send-answers-what"' not in html  # unticked by default
    preview = text(response).split("the study team sees exactly this with your request")[1]
    assert "Result: Worth asking the team" in preview
    assert "You are not sure: At least one of the following:" in preview
    assert "Answered in your favour: 2" in preview  # i1 Yes, e1 No


def test_a_contact_form_mistake_loses_neither_the_answers_nor_the_choice_to_send_them(
    client, trial
):
    answers = payload(trial, Profile(pregnancy="no"), {"i1": "yes", "i2": "unsure"})
    response = send(client, trial, prescreen=answers, send_answers="on", email="not an address")
    assert response.status_code == 200 and not ContactRequest.objects.exists()
    html = response.content.decode()
    assert ' checked aria-describedby="send-answers-what"' in html
    assert checked(response, "i2") == "unsure" and checked(response, "e1") == "no"
    assert "Result: Worth asking the team" in text(response)


def test_before_any_answer_the_send_box_waits_for_the_checklist(client, trial):
    html = page(client, trial).content.decode()
    assert re.search(r'id="field-send_answers" hidden>', html)


# To the study team


def test_the_answers_reach_the_request_only_when_the_patient_ticks_the_box(client, trial):
    answers = payload(trial, Profile(pregnancy="pregnant"), {"i1": "yes"})
    send(client, trial, prescreen=answers)
    assert ContactRequest.objects.get(trial=trial).prescreen is None
    ContactRequest.objects.all().delete()
    send(client, trial, prescreen=answers, send_answers="on", email="other@example.org")
    stored = ContactRequest.objects.get(trial=trial).prescreen
    assert stored["verdict"] == "not_fit"
    assert stored["against"][0]["text"] == "Pregnant or breastfeeding women"
    assert stored["against"][0]["source"] == "pregnancy"
    assert "pregnancy" not in {k for k in stored}  # the profile itself is not stored


def test_ticking_the_box_without_answers_says_what_to_do(client, trial):
    response = send(client, trial, send_answers="on")
    assert response.status_code == 200
    assert "There are no answers to send." in text(response)
    assert not ContactRequest.objects.exists()


def test_answers_to_an_older_version_of_the_criteria_are_not_sent_silently(client, trial):
    stale = json.dumps({"fingerprint": "0" * 16, "answers": {"i1": "yes"}, "sources": {}})
    response = send(client, trial, send_answers="on", prescreen=stale)
    assert "The study's criteria changed since you answered them." in text(response)
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize("junk", ["{", "[]", "x" * 30_000, '{"answers": "yes"}', "\x00"])
def test_hand_edited_answers_never_fail(client, trial, junk):
    response = send(client, trial, send_answers="on", prescreen=junk)
    assert response.status_code == 200
    assert not ContactRequest.objects.exists()


def test_unticked_answers_are_dropped_even_when_hand_edited(client, trial):
    response = send(client, trial, prescreen="{not json")
    assert response.status_code == 302
    assert ContactRequest.objects.get(trial=trial).prescreen is None


def sent_request(client, trial) -> ContactRequest:
    answers = payload(
        trial, Profile(age=40, pregnancy="no"), {"i1": "yes", "i2": "unsure", "e3": "yes"}
    )
    send(client, trial, prescreen=answers, send_answers="on")
    return ContactRequest.objects.get(trial=trial)


def coordinator(username, *trials) -> User:
    user = User.objects.create_user(
        username, f"{username}@example.org", "a-long-password-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Coordinators"))
    for assigned in trials:
        CoordinatorAssignment.objects.create(user=user, trial=assigned)
    return user


def test_the_coordinators_page_shows_the_verdict_each_no_and_not_sure_and_the_count_of_yes(
    client, trial
):
    request = sent_request(client, trial)
    client.force_login(coordinator("alice", trial))
    body = text(client.get(f"/admin/trials/contactrequest/{request.pk}/change/"))
    assert "Probably not a fit" in body
    assert "Against them: Kidney transplant (exclusion criterion, answered Yes)" in body
    assert (
        "Not sure: At least one of the following: Proteinuria over 1 g/day Active urinary sediment"
        in body
    )
    assert "Answered in their favour: 3" in body  # age and i1 Yes, e1 No
    assert "from your answer" not in body  # the coordinator's words, not the patient's
    listing = text(client.get("/admin/trials/contactrequest/"))
    assert "Probably not a fit" in listing


def test_a_coordinator_of_another_trial_cannot_see_the_answers(client, trial):
    request = sent_request(client, trial)
    client.force_login(coordinator("bob", make_trial(title="Another study")))
    response = client.get(f"/admin/trials/contactrequest/{request.pk}/change/")
    assert response.status_code == 302  # the admin's "no such object" redirect
    assert "Kidney transplant" not in text(client.get("/admin/trials/contactrequest/"))


def test_a_request_without_answers_says_so_to_the_coordinator(client, trial):
    send(client, trial)
    request = ContactRequest.objects.get(trial=trial)
    client.force_login(
        User.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    )
    body = text(client.get(f"/admin/trials/contactrequest/{request.pk}/change/"))
    assert "Not sent (the patient did not send their checklist answers)." in body


def test_the_csv_export_has_one_summary_column(client, trial):
    sent_request(client, trial)
    client.force_login(
        User.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    )
    response = client.get("/admin/trials/contactrequest/export/")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["pre-screening"] == (
        "Probably not a fit: 1 against, 1 not sure, 3 in favour, 2 unanswered"
    )


def test_the_team_email_says_answers_are_attached_and_links_to_the_request(client, trial, settings):
    settings.CONTACT_SITE_URL = "https://trials.example.org"
    request = sent_request(client, trial)
    run_queue()
    team, patient = sorted(mail.outbox, key=lambda m: m.to != ["desk@sponsor.example"])
    assert "answers to the pre-screening checklist" in team.body
    assert (
        f"https://trials.example.org/admin/trials/contactrequest/{request.pk}/change/" in team.body
    )
    for health in ("Kidney transplant", "Probably not a fit", "Proteinuria", "not sure", "pregnan"):
        assert health not in team.body
    assert "Your answers to the checklist" in patient.body
    assert "Kidney transplant" not in patient.body


def test_a_request_without_answers_says_nothing_of_them_in_the_emails(client, trial):
    send(client, trial)
    run_queue()
    assert all("checklist" not in m.body for m in mail.outbox)


def test_the_answers_go_with_the_request_at_the_retention_purge(client, trial, settings):
    request = sent_request(client, trial)
    ContactRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now()
        - timezone.timedelta(days=settings.CONTACT_REQUEST_RETENTION_DAYS + 1)
    )
    call_command("purge_contact_requests", stdout=io.StringIO())
    assert not ContactRequest.objects.filter(prescreen__isnull=False).exists()


def test_the_answers_never_reach_the_logs(client, trial, caplog):
    caplog.set_level(logging.DEBUG)
    checklist_post(client, trial, pregnancy="pregnant", hiv="yes", answer_i1="yes")
    sent_request(client, trial)
    run_queue()
    logged = caplog.text
    for health in ("Kidney transplant", "pregnan", "not_fit", "unsure", "Proteinuria"):
        assert health not in logged
