"""The "contact the study team" form: validation, storage, e-mails, abuse control, privacy."""

from __future__ import annotations

import datetime as dt
import io
import logging
import smtplib
import threading
import time
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone
from django.views.debug import ExceptionReporter
from django_tasks_db.models import DBTaskResult

from finder.forms import ContactForm
from trials import contact
from trials.models import AuditLogEntry, ContactRequest, ContactRequestEvent, Site

from .factories import make_trial, run_queue

pytestmark = pytest.mark.django_db

PATIENT = {
    "first_name": "Zoë",
    "last_name": "Quellington",
    "email": "zoe.quellington@example.net",
    "phone": "+44 20 7946 0958",
    "language": "cy",
    "message": "Mornings are best for me.",
    "consent": "on",
}
PERSONAL = ["Quellington", "zoe.quellington", "7946 0958", "7946"]
LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def site(facility, city="Lyon", country="France", status="RECRUITING", email=None):
    contacts = [{"name": f"Dr {facility}", "role": "CONTACT", "email": email}] if email else []
    return {
        "facility": facility,
        "city": city,
        "country": country,
        "status": status,
        "contacts": contacts,
    }


@pytest.fixture
def trial():
    """An open trial with two recruiting sites (one with its own address) and a central contact."""
    return make_trial(
        title="Mending kidneys in lupus",
        locations=[
            site("Closed Clinic", status="COMPLETED", email="closed@example.org"),
            site("Hôpital Nord", city="Paris", email="nord@chu.example.fr"),
            site("Hôpital Sud", city="Marseille"),
        ],
        central_contacts=[
            {"name": "Central Desk", "role": "CONTACT", "email": "desk@sponsor.example"}
        ],
    )


def url(trial, name="contact"):
    return f"/trials/{trial.nct_id}/{name}/" if name != "page" else f"/trials/{trial.nct_id}/"


def site_id(trial, facility):
    return str(Site.objects.get(trial=trial, facility=facility).pk)


def post(client, trial, headers=None, **overrides):
    """Post the form as a browser would: with the preselected site when there is a choice."""
    data = {**PATIENT, **overrides}
    offered = contact.contactable_sites(list(trial.sites.all()))
    if len(offered) > 1:
        data.setdefault("site", str(offered[0].pk))
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(url(trial), data, headers=headers or {})


def time_passes() -> None:
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


# Storing the request


def test_a_valid_request_is_stored_first_with_its_trial_site_and_created_event(client, trial):
    response = post(client, trial, site=site_id(trial, "Hôpital Nord"))
    assert response.status_code == 302
    assert response["Location"] == f"/trials/{trial.nct_id}/contact/sent/"
    request = ContactRequest.objects.get(trial=trial)
    assert request.site.facility == "Hôpital Nord"
    assert request.site_name == "Hôpital Nord, Paris, France"
    assert (request.first_name, request.last_name) == ("Zoë", "Quellington")
    assert request.email == "zoe.quellington@example.net"
    assert request.language == "cy" and request.message == "Mornings are best for me."
    assert request.consent and request.status == ContactRequest.Status.NEW
    assert request.team_recipients == '"Dr Hôpital Nord" <nord@chu.example.fr>'
    assert request.team_notified_at is None  # queued, not sent yet
    event = ContactRequestEvent.objects.get(request=request)
    assert event.kind == ContactRequestEvent.Kind.CREATED and event.actor is None


def test_the_tasks_carry_only_the_request_id(client, trial):
    post(client, trial)
    request = ContactRequest.objects.get(trial=trial)
    tasks = DBTaskResult.objects.order_by("enqueued_at")
    assert [t.task_path for t in tasks] == [
        "trials.tasks.notify_study_team",
        "trials.tasks.send_patient_copy",
    ]
    assert all(t.args_kwargs == {"args": [request.pk], "kwargs": {}} for t in tasks)


def test_without_javascript_the_confirmation_names_the_real_site_team_and_next_steps(client, trial):
    response = post(client, trial, site=site_id(trial, "Hôpital Nord"))
    page = client.get(response["Location"]).content.decode()
    assert "Your request is on its way" in page
    assert "Thank you, Zoë." in page
    assert "<strong>Hôpital Nord, Paris, France</strong>" in page
    assert 'Dr Hôpital Nord, <a href="mailto:nord@chu.example.fr">nord@chu.example.fr</a>' in page
    assert "zoe.quellington@example.net" in page
    assert "Within about 5 working days" in page
    assert "{{" not in page and "SITE_NAME" not in page


def test_with_htmx_a_valid_request_answers_hx_redirect(client, trial):
    response = post(client, trial, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/trials/{trial.nct_id}/contact/sent/"
    assert ContactRequest.objects.filter(trial=trial).count() == 1


def test_with_htmx_errors_come_back_as_the_form_fragment(client, trial):
    response = post(client, trial, email="nope", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and html.lstrip().startswith("<form")
    assert "finder/_contact_form.html" in [t.name for t in response.templates]
    assert "Enter your e-mail address in the form name@example.com." in html
    assert not ContactRequest.objects.exists()


def test_the_confirmation_page_needs_a_request_of_this_session(client, trial):
    response = client.get(url(trial, "contact/sent"))
    assert response.status_code == 302 and response["Location"].endswith("#contact")
    post(client, trial)
    other = Client()
    assert other.get(url(trial, "contact/sent")).status_code == 302


def test_getting_the_form_address_leads_to_the_form(client, trial):
    response = client.get(url(trial))
    assert response.status_code == 302
    assert response["Location"] == f"/trials/{trial.nct_id}/#contact"


# Validation: each error, in words, tied to its field


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("first_name", "", "Enter your first name."),
        ("last_name", "  ", "Enter your last name."),
        (
            "first_name",
            "x" * 101,
            "Please shorten your first name to 100 characters or fewer (it has 101).",
        ),
        ("first_name", "http://spam.example", "Please enter just your first name, without links."),
        ("last_name", "12345", "Enter your last name in letters."),
        ("email", "", "Enter your e-mail address."),
        ("email", "zoe@", "Enter your e-mail address in the form name@example.com."),
        ("phone", "", "Enter a phone number the study team can call you on."),
        ("phone", "call me maybe", "Use only digits, spaces and + ( ) - in the phone number"),
        ("phone", "12 34", "This phone number looks too short."),
        ("phone", "+1 234 567 890 123 456 789", "This phone number has too many digits."),
        ("language", "Welsh", "Choose a language from the list."),
        (
            "message",
            "m" * 2001,
            "Please shorten your message to 2000 characters or fewer (it has 2001).",
        ),
        ("consent", None, "Tick this box so that we may send your details to the study team."),
        ("site", "999999999", "Choose one of the study sites in the list."),
    ],
)
def test_each_invalid_field_gets_a_friendly_message_tied_to_it(
    client, trial, field, value, message
):
    response = post(client, trial, **{field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    tag = next(t for t in html.split("<") if f'id="id_{field}"' in t and not t.startswith("label"))
    assert 'aria-invalid="true"' in tag and f"id_{field}_error" in tag
    assert 'class="error-summary" role="alert"' in html and f'href="#id_{field}"' in html
    assert not ContactRequest.objects.exists()


def test_a_phone_number_with_an_extension_is_accepted(client, trial):
    post(client, trial, phone="(212) 555-0100 ext. 12")
    assert ContactRequest.objects.get(trial=trial).phone == "(212) 555-0100 ext. 12"


def test_inline_validation_answers_with_just_the_field_left(client, trial):
    response = client.post(
        url(trial, "contact/check"),
        {**PATIENT, "email": "zoe@"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "email"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="field field-email has-error" id="field-email">')
    assert "Enter your e-mail address in the form name@example.com." in html
    assert "first_name" not in html
    response = client.post(
        url(trial, "contact/check"),
        PATIENT,
        headers={"HX-Request": "true", "HX-Trigger-Name": "phone"},
    )
    assert "has-error" not in response.content.decode()
    assert not ContactRequest.objects.exists() and not DBTaskResult.objects.exists()


def test_the_fields_ask_for_inline_validation_and_work_without_it(client, trial):
    html = client.get(url(trial, "page")).content.decode()
    form = html[
        html.index('<form id="contact-form"') : html.index(
            "</form>", html.index('id="contact-form"')
        )
    ]
    assert f'action="/trials/{trial.nct_id}/contact/#contact"' in form and 'method="post"' in form
    assert "csrfmiddlewaretoken" in form
    assert form.count(f'hx-post="/trials/{trial.nct_id}/contact/check/"') == 8
    for name in [
        "first_name",
        "last_name",
        "email",
        "phone",
        "language",
        "message",
        "site",
        "consent",
    ]:
        assert f'<label for="id_{name}">' in form


# Sites and who receives the details


def test_the_site_choice_offers_open_listed_sites_defaulting_to_the_first_recruiting(client, trial):
    Site.objects.filter(trial=trial, facility="Hôpital Sud").update(status="")
    html = client.get(url(trial, "page")).content.decode()
    start = html.index('<select name="site"')
    select = html[start : html.index("</select>", start)]
    assert "Closed Clinic" not in select
    assert "Hôpital Sud, Marseille, France</option>" in select
    assert (
        f'<option value="{site_id(trial, "Hôpital Nord")}" selected>Hôpital Nord, Paris, France (recruiting)'
        in select
    )


def test_a_site_of_another_trial_or_an_unlisted_site_cannot_be_chosen(client, trial):
    other = make_trial()
    response = post(client, trial, site=str(Site.objects.get(trial=other).pk))
    assert "Choose one of the study sites in the list." in response.content.decode()
    Site.objects.filter(trial=trial, facility="Closed Clinic").update(status="RECRUITING")
    Site.objects.filter(trial=trial, facility="Hôpital Sud").update(listed=False)
    response = post(client, trial, site=site_id(trial, "Hôpital Sud"))
    assert "Choose one of the study sites in the list." in response.content.decode()
    assert not ContactRequest.objects.exists()


def test_the_consent_says_exactly_who_receives_the_details(client):
    one_site = make_trial(locations=[site("Clinique A", email="team@clinique.example")])
    html = client.get(url(one_site, "page")).content.decode()
    assert (
        "sends my name, e-mail address, phone number, language and message to "
        '<span id="consent-who">the study team at Clinique A, Lyon, France: '
        "Dr Clinique A (team@clinique.example)</span>, and e-mails me a copy." in html
    )
    no_address = make_trial(locations=[])
    html = client.get(url(no_address, "page")).content.decode()
    assert (
        "the TrialFinder trial coordinators (coordinators@localhost), who pass them on to the "
        "study team at Test Sponsor" in html
    )


def test_choosing_a_site_names_its_team_in_the_consent_with_htmx(client, trial):
    response = client.post(
        url(trial, "contact/check"),
        {**PATIENT, "site": site_id(trial, "Hôpital Sud")},
        headers={"HX-Request": "true", "HX-Trigger-Name": "site"},
    )
    html = response.content.decode()
    assert '<span id="consent-who" hx-swap-oob="true">' in html
    # Hôpital Sud lists no address: the study's central contact receives it.
    assert (
        "the study&#x27;s central contact at Test Sponsor: Central Desk (desk@sponsor.example)"
        in html
    )


# E-mails


def test_the_study_team_and_the_patient_get_their_emails(client, trial):
    post(client, trial, site=site_id(trial, "Hôpital Nord"))
    assert mail.outbox == []  # queued, not sent in the request
    assert run_queue() == 2
    team, patient = sorted(mail.outbox, key=lambda m: m.to != ["nord@chu.example.fr"])
    assert team.to == ["nord@chu.example.fr"] and team.reply_to == ["zoe.quellington@example.net"]
    assert trial.nct_id in team.subject and "Quellington" not in team.subject
    assert "Name: Zoë Quellington" in team.body and "Phone: +44 20 7946 0958" in team.body
    assert (
        "Would like to speak: Welsh (cy)" in team.body and "Mornings are best for me." in team.body
    )
    assert "Site: Hôpital Nord, Paris, France" in team.body
    assert patient.to == ["zoe.quellington@example.net"]
    assert "Hello Zoë," in patient.body
    assert "Dr Hôpital Nord, nord@chu.example.fr" in patient.body
    assert "Within about 5 working days" in patient.body
    request = ContactRequest.objects.get(trial=trial)
    assert request.team_notified_at and request.patient_notified_at
    assert run_queue() == 0


@pytest.mark.parametrize(
    "chosen, expected",
    [
        ("Hôpital Nord", ["nord@chu.example.fr"]),  # the site's own contact
        ("Hôpital Sud", ["desk@sponsor.example"]),  # no site address: the central contact
    ],
)
def test_the_team_email_goes_to_the_site_else_the_central_contact(client, trial, chosen, expected):
    post(client, trial, site=site_id(trial, chosen))
    run_queue()
    assert [m.to for m in mail.outbox if m.to != [PATIENT["email"]]] == [expected]


def test_without_any_address_the_coordinator_inbox_gets_it(client, settings):
    settings.COORDINATOR_INBOX = "trials@coordinators.example"
    trial = make_trial(locations=[site("Quiet Clinic")])
    post(client, trial)
    run_queue()
    team = next(m for m in mail.outbox if m.to != [PATIENT["email"]])
    assert team.to == ["trials@coordinators.example"]
    assert "who pass them on to the study team" in team.body
    page = client.get(url(trial, "contact/sent")).content.decode()
    assert (
        "trial coordinators, who pass them on to the study team at <strong>Quiet Clinic, Lyon, France</strong>"
        in page
    )


def test_a_send_failure_retries_with_backoff_and_loses_nothing(client, trial, caplog):
    post(client, trial, site=site_id(trial, "Hôpital Nord"))
    down = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with mock.patch(LOCMEM_SEND, side_effect=down):
        before = timezone.now()
        assert run_queue() == 2
        again = DBTaskResult.objects.filter(status="READY").order_by("task_path")
        assert [t.args_kwargs["kwargs"] for t in again] == [{"attempt": 2}, {"attempt": 2}]
        assert all(
            before + dt.timedelta(seconds=59) < t.run_after < before + dt.timedelta(seconds=70)
            for t in again
        )
        assert run_queue() == 0  # not due yet
        time_passes()
        assert run_queue() == 2  # attempt 2 fails too: the next wait doubles
        third = DBTaskResult.objects.filter(status="READY").first()
        assert third.args_kwargs["kwargs"] == {"attempt": 3}
        assert third.run_after > timezone.now() + dt.timedelta(seconds=110)
    request = ContactRequest.objects.get(trial=trial)
    assert request.team_notified_at is None and mail.outbox == []
    assert not DBTaskResult.objects.filter(status="FAILED").exists()
    time_passes()
    assert run_queue() == 2  # the server is back
    assert sorted(m.to[0] for m in mail.outbox) == ["nord@chu.example.fr", PATIENT["email"]]
    request.refresh_from_db()
    assert request.team_notified_at and request.patient_notified_at
    assert "SMTPServerDisconnected" in caplog.text


def test_after_the_last_attempt_the_request_stays_stored_and_unsent(
    client, trial, settings, caplog
):
    settings.CONTACT_EMAIL_MAX_ATTEMPTS = 2
    post(client, trial)
    with mock.patch(LOCMEM_SEND, side_effect=ConnectionRefusedError()):
        run_queue()
        time_passes()
        run_queue()
    assert not DBTaskResult.objects.filter(status="READY").exists()
    request = ContactRequest.objects.get(trial=trial)
    assert request.team_notified_at is None
    assert "giving up, the request stays stored and unsent" in caplog.text


def test_a_queued_email_for_a_purged_request_is_dropped(client, trial):
    post(client, trial)
    ContactRequest.objects.all().delete()
    assert run_queue() == 2 and mail.outbox == []


def test_in_development_mails_go_to_the_console():
    from finder import settings as project_settings

    assert project_settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


# Abuse control


def test_the_honeypot_stores_and_sends_nothing(client, trial):
    response = post(client, trial, leave_empty="http://buy.example")
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not ContactRequest.objects.exists() and not DBTaskResult.objects.exists()


def test_the_same_submission_twice_within_minutes_is_stored_and_sent_once(client, trial):
    post(client, trial)
    response = post(client, trial)
    assert ContactRequest.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "We had already received this request a few minutes ago" in page
    run_queue()
    assert len(mail.outbox) == 2


def test_the_same_person_again_after_the_window_is_stored_again(client, trial):
    post(client, trial)
    ContactRequest.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    post(client, trial)
    assert ContactRequest.objects.count() == 2


def test_a_sender_over_the_hourly_limit_is_told_why(client, trial, settings):
    settings.CONTACT_LIMIT_PER_CLIENT_PER_HOUR = 2
    for n in range(2):
        assert post(client, trial, email=f"p{n}@example.net").status_code == 302
    response = post(client, trial, email="p3@example.net")
    assert response.status_code == 429
    assert "as many as we accept from one connection" in response.content.decode()
    assert ContactRequest.objects.count() == 2
    assert post(Client(REMOTE_ADDR="10.0.0.9"), trial, email="p4@example.net").status_code == 302


def test_an_email_over_the_daily_limit_is_told_why(client, trial, settings):
    settings.CONTACT_LIMIT_PER_EMAIL_PER_DAY = 1
    post(client, trial)
    response = post(
        Client(REMOTE_ADDR="10.0.0.7"),
        trial,
        message="Another try",
        email="ZOE.Quellington@example.net",
    )
    assert response.status_code == 429
    assert (
        "already received several requests with this e-mail address today"
        in response.content.decode()
    )


@pytest.fixture
def shared_cache():
    """The rate limits' counters, emptied around a test that commits what it counts."""
    caches["shared"].clear()
    yield caches["shared"]
    caches["shared"].clear()


@pytest.mark.django_db(transaction=True)
def test_posts_at_the_same_moment_cannot_pass_the_limit_together(trial, settings, shared_cache):
    """Both posts pass the form's check before either is stored; the second then waits
    for the first under submit()'s lock, counts it, and is refused."""
    settings.CONTACT_LIMIT_PER_CLIENT_PER_HOUR = 1
    both_checked = threading.Barrier(2, timeout=10)
    clean = ContactForm.clean

    def clean_then_wait(form):
        data = clean(form)
        both_checked.wait()
        return data

    def send(email, statuses):
        try:
            statuses.append(post(Client(), trial, email=email).status_code)
        finally:
            connections.close_all()

    statuses: list[int] = []
    with mock.patch.object(ContactForm, "clean", clean_then_wait):
        threads = [
            threading.Thread(target=send, args=(f"p{n}@example.net", statuses)) for n in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [302, 429]
    assert ContactRequest.objects.count() == 1


def test_the_form_needs_a_csrf_token(trial):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url(trial), PATIENT)
    assert response.status_code == 403
    assert not ContactRequest.objects.exists()


def test_a_closed_trial_takes_no_requests(client):
    closed = make_trial(status="COMPLETED")
    response = post(client, closed)
    assert response.status_code == 302
    assert "not looking for new participants" in client.get(response["Location"]).content.decode()
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize(
    "junk",
    [
        {"site": "abc", "consent": "maybe"},
        {"first_name": "\x00\x01", "phone": "\x00"},
        {"email": "a" * 5000 + "@example.org", "message": "😀" * 3000},
        {"first_name": ["a", "b"], "email": ["x", "y"]},
    ],
)
def test_bad_input_never_errors(client, trial, junk):
    response = post(client, trial, **junk)
    assert response.status_code == 200
    assert not ContactRequest.objects.exists()


def test_the_form_is_not_shown_in_unknown_trials(client):
    assert client.post("/trials/NCT09999999/contact/", PATIENT).status_code == 404
    assert client.post("/trials/nct09999999/contact/check/", PATIENT).status_code == 404


def test_the_side_effects_live_in_one_function(client, trial):
    with mock.patch.object(contact, "submit", wraps=contact.submit) as submit:
        post(client, trial)
    assert submit.call_count == 1
    assert submit.call_args.args[0] == trial


# Privacy


def test_no_personal_data_reaches_the_logs_or_the_task_queue(client, trial, caplog):
    caplog.set_level(logging.DEBUG)
    post(client, trial, site=site_id(trial, "Hôpital Nord"))
    refused = smtplib.SMTPRecipientsRefused({PATIENT["email"]: (550, b"no such user Quellington")})
    with mock.patch(LOCMEM_SEND, side_effect=refused):
        run_queue()
    time_passes()
    run_queue()
    post(client, trial, email="bad")
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "contact request" in logged  # something was logged, without the person
    for secret in PERSONAL:
        assert secret not in logged
    stored = "".join(
        f"{t.args_kwargs}{t.traceback}{t.return_value}" for t in DBTaskResult.objects.all()
    )
    for secret in PERSONAL:
        assert secret not in stored


def test_an_unexpected_email_error_fails_the_task_without_personal_data(client, trial):
    post(client, trial)
    bug = ValueError(f"bad header for {PATIENT['email']}")
    with mock.patch(LOCMEM_SEND, side_effect=bug):
        run_queue()
    failed = DBTaskResult.objects.filter(status="FAILED")
    assert failed.count() == 2
    assert all(t.exception_class_path == "trials.tasks.EmailNotSent" for t in failed)
    for secret in PERSONAL:
        assert not any(secret in t.traceback for t in failed)
    assert ContactRequest.objects.filter(trial=trial, team_notified_at=None).exists()


def test_error_reports_hide_the_form_fields(client, trial):
    client.raise_request_exception = False
    with mock.patch.object(contact, "submit", side_effect=RuntimeError("boom")):
        response = post(client, trial)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    report = ExceptionReporter(response.wsgi_request, RuntimeError, RuntimeError("boom"), None)
    text = report.get_traceback_text()
    for secret in PERSONAL:
        assert secret not in text


def test_purge_deletes_requests_older_than_the_retention_period(client, trial, settings):
    settings.CONTACT_REQUEST_RETENTION_DAYS = 30
    post(client, trial)
    post(client, trial, email="recent@example.net")
    old = ContactRequest.objects.get(email=PATIENT["email"])
    ContactRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    call_command("purge_contact_requests", "--dry-run", stdout=(out := io.StringIO()))
    assert "1 contact request older than 30 days would be deleted." in out.getvalue()
    assert ContactRequest.objects.count() == 2
    call_command("purge_contact_requests", stdout=(out := io.StringIO()))
    assert "1 contact request older than 30 days deleted." in out.getvalue()
    assert list(ContactRequest.objects.values_list("email", flat=True)) == ["recent@example.net"]
    assert not ContactRequestEvent.objects.filter(request_id=old.pk).exists()
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.DELETE)
    assert entry.contact_request_ids == [old.pk] and entry.user is None
    call_command("purge_contact_requests", stdout=(out := io.StringIO()))
    assert "0 contact requests" in out.getvalue()


# The form as a mail relay: what the copy carries, and the limits


def test_the_patients_copy_carries_nothing_the_sender_wrote_but_the_first_name(client, trial):
    post(
        client,
        trial,
        last_name="Visit the cheapest pills shop",
        message="Great offers at https://pills.example/buy",
        site=site_id(trial, "Hôpital Nord"),
    )
    run_queue()
    patient = next(m for m in mail.outbox if m.to == [PATIENT["email"]])
    assert "Hello Zoë," in patient.body
    for chosen in ["pills", "Great offers", PATIENT["phone"]]:
        assert chosen not in patient.body and chosen not in patient.subject
    assert trial.title in patient.body and "Hôpital Nord, Paris, France" in patient.body
    assert "What happens next" in patient.body
    assert f"http://127.0.0.1:8000/trials/{trial.nct_id}/" in patient.body
    assert "Did you not send this request?" in patient.body
    team = next(m for m in mail.outbox if m.to != [PATIENT["email"]])
    assert "https://pills.example/buy" in team.body  # the team still reads it all


@pytest.mark.parametrize(
    "name", ["pills.example", "Zoë cheap-pills.shop", "ｗｗｗ．pills", "Zoë http://x", "a:/b"]
)
def test_a_first_name_a_mail_client_could_make_a_link_of_is_refused(client, trial, name):
    response = post(client, trial, first_name=name)
    assert "Please enter just your first name, without links." in response.content.decode()
    assert not ContactRequest.objects.exists()


def test_initials_with_dots_are_still_a_first_name(client, trial):
    assert post(client, trial, first_name="J.R.").status_code == 302


def test_every_address_of_one_ipv6_64_shares_one_limit(trial, settings):
    settings.CONTACT_LIMIT_PER_CLIENT_PER_HOUR = 5
    statuses = [
        post(Client(REMOTE_ADDR=f"2001:db8:1:2::{n}"), trial, email=f"p{n}@example.net").status_code
        for n in range(1, 7)
    ]
    assert statuses == [302] * 5 + [429]
    other = Client(REMOTE_ADDR="2001:db8:1:3::1")  # another subscriber's /64
    assert post(other, trial, email="p9@example.net").status_code == 302


def test_an_ipv4_24_has_a_looser_limit_of_its_own(trial, settings):
    settings.CONTACT_LIMIT_PER_CLIENT_PER_HOUR = 2
    settings.CONTACT_LIMIT_PER_NETWORK_PER_HOUR = 3
    statuses = [
        post(Client(REMOTE_ADDR=f"198.51.100.{n}"), trial, email=f"p{n}@example.net").status_code
        for n in range(1, 5)
    ]
    assert statuses == [302, 302, 302, 429]
    page = post(Client(REMOTE_ADDR="198.51.100.9"), trial, email="q@example.net")
    assert "many requests from your network" in page.content.decode()
    assert post(Client(REMOTE_ADDR="198.51.101.1"), trial, email="r@example.net").status_code == 302


@pytest.mark.parametrize(
    "spellings",
    [
        ["victim@example.org", "victim+1@example.org", "VICTIM+2@Example.org"],
        ["vic.tim@gmail.com", "victim+x@googlemail.com", "V.I.C.T.I.M@gmail.com"],
    ],
)
def test_one_mailbox_however_it_is_spelt_shares_one_limit(trial, settings, spellings):
    settings.CONTACT_LIMIT_PER_EMAIL_PER_DAY = 2
    statuses = [
        post(Client(REMOTE_ADDR=f"203.0.{n}.1"), trial, email=email).status_code
        for n, email in enumerate(spellings)
    ]
    assert statuses == [302, 302, 429]
    assert contact.normalised_email("V.I.C.T.I.M+tag@GoogleMail.com") == "victim@gmail.com"


def test_a_study_site_takes_a_capped_number_of_requests_an_hour(trial, settings):
    settings.CONTACT_LIMIT_PER_SITE_PER_HOUR = 2
    nord, sud = site_id(trial, "Hôpital Nord"), site_id(trial, "Hôpital Sud")
    sent = [
        post(Client(REMOTE_ADDR=f"203.0.{n}.1"), trial, email=f"p{n}@example.net", site=nord)
        for n in range(3)
    ]
    assert [r.status_code for r in sent] == [302, 302, 429]
    assert "This study team has received many requests" in sent[-1].content.decode()
    other_site = post(Client(REMOTE_ADDR="203.0.9.1"), trial, email="q@example.net", site=sud)
    assert other_site.status_code == 302


def test_another_sender_with_the_same_details_is_not_told_of_the_earlier_request(trial):
    first = Client(REMOTE_ADDR="203.0.113.1")
    post(first, trial)
    stranger = Client(REMOTE_ADDR="198.51.100.7")
    response = post(stranger, trial)
    page = stranger.get(response["Location"]).content.decode()
    assert "already received" not in page
    assert "Your request is on its way" in page


@pytest.mark.django_db(transaction=True)
def test_the_limits_count_across_server_processes(trial, settings, shared_cache):
    """Each gunicorn worker is a process of its own: one that never saw the first
    requests still refuses the one over the limit."""
    import os
    import subprocess
    import sys

    from django.db import connection

    settings.CONTACT_LIMIT_PER_CLIENT_PER_HOUR = 2
    for n in range(2):
        assert (
            post(Client(REMOTE_ADDR="192.0.2.44"), trial, email=f"p{n}@example.net").status_code
            == 302
        )
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "from tests.test_contact import post\n"
        "from trials.models import Trial\n"
        f"trial = Trial.objects.get(nct_id={trial.nct_id!r})\n"
        "print(post(Client(REMOTE_ADDR='192.0.2.44'), trial, email='p9@example.net').status_code)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "finder.settings",
        "DJANGO_DEBUG": "true",
        "TRIALFINDER_DB_NAME": connection.settings_dict["NAME"],
        "TRIALFINDER_CONTACT_LIMIT_PER_CLIENT_PER_HOUR": "2",
    }
    other_process = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert other_process.stdout.strip() == "429", other_process.stderr
    assert ContactRequest.objects.count() == 2


# A mail server that never answers


@pytest.fixture
def silent_mail_server(settings):
    """An SMTP port that accepts connections and never says a word."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []

    def accept():
        try:
            while True:
                accepted.append(listener.accept()[0])
        except OSError:
            pass

    threading.Thread(target=accept, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = listener.getsockname()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield accepted
    listener.close()
    for conn in accepted:
        conn.close()


def test_mail_times_out_by_default():
    from django.conf import settings

    assert 0 < settings.EMAIL_TIMEOUT <= 60


@pytest.mark.django_db(transaction=True)
def test_while_the_mail_server_hangs_a_coordinator_can_still_change_the_request(
    trial, settings, silent_mail_server, shared_cache
):
    from trials import tasks, workflow

    settings.EMAIL_TIMEOUT = 3
    post(Client(REMOTE_ADDR="192.0.2.80"), trial)
    request = ContactRequest.objects.get(trial=trial)
    results = []

    def send():
        try:
            results.append(tasks.notify_study_team.call(request.pk))
        finally:
            connections.close_all()

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 5
    while not silent_mail_server and time.monotonic() < deadline:
        time.sleep(0.05)
    assert silent_mail_server, "the worker never reached the mail server"
    request.refresh_from_db()
    assert request.team_sending_since is not None  # claimed, and the claim is committed
    # The coordinator's change goes through at once, while the e-mail is being sent.
    with transaction.atomic():
        ContactRequest.objects.select_for_update(nowait=True).get(pk=request.pk)
    workflow.change_status(request.pk, ContactRequest.Status.CONTACTED, AnonymousUser())
    assert sender.is_alive()
    sender.join(timeout=15)
    assert not sender.is_alive(), "the e-mail never timed out"
    assert results == [tasks.RETRYING]
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.CONTACTED
    assert request.team_notified_at is None and request.team_sending_since is None
    assert request.team_email_attempts == 1
    queued = DBTaskResult.objects.filter(status="READY", task_path="trials.tasks.notify_study_team")
    assert {"attempt": 2} in [t.args_kwargs["kwargs"] for t in queued]


def test_an_email_another_worker_is_sending_is_not_sent_twice(client, trial):
    from trials import tasks

    post(client, trial)
    ContactRequest.objects.update(team_sending_since=timezone.now())
    assert tasks.notify_study_team.call(ContactRequest.objects.get().pk) == tasks.BEING_SENT
    ContactRequest.objects.update(team_sending_since=timezone.now() - dt.timedelta(hours=1))
    assert tasks.notify_study_team.call(ContactRequest.objects.get().pk) == tasks.SENT
    assert len(mail.outbox) == 1


# What a name or a phone number may hold


def test_format_characters_are_dropped_from_names_and_phone_numbers(client, trial):
    post(
        client,
        trial,
        first_name="Zo\u202ee\u200b",  # a right-to-left override and a zero-width space
        last_name="Ｑｕｅｌｌｉｎｇｔｏｎ",  # fullwidth letters
        phone="+44\u2066 20 7946 0958",
    )
    request = ContactRequest.objects.get(trial=trial)
    assert (request.first_name, request.last_name) == ("Zoe", "Quellington")
    assert request.phone == "+44 20 7946 0958"


def test_a_phone_number_in_other_digits_is_stored_in_ascii_digits(client, trial):
    post(client, trial, phone="+٩٦٦ ٥٠ ١٢٣ ٤٥٦٧")
    assert ContactRequest.objects.get(trial=trial).phone == "+966 50 123 4567"
