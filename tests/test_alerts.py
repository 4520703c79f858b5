"""E-mail alerts for a search: sign-up, double opt-in, what is new, sending, leaving, privacy."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import smtplib
import time
from unittest import mock

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail, signing
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from trials.alerts import sending, subscriptions
from trials.models import Alert, AlertTrial, Subscription, SubscriptionToken, Trial

from .factories import make_trial, run_queue, site

pytestmark = pytest.mark.django_db

CONDITION = "Quellington disease"
EMAIL = "zoe.quellington@example.net"
SEARCH = "condition=Quellington+disease&age=34"
LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"
LINK = re.compile(r"http://\S+")


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()  # django-ratelimit counts in the cache, which outlives a test
    yield
    cache.clear()


def later(**delta) -> None:
    """Move the subscriptions and tasks back in time, as if `delta` had passed."""
    step = dt.timedelta(**delta)
    for field in ("created_at", "confirmed_at", "matched_until", "last_sent_at", "paused_at"):
        for pk, value in Subscription.objects.values_list("pk", field):
            if value:
                Subscription.objects.filter(pk=pk).update(**{field: value - step})
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def sign_up(client, query=SEARCH, email=EMAIL, frequency="weekly", **extra):
    return client.post(f"/alerts/new/?{query}", {"email": email, "frequency": frequency}, **extra)


def without_csrf(page: str) -> str:
    return re.sub(r'(CSRFToken": "|csrfmiddlewaretoken" value=")\w+', "", page)


def links(message) -> list[str]:
    return LINK.findall(message.body)


def confirm_link(message) -> str:
    return next(u for u in links(message) if "/alerts/confirm/" in u).removeprefix(
        "http://127.0.0.1:8000"
    )


def subscribed(client, query=SEARCH, email=EMAIL, frequency="weekly") -> Subscription:
    """Sign up and follow the confirmation link, as a patient does."""
    sign_up(client, query, email, frequency)
    run_queue()
    message = mail.outbox.pop()
    client.post(confirm_link(message))
    return Subscription.objects.get(email=email, query=query.replace("%20", "+"))


def alerts_sent() -> list:
    return [m for m in mail.outbox if "match your" in m.subject or "matches your" in m.subject]


def manage_path(message, name="manage") -> str:
    url = next(u for u in links(message) if f"/alerts/{name}/" in u)
    return url.removeprefix("http://127.0.0.1:8000")


# Signing up


def test_the_search_page_offers_alerts_and_a_feed_for_its_search(client):
    make_trial(conditions=[CONDITION])
    page = client.get("/?condition=Quellington+disease&age=34&sort=newest").content.decode()
    assert "E-mail me when new trials match this search" in page
    assert 'action="/alerts/new/?condition=Quellington+disease&amp;age=34"' in page
    assert "new trials for Quellington disease, open to enrollment, for age 34" in page
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Newest trials for this search '
        '(Atom)" href="/feed/?condition=Quellington+disease&amp;age=34">'
    ) in page
    assert '<a href="/feed/?condition=Quellington+disease&amp;age=34"' in page


def test_a_corrected_search_offers_alerts_for_the_search_shown(client):
    make_trial(conditions=[CONDITION])
    page = client.get("/?condition=Quellington+disaese").content.decode()
    assert "Showing results for <strong>Quellington disease</strong>" in page
    assert 'action="/alerts/new/?condition=Quellington+disease"' in page


def test_with_htmx_the_sign_up_follows_the_search(client):
    page = client.get("/?condition=lupus&phase=PHASE2", headers={"HX-Request": "true"})
    html = page.content.decode()
    assert 'id="stay-informed" class="stay-informed" aria-labelledby' in html
    assert 'hx-swap-oob="true"' in html
    assert 'action="/alerts/new/?condition=lupus&amp;phase=PHASE2"' in html


def test_signing_up_stores_the_cleaned_search_and_emails_a_confirmation_link(client):
    response = sign_up(client, "age=34&condition=+Quellington+disease+&phase=NOPE&sort=newest")
    assert response.status_code == 302
    assert response["Location"] == "/alerts/sent/?condition=Quellington+disease&age=34"
    subscription = Subscription.objects.get()
    assert subscription.email == EMAIL
    assert subscription.criteria == {"condition": "Quellington disease", "age": 34}
    assert subscription.query == "condition=Quellington+disease&age=34"
    assert subscription.frequency == "weekly" and not subscription.is_confirmed
    page = client.get(response["Location"]).content.decode()
    assert "Check your inbox" in page
    assert "new trials for Quellington disease, open to enrollment, for age 34" in page
    assert mail.outbox == []  # queued, not sent in the request
    assert run_queue() == 1
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == "Confirm your TrialFinder e-mail alerts"
    assert "new trials for Quellington disease, open to enrollment, for age 34" in message.body
    assert "confirm within 7 days" in message.body
    assert confirm_link(message).startswith("/alerts/confirm/")


def test_every_trial_is_refused_with_a_message(client):
    for query in ("", "status=RECRUITING", "status=ALL&sort=newest"):
        response = sign_up(client, query)
        assert response.status_code == 400
        assert "We cannot send alerts about every trial" in response.content.decode()
    assert not Subscription.objects.exists()
    page = client.get("/").content.decode()
    assert "E-mail alerts need a search" in page and "alert-form" not in page


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b", "x" * 250 + "@example.org"])
def test_an_invalid_address_gets_a_clear_message(client, email):
    response = sign_up(client, email=email)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please check the form" in page
    assert re.search(r"(Enter|shorten) your e-mail address", page)
    assert not Subscription.objects.exists()


def test_a_bad_frequency_gets_a_clear_message(client):
    response = sign_up(client, frequency="hourly")
    assert response.status_code == 400
    assert "Choose daily or weekly." in response.content.decode()


def test_the_contact_confirmation_offers_alerts_for_the_trials_condition(client):
    trial = make_trial(conditions=[CONDITION, "Other"])
    client.post(
        f"/trials/{trial.nct_id}/contact/",
        {
            "first_name": "Zoë",
            "last_name": "Q",
            "email": EMAIL,
            "phone": "+44 20 7946 0958",
            "consent": "on",
        },
    )
    page = client.get(f"/trials/{trial.nct_id}/contact/sent/").content.decode()
    assert "Tell me about other trials like this one" in page
    assert "new trials for Quellington disease, open to enrollment" in page
    assert 'action="/alerts/new/?condition=Quellington+disease"' in page
    assert f'value="{EMAIL}"' in page


# Double opt-in


def test_following_the_link_shows_a_button_and_only_the_button_confirms(client):
    sign_up(client)
    run_queue()
    link = confirm_link(mail.outbox.pop())
    page = client.get(link)
    assert page.status_code == 200
    assert "Yes, start my alerts" in page.content.decode()
    assert not Subscription.objects.get().is_confirmed  # a link scanner confirms nothing
    response = client.post(link)
    assert response.status_code == 302 and "/alerts/manage/" in response["Location"]
    assert Subscription.objects.get().is_confirmed
    manage = client.get(response["Location"]).content.decode()
    assert "your alerts are confirmed" in manage
    assert "New trials for Quellington disease, open to enrollment, for age 34" in manage


def test_nothing_but_the_confirmation_goes_out_before_it_is_confirmed(client):
    sign_up(client)
    run_queue()
    mail.outbox.clear()
    make_trial(conditions=[CONDITION])
    call_command("send_alerts", stdout=io.StringIO())
    run_queue()
    assert mail.outbox == [] and not Alert.objects.exists()


def test_an_expired_link_says_so_and_offers_to_sign_up_again(client):
    sign_up(client)
    subscription = Subscription.objects.get()
    eight_days_ago = signing.b62_encode(int(time.time()) - 8 * 86400)
    with mock.patch.object(signing.TimestampSigner, "timestamp", return_value=eight_days_ago):
        token = subscriptions.confirmation_token(subscription)
    for method in (client.get, client.post):
        response = method(f"/alerts/confirm/{token}/")
        assert response.status_code == 410
        page = response.content.decode()
        assert "This link has expired" in page
        assert f'href="/alerts/new/?{SEARCH}"'.replace("&", "&amp;") in page
    assert not Subscription.objects.get().is_confirmed


@pytest.mark.parametrize("change", ["tamper", "truncate", "other salt", "junk"])
def test_a_tampered_link_gets_a_clear_page(client, change):
    sign_up(client)
    token = subscriptions.confirmation_token(Subscription.objects.get())
    token = {
        "tamper": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "truncate": token[:10],
        "other salt": signing.dumps(Subscription.objects.get().pk, salt="something.else"),
        "junk": "%00%2F..%2F<script>",
    }[change]
    response = client.post(f"/alerts/confirm/{token}/")
    assert response.status_code in (400, 404)
    assert "This link is not complete" in response.content.decode() or response.status_code == 404
    assert not Subscription.objects.get().is_confirmed


def test_the_answer_is_the_same_whether_or_not_the_address_is_subscribed(client):
    subscribed(client)
    other = Client()
    first = sign_up(other, email="new.person@example.net")
    again = sign_up(other, email=EMAIL)
    assert (first.status_code, first["Location"]) == (again.status_code, again["Location"])
    page_new = other.get(first["Location"]).content.decode()
    assert without_csrf(page_new) == without_csrf(other.get(again["Location"]).content.decode())
    assert Subscription.objects.filter(email=EMAIL).count() == 1  # the second sign-up, once
    run_queue()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "/alerts/confirm/" in by_address["new.person@example.net"].body
    note = by_address[EMAIL]
    assert note.subject == "You already get these TrialFinder alerts"
    assert "/alerts/confirm/" not in note.body and "/alerts/manage/" in note.body


def test_signing_up_again_before_confirming_sends_a_new_link_and_keeps_one_subscription(client):
    sign_up(client)
    sign_up(client, frequency="daily")
    assert Subscription.objects.get().frequency == "daily"
    run_queue()
    assert len(mail.outbox) == 2 and all("/alerts/confirm/" in m.body for m in mail.outbox)


def test_sign_ups_from_one_connection_are_limited_per_hour(client, settings):
    settings.ALERT_LIMIT_PER_CLIENT_PER_HOUR = 2
    for n in range(2):
        assert sign_up(client, email=f"p{n}@example.net").status_code == 302
    response = sign_up(client, email="p3@example.net")
    assert response.status_code == 429
    assert "several sign-ups from your connection" in response.content.decode()
    assert Subscription.objects.count() == 2
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert sign_up(other, email="p3@example.net").status_code == 302


def test_an_ipv6_client_counts_as_its_whole_slash_64(client, settings):
    settings.ALERT_LIMIT_PER_CLIENT_PER_HOUR = 1
    assert sign_up(Client(REMOTE_ADDR="2001:db8::1"), email="a@example.net").status_code == 302
    assert sign_up(Client(REMOTE_ADDR="2001:db8::2"), email="b@example.net").status_code == 429


def test_sign_ups_for_one_address_are_limited_per_day(settings):
    settings.ALERT_LIMIT_PER_EMAIL_PER_DAY = 2
    searches = ["condition=asthma", "condition=gout", "condition=lupus"]
    answers = [
        sign_up(Client(REMOTE_ADDR=f"192.0.2.{n}"), query, email=f"zoe+{n}@example.net")
        for n, query in enumerate(searches)
    ]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "several confirmation e-mails to this address" in answers[2].content.decode()
    assert Subscription.objects.count() == 2


def test_the_honeypot_stores_nothing(client):
    response = client.post(
        f"/alerts/new/?{SEARCH}", {"email": EMAIL, "frequency": "weekly", "leave_empty": "x"}
    )
    assert response.status_code == 302 and not Subscription.objects.exists()


# What counts as new


def test_a_trial_new_to_trialfinder_is_in_the_next_alert(client):
    subscribed(client)
    trial = make_trial(conditions=[CONDITION], title="Treating Quellington disease")
    assert run_queue() == 2  # the import queued a run; the run queued the alert
    (message,) = alerts_sent()
    assert message.subject == "1 new trial matches your TrialFinder search"
    assert "Treating Quellington disease" in message.body
    assert "Recruiting · Phase 2 · why: new on TrialFinder" in message.body
    assert f"http://127.0.0.1:8000/trials/{trial.nct_id}/" in message.body
    assert AlertTrial.objects.get().reason == AlertTrial.Reason.NEW


def test_a_trial_that_opens_is_in_the_next_alert_as_now_recruiting(client):
    waiting = make_trial(conditions=[CONDITION], status="NOT_YET_RECRUITING", title="Soon")
    closed = make_trial(conditions=[CONDITION], status="COMPLETED", title="Over")
    subscribed(client)
    make_trial(
        nct_id=waiting.nct_id,
        conditions=[CONDITION],
        status="RECRUITING",
        title="Soon",
        last_update="2026-02-01",
    )
    make_trial(
        nct_id=closed.nct_id,
        conditions=[CONDITION],
        status="RECRUITING",
        title="Over",
        last_update="2026-02-01",
    )
    run_queue()
    (message,) = alerts_sent()
    assert message.body.count("why: now recruiting") == 2
    assert Trial.objects.get(pk=waiting.pk).opened_at is not None


def test_a_trial_changed_in_other_ways_is_not_news(client):
    trial = make_trial(conditions=[CONDITION], title="Before")
    subscribed(client)
    make_trial(nct_id=trial.nct_id, conditions=[CONDITION], title="After", last_update="2026-03-01")
    make_trial(
        nct_id=trial.nct_id,
        conditions=[CONDITION],
        title="After",
        status="ACTIVE_NOT_RECRUITING",
        last_update="2026-03-02",
    )
    run_queue()
    assert alerts_sent() == [] and not Alert.objects.exists()


def test_a_trial_that_does_not_match_the_search_is_not_sent(client):
    subscribed(client)  # age 34, open trials
    make_trial(conditions=["Something else"])
    make_trial(conditions=[CONDITION], min_age="40 Years", max_age="60 Years")
    make_trial(conditions=[CONDITION], status="COMPLETED")
    run_queue()
    assert alerts_sent() == []


def test_each_trial_is_sent_once_per_subscription_ever(client):
    subscribed(client, frequency="daily")
    trial = make_trial(conditions=[CONDITION])
    run_queue()
    assert len(alerts_sent()) == 1
    later(days=2)
    make_trial(
        nct_id=trial.nct_id, conditions=[CONDITION], status="SUSPENDED", last_update="2026-03-01"
    )
    make_trial(
        nct_id=trial.nct_id, conditions=[CONDITION], status="RECRUITING", last_update="2026-03-02"
    )
    assert Trial.objects.get(pk=trial.pk).opened_at is not None
    run_queue()
    assert len(alerts_sent()) == 1
    assert AlertTrial.objects.count() == 1


def test_no_email_when_nothing_is_new(client):
    subscribed(client)
    out = io.StringIO()
    call_command("send_alerts", stdout=out)
    assert "1 subscription due, 0 trials new or opened, 0 sites opened: 0 alerts queued" in (
        out.getvalue()
    )
    assert "1 with nothing new" in out.getvalue()
    run_queue()
    assert mail.outbox == [] and not Alert.objects.exists()


def test_a_weekly_subscription_gets_one_email_a_week(client):
    subscribed(client)
    make_trial(conditions=[CONDITION])
    run_queue()
    make_trial(conditions=[CONDITION])
    run_queue()
    assert len(alerts_sent()) == 1  # the second trial waits for next week
    later(days=3)
    call_command("send_alerts", stdout=io.StringIO())
    run_queue()
    assert len(alerts_sent()) == 1
    later(days=4)
    call_command("send_alerts", stdout=io.StringIO())
    run_queue()
    assert len(alerts_sent()) == 2
    assert AlertTrial.objects.count() == 2


def test_an_alert_lists_20_trials_then_offers_to_see_all(client):
    subscribed(client)
    from trials.importer import import_items
    from trials.sources import Item

    from .factories import study

    records = [study(conditions=[CONDITION], title=f"Trial number {n:02d}") for n in range(25)]
    import_items([Item("test", str(n), r) for n, r in enumerate(records)])
    run_queue()
    (message,) = alerts_sent()
    assert message.subject == "25 new trials match your TrialFinder search"
    assert message.body.count("why: new on TrialFinder") == 20
    see_all = next(u for u in links(message) if "/alert/" in u)
    assert "See all 25: " + see_all in message.body
    page = client.get(see_all.removeprefix("http://127.0.0.1:8000")).content.decode()
    assert "25 trials in your alert" in page
    assert page.count("why: new on TrialFinder") == 25


def test_the_alert_is_text_and_html_and_says_why_and_for_which_search(client):
    subscribed(client)
    make_trial(conditions=[CONDITION], title="Treating Quellington disease", phases=["PHASE3"])
    run_queue()
    (message,) = alerts_sent()
    search = "new trials for Quellington disease, open to enrollment, for age 34"
    assert f"One trial newly matches your search: {search}." in message.body
    assert "you asked TrialFinder for weekly e-mail alerts about this search" in message.body
    assert "never about the same trial twice" in message.body
    assert "Change how often, pause or delete these alerts:" in message.body
    assert "Unsubscribe at once:" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert f"<strong>{search}</strong>" in html
    assert "Recruiting · Phase 3" in html and "new on TrialFinder" in html
    assert ">Unsubscribe</a>" in html
    assert CONDITION not in message.subject  # lock screens show subjects


def test_the_alert_offers_one_click_unsubscribe_in_its_headers(client):
    subscribed(client)
    make_trial(conditions=[CONDITION])
    run_queue()
    (message,) = alerts_sent()
    header = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<http://127\.0\.0\.1:8000/alerts/unsubscribe/[\w-]{43}/>", header)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


# Sending


def test_send_alerts_twice_sends_nothing_twice(client):
    subscribed(client)
    make_trial(conditions=[CONDITION])
    call_command("send_alerts", stdout=io.StringIO())
    call_command("send_alerts", stdout=io.StringIO())
    run_queue()
    call_command("send_alerts", stdout=io.StringIO())
    run_queue()
    assert len(alerts_sent()) == 1 and Alert.objects.count() == 1


def test_a_run_killed_half_way_is_completed_by_the_next_and_sends_nothing_twice(
    client, monkeypatch
):
    monkeypatch.setattr(sending, "SEND_BATCH", 1)  # a transaction per subscription here
    people = [subscribed(Client(), email=f"p{n}@example.net") for n in range(4)]
    DBTaskResult.objects.all().delete()
    make_trial(conditions=[CONDITION])
    DBTaskResult.objects.all().delete()  # the import's own run is left out here
    deliver, calls = sending._deliver, []

    def killed_after_two(*args):
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is stopped
        calls.append(args)
        return deliver(*args)

    with mock.patch.object(sending, "_deliver", killed_after_two):
        with pytest.raises(KeyboardInterrupt):
            sending.send_due()
    assert Alert.objects.count() == 2
    out = io.StringIO()
    call_command("send_alerts", stdout=out)
    assert "2 alerts queued" in out.getvalue()
    run_queue()
    assert sorted(m.to[0] for m in alerts_sent()) == sorted(p.email for p in people)


def test_a_mail_server_that_is_down_loses_nothing(client, caplog):
    subscribed(client)
    make_trial(conditions=[CONDITION])
    down = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with mock.patch(LOCMEM_SEND, side_effect=down):
        run_queue()
        retry = DBTaskResult.objects.get(status="READY")
        assert retry.task_path == "trials.alerts.tasks.send_alerts"
        assert retry.args_kwargs == {"args": [[Alert.objects.get().pk]], "kwargs": {"attempt": 2}}
    assert alerts_sent() == [] and Alert.objects.get().sent_at is None
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_queue()
    assert len(alerts_sent()) == 1 and Alert.objects.get().sent_at is not None
    assert "SMTPServerDisconnected" in caplog.text
    run_queue()
    assert len(alerts_sent()) == 1


def test_a_paused_subscription_gets_nothing_and_resumes_with_what_is_new_from_then(client):
    subscription = subscribed(client)
    client.post(manage_path_for(subscription), {"action": "pause"})
    make_trial(conditions=[CONDITION])
    run_queue()
    assert alerts_sent() == []
    client.post(manage_path_for(subscription), {"action": "resume"})
    call_command("send_alerts", stdout=io.StringIO())
    run_queue()
    assert alerts_sent() == []
    make_trial(conditions=[CONDITION])
    run_queue()
    assert len(alerts_sent()) == 1


def manage_path_for(subscription: Subscription) -> str:
    return f"/alerts/manage/{subscriptions.new_token(subscription)}/"


# Managing and leaving


def test_the_manage_page_changes_the_frequency_and_keeps_the_alerts(client):
    subscription = subscribed(client)
    path = manage_path_for(subscription)
    page = client.get(path)
    assert page["Cache-Control"] == "no-store" and page["X-Robots-Tag"] == "noindex"
    assert page["Referrer-Policy"] == "same-origin"  # the address holds the token
    assert "New trials for Quellington disease" in page.content.decode()
    response = client.post(path, {"action": "frequency", "frequency": "daily"})
    assert response.status_code == 302
    assert "at most as often as you chose" in client.get(response["Location"]).content.decode()
    assert Subscription.objects.get().frequency == "daily"
    assert client.post(path, {"action": "frequency", "frequency": "yearly"}).status_code == 400
    Subscription.objects.update(confirmed_at=timezone.now() - dt.timedelta(days=300))
    client.post(path, {"action": "keep"})
    kept = Subscription.objects.get().confirmed_at
    assert timezone.now() - kept < dt.timedelta(minutes=1)


def test_the_manage_page_needs_a_valid_link(client):
    for token in ("x" * 43, "short", "%00", "%F0%9F%98%80"):
        response = client.get(f"/alerts/manage/{token}/")
        assert response.status_code == 404
        assert "No alerts found for this link" in response.content.decode()


def test_tokens_are_stored_only_as_hashes(client):
    subscription = subscribed(client)
    token = subscriptions.new_token(subscription)
    assert not SubscriptionToken.objects.filter(digest__contains=token).exists()
    assert subscriptions.by_token(token) == subscription


def test_unsubscribe_get_shows_one_button_and_changes_nothing(client):
    subscription = subscribed(client)
    token = subscriptions.new_token(subscription)
    page = client.get(f"/alerts/unsubscribe/{token}/").content.decode()
    assert page.count('type="submit"') == 1 and "Unsubscribe" in page
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_one_click_post_without_cookies_or_csrf_token_unsubscribes_and_deletes_everything(client):
    subscription = subscribed(client)
    make_trial(conditions=[CONDITION])
    run_queue()
    (message,) = alerts_sent()
    url = (
        message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    )
    provider = Client(enforce_csrf_checks=True)  # no cookie, no token: a mail provider
    response = provider.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert not SubscriptionToken.objects.exists()
    assert not Alert.objects.exists() and not AlertTrial.objects.exists()
    again = provider.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200 and "You are unsubscribed" in again.content.decode()
    assert provider.get(url).status_code == 404


def test_deleting_from_the_manage_page_deletes_at_once(client):
    subscription = subscribed(client)
    response = client.post(manage_path_for(subscription), {"action": "delete"})
    assert "You are unsubscribed" in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_queued_alert_of_someone_who_unsubscribed_is_dropped(client):
    subscription = subscribed(client)
    make_trial(conditions=[CONDITION])
    call_command("send_alerts", stdout=io.StringIO())
    subscriptions.unsubscribe(subscription)
    run_queue()
    assert alerts_sent() == []


def test_purge_deletes_unconfirmed_sign_ups_and_subscriptions_not_reconfirmed(client, settings):
    settings.ALERT_RETENTION_DAYS = 365
    kept = subscribed(client, email="kept@example.net")
    old = subscribed(client, email="old@example.net")
    soon = subscribed(client, email="soon@example.net")
    sign_up(client, email="never@example.net")
    now = timezone.now()
    Subscription.objects.filter(pk=old.pk).update(confirmed_at=now - dt.timedelta(days=366))
    Subscription.objects.filter(pk=soon.pk).update(confirmed_at=now - dt.timedelta(days=360))
    Subscription.objects.filter(email="never@example.net").update(
        created_at=now - dt.timedelta(days=8)
    )
    call_command("purge_alerts", "--dry-run", stdout=(out := io.StringIO()))
    assert "1 sign-up not confirmed within 7 days would be deleted." in out.getvalue()
    assert Subscription.objects.count() == 4
    run_queue()
    mail.outbox.clear()
    call_command("purge_alerts", stdout=(out := io.StringIO()))
    assert "1 subscription not re-confirmed for 365 days deleted." in out.getvalue()
    assert "1 reminder to re-confirm queued." in out.getvalue()
    assert set(Subscription.objects.values_list("email", flat=True)) == {kept.email, soon.email}
    run_queue()
    (reminder,) = mail.outbox
    assert reminder.to == [soon.email] and "Keep my alerts" in reminder.body
    call_command("purge_alerts", stdout=(out := io.StringIO()))
    assert "0 reminders to re-confirm queued." in out.getvalue()
    client.post(manage_path(reminder), {"action": "keep"})
    assert Subscription.objects.get(pk=soon.pk).reminded_at is None


def test_purge_deletes_more_subscriptions_than_one_statement_can_name():
    long_ago = timezone.now() - dt.timedelta(days=800)
    Subscription.objects.bulk_create(
        Subscription(
            email=f"person{i}@example.org",
            query="condition=asthma",
            criteria={"condition": "asthma"},
            confirmed_at=long_ago,
            matched_until=long_ago,
        )
        for i in range(70_000)
    )
    call_command("purge_alerts", stdout=(out := io.StringIO()))
    assert "70000 subscriptions not re-confirmed" in out.getvalue().replace(",", "")
    assert not Subscription.objects.exists()


# The feed


def test_the_feed_is_atom_with_the_newest_matching_trials_and_their_status_and_phase(client):
    from xml.etree import ElementTree

    make_trial(conditions=[CONDITION], title="Older one", phases=["PHASE1"])
    make_trial(conditions=[CONDITION], title="Closed one", status="COMPLETED")
    response = client.get("/feed/?condition=Quellington+disease&sort=relevance")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{atom}feed"
    # RFC 4287: a feed has an id, a title, updated and an author; each entry an id, a
    # title, updated and a link (alternate).
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{atom}{name}") is not None, name
    assert feed.find(f"{atom}title").text == (
        "TrialFinder: Trials for Quellington disease, open to enrollment"
    )
    entries = feed.findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries] == ["Older one"]
    entry = entries[0]
    for name in ("id", "title", "updated", "link", "summary"):
        assert entry.find(f"{atom}{name}") is not None, name
    assert entry.find(f"{atom}summary").text.startswith("Status: Recruiting · Phase: Phase 1")
    assert {c.get("term") for c in entry.findall(f"{atom}category")} == {"Recruiting", "Phase 1"}
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", entry.find(f"{atom}updated").text
    )


def test_a_feed_with_bad_parameters_is_still_a_feed(client):
    response = client.get("/feed/?age=-4&phase=NOPE&status=WHAT&page=zz")
    assert response.status_code == 200
    assert b"<feed" in response.content


# Admin


def test_superusers_see_counts_and_delete_one_addresss_subscriptions(client):
    subscribed(client, email="a@example.net")
    subscribed(client, "condition=gout", email="a@example.net", frequency="daily")
    sign_up(client, "condition=asthma", email="b@example.net")
    admin = User.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client.force_login(admin)
    page = client.get("/admin/trials/subscription/").content.decode()
    assert "Subscriptions (3)" in page
    assert '<th scope="row">Weekly</th><td>1</td><td>0</td><td>1</td><td>2</td>' in page
    assert "a@example.net" not in page and "condition=gout" not in page
    found = client.post("/admin/trials/subscription/", {"email": "A@example.net"})
    assert "2 subscriptions of this address will be deleted" in found.content.decode()
    client.post("/admin/trials/subscription/", {"email": "a@example.net", "confirmed": "True"})
    assert list(Subscription.objects.values_list("email", flat=True)) == ["b@example.net"]


def test_coordinators_see_no_subscriptions(client):
    user = User.objects.create_user("alice", "alice@example.org", "a-long-password-1")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Coordinators"))
    client.force_login(user)
    assert client.get("/admin/trials/subscription/").status_code == 403
    assert "Subscription" not in client.get("/admin/").content.decode()


# Privacy


def test_no_address_search_or_token_reaches_the_logs_or_the_task_queue(client, caplog):
    caplog.set_level(logging.DEBUG)
    subscription = subscribed(client)
    make_trial(conditions=[CONDITION])
    refused = smtplib.SMTPRecipientsRefused({EMAIL: (550, b"no such user quellington")})
    with mock.patch(LOCMEM_SEND, side_effect=refused):
        run_queue()
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_queue()
    sign_up(client, email="bad")
    tokens = [confirm_link(m) for m in mail.outbox if "/alerts/confirm/" in m.body]
    tokens += [manage_path(m) for m in alerts_sent()]
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert f"subscription {subscription.pk}" in logged  # something was logged, by id
    stored = "".join(
        f"{t.args_kwargs}{t.traceback}{t.return_value}" for t in DBTaskResult.objects.all()
    )
    for secret in ["quellington", "Quellington", "age=34", *tokens]:
        assert secret not in logged and secret not in stored


def test_bad_input_to_the_alert_pages_never_errors(client):
    for path in (
        "/alerts/new/?age=abc&condition=" + "x" * 400,
        "/alerts/new/?status=%00",
        "/alerts/sent/?phase=NOPE",
        "/alerts/confirm/abc:def:ghi/",
        "/alerts/manage/%F0%9F%98%80/",
        "/alerts/manage/" + "a" * 43 + "/alert/99999999/",
        "/alerts/unsubscribe/" + "b" * 43 + "/",
    ):
        assert client.get(path).status_code < 500, path
        assert client.post(path, {"email": "a@b.example", "frequency": "weekly"}).status_code < 500


def test_a_search_changed_while_signing_up_is_stored_as_shown(client):
    response = sign_up(client, "condition=lupus%20nephritis&status=RECRUITING&status=ALL")
    assert response.status_code == 302
    assert Subscription.objects.get().criteria == {
        "condition": "lupus nephritis",
        "chosen": {"status": []},
    }


# Matching the changed trials


SEARCHES = [
    {"condition": "lupus nephritis"},
    {"condition": "breast cancer", "age": 50},
    {"condition": "erectile dysfunction", "status": ["ALL"]},
    {"condition": "diabetes", "phase": ["PHASE2", "PHASE3"]},
    {"condition": "Crohn's disease", "sex": ["FEMALE"]},
    {"condition": "no such condition at all"},
    {"condition": "the"},
    {"q": "stem cell"},
    {"q": '"quality of life"', "status": ["ALL"]},
    {"q": "pain OR fatigue"},
    {"q": "cancer -breast", "age": 70},
    {"q": "zzqx"},
    {"age": 8, "healthy": ["true"]},
    {"age_group": ["OLDER_ADULT"], "type": ["OBSERVATIONAL"], "status": ["ALL"]},
    {"country": ["France", "Germany"], "has_results": ["true"], "status": ["COMPLETED"]},
    {"condition": "cancer", "q": "immunotherapy", "country": ["United States"], "age": 45},
]


@pytest.mark.parametrize(
    "search", SEARCHES, ids=lambda s: "&".join(f"{k}={v}" for k, v in s.items())
)
def test_the_changed_trials_match_a_search_exactly_as_the_search_page_finds_them(search):
    from trials.search import sql
    from trials.search.criteria import Criteria
    from trials.search.subset import Subset

    chosen = {
        k: [] if v == ["ALL"] else v
        for k, v in search.items()
        if k not in ("q", "condition", "age")
    }
    criteria = Criteria.of(
        q=search.get("q", ""),
        condition=search.get("condition", ""),
        age=search.get("age"),
        **chosen,
    )
    ids = list(Trial.objects.values_list("pk", flat=True))
    subset = Subset(ids)
    found = set(subset.ids[subset.matching(criteria)].tolist())
    assert found == set(sql.among(criteria, ids))
    some = ids[::7]  # a part of the store: only those trials
    part = Subset(some)
    assert set(part.ids[part.matching(criteria)].tolist()) == found & set(some)


@pytest.mark.parametrize(
    ("status", "search"),
    [([], {}), (["COMPLETED", "RECRUITING"], {}), ([], {"condition": "Lupus"})],
)
def test_a_search_near_a_place_keeps_its_place_and_matches_as_the_search_page_finds(status, search):
    from trials.geo import Near
    from trials.search import sql
    from trials.search.criteria import Criteria
    from trials.search.subset import Subset

    near = Near.at("Paris", 48.86, 2.35)
    criteria = Criteria.of(near=near, radius=["100"], status=status, **search)
    stored = Criteria.from_json(criteria.as_json())
    assert stored == criteria
    assert "within 100 km of Paris" in stored.in_words()
    ids = list(Trial.objects.values_list("pk", flat=True))
    subset = Subset(ids)
    found = set(subset.ids[subset.matching(stored)].tolist())
    assert 0 < len(found) < len(ids)
    assert found == set(sql.page(stored, 0, len(ids)))


def test_the_importer_records_when_a_trial_came_and_when_it_opened():
    before = timezone.now()
    trial = make_trial(status="NOT_YET_RECRUITING")
    assert before < trial.first_imported_at <= timezone.now() and trial.opened_at is None
    make_trial(nct_id=trial.nct_id, status="RECRUITING", last_update="2026-02-01")
    opened = Trial.objects.get(pk=trial.pk)
    assert opened.first_imported_at == trial.first_imported_at and opened.opened_at > before
    make_trial(nct_id=trial.nct_id, status="ACTIVE_NOT_RECRUITING", last_update="2026-03-01")
    assert Trial.objects.get(pk=trial.pk).opened_at == opened.opened_at


@pytest.mark.parametrize(
    "before, after, opens",
    [
        ("NOT_YET_RECRUITING", "RECRUITING", True),
        ("COMPLETED", "RECRUITING", True),
        ("SUSPENDED", "NOT_YET_RECRUITING", True),
        ("ACTIVE_NOT_RECRUITING", "ENROLLING_BY_INVITATION", True),
        ("RECRUITING", "RECRUITING", False),
        ("RECRUITING", "NOT_YET_RECRUITING", False),
        ("ENROLLING_BY_INVITATION", "RECRUITING", False),
        ("RECRUITING", "COMPLETED", False),
    ],
)
def test_a_trial_opens_when_it_moves_into_an_open_status_or_starts_recruiting(before, after, opens):
    from trials.vocabularies import opens as opening

    assert opening(before, after) is opens


@pytest.mark.parametrize(
    "query, words",
    [
        (
            "condition=lupus&q=stem+cell",
            "new trials for lupus matching “stem cell”, open to enrollment",
        ),
        ("q=stem+cell&age=34", "new trials matching “stem cell”, open to enrollment, for age 34"),
        (
            "condition=gout&status=RECRUITING&status=NOT_YET_RECRUITING&phase=PHASE3",
            "new trials for gout, recruiting or not yet recruiting, phase: Phase 3",
        ),
        (
            "condition=gout&status=ALL&country=France",
            "new trials for gout, in any status, in France",
        ),
    ],
)
def test_the_sign_up_says_the_search_in_words(client, query, words):
    assert words in client.get(f"/alerts/new/?{query}").content.decode()


def test_one_task_sends_many_alerts_and_queues_again_only_those_not_sent(client, monkeypatch):
    monkeypatch.setattr(sending, "ALERTS_PER_TASK", 10)
    people = [subscribed(Client(), email=f"p{n}@example.net") for n in range(3)]
    DBTaskResult.objects.all().delete()
    make_trial(conditions=[CONDITION])
    DBTaskResult.objects.all().delete()
    sending.send_due()
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs == {
        "args": [sorted(Alert.objects.values_list("pk", flat=True))],
        "kwargs": {},
    }
    calls = []

    def second_fails(messages):
        calls.append(messages)
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("gone")
        return len(messages)

    with mock.patch(LOCMEM_SEND, side_effect=second_fails):
        run_queue()
    retry = DBTaskResult.objects.get(status="READY")
    assert len(retry.args_kwargs["args"][0]) == 2  # the first was sent
    assert Alert.objects.filter(sent_at__isnull=False).count() == 1
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_queue()
    assert Alert.objects.filter(sent_at__isnull=True).count() == 0
    assert len(people) == 3


# A new site near the place of a search

NEAR_LYON = "condition=Quellington+disease&near=Lyon&lat=45.76&lon=4.84&radius=50&unit=km"
MARSEILLE = site("Far Clinic", "Marseille", 43.30, 5.37)  # 277 km from Lyon
VILLEURBANNE = site("Near Clinic", "Villeurbanne", 45.77, 4.88)  # 3 km
LYON = site("Lyon Clinic", "Lyon", 45.75, 4.85, status="NOT_YET_RECRUITING")  # 1 km


def subscribed_near(client, email=EMAIL) -> Subscription:
    sign_up(client, NEAR_LYON, email, frequency="daily")
    run_queue()
    client.post(confirm_link(mail.outbox.pop()))
    return Subscription.objects.get(email=email)


def reimport(trial: Trial, month: int, locations: list[dict], status="RECRUITING") -> None:
    make_trial(
        nct_id=trial.nct_id,
        conditions=[CONDITION],
        status=status,
        title=trial.brief_title,
        locations=locations,
        last_update=f"2026-{month:02d}-01",
    )


def test_the_importer_records_when_a_site_opened_in_a_trial_already_here():
    trial = make_trial(conditions=[CONDITION], locations=[MARSEILLE, LYON])
    assert not trial.sites.filter(opened_at__isnull=False).exists()  # the trial itself is new
    closed = {**VILLEURBANNE, "facility": "Closed Clinic", "status": "COMPLETED"}
    reimport(trial, 2, [MARSEILLE, {**LYON, "status": "RECRUITING"}, VILLEURBANNE, closed])
    opened = dict(trial.sites.values_list("facility", "opened_at"))
    assert opened["Far Clinic"] is None and opened["Closed Clinic"] is None
    assert opened["Lyon Clinic"] is not None and opened["Near Clinic"] is not None
    reimport(trial, 3, [MARSEILLE, {**LYON, "status": "RECRUITING"}, VILLEURBANNE, closed])
    assert dict(trial.sites.values_list("facility", "opened_at")) == opened


def test_a_site_opened_within_the_searchs_distance_is_in_the_next_alert_once(client):
    far = make_trial(conditions=[CONDITION], title="Only in Marseille", locations=[MARSEILLE])
    subscribed_near(client)
    plain = subscribed(client, email="other@example.net")  # the same search with no place
    run_queue()
    reimport(far, 2, [MARSEILLE, VILLEURBANNE])
    run_queue()
    (message,) = alerts_sent()
    assert message.to == [EMAIL]
    assert "Only in Marseille" in message.body
    assert "why: new site in Villeurbanne, 3 km" in message.body
    item = AlertTrial.objects.get()
    assert (item.reason, item.site_city, round(item.site_km)) == ("site", "Villeurbanne", 3)
    assert plain.alerts.count() == 0

    # Another site near Lyon later: the trial was sent once, it is not sent again.
    mail.outbox.clear()
    later(days=2)
    reimport(far, 3, [MARSEILLE, VILLEURBANNE, {**LYON, "status": "RECRUITING"}])
    run_queue()
    assert [m for m in alerts_sent() if m.to == [EMAIL]] == []
    assert AlertTrial.objects.filter(subscription__email=EMAIL).count() == 1


def test_a_site_opened_beyond_the_distance_or_closed_is_not_news(client):
    far = make_trial(conditions=[CONDITION], title="Far", locations=[MARSEILLE])
    near = make_trial(conditions=[CONDITION], title="Near", locations=[VILLEURBANNE])
    subscribed_near(client)
    reimport(far, 2, [MARSEILLE, {**MARSEILLE, "facility": "Second Far Clinic"}])
    reimport(near, 2, [VILLEURBANNE, {**LYON, "status": "COMPLETED"}])
    run_queue()
    assert alerts_sent() == []


def test_a_site_that_opens_near_the_place_is_news_and_says_where(client):
    trial = make_trial(conditions=[CONDITION], title="Opening in Lyon", locations=[MARSEILLE, LYON])
    subscribed_near(client)
    reimport(trial, 2, [MARSEILLE, {**LYON, "status": "RECRUITING"}])
    run_queue()
    (message,) = alerts_sent()
    assert "why: new site in Lyon, 1 km" in message.body
    html = message.alternatives[0][0]
    assert "new site in Lyon, 1 km" in html
