"""Shared lists on the server: what it stores, when it releases the ciphertext, how it
bounds guessing, expiry, revoking, the purge, and the privacy of every answer.

The browser's encryption is tested in tests/browser/test_my_trials_flow.py; here the
bodies carry random bytes, which is all the server ever sees.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os

import pytest
from django.conf import global_settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from trials import sharing
from trials.models import SharedList, ShareLimitEvent

pytestmark = pytest.mark.django_db

CREATE = "/api/shares/"
UNLOCK = "/api/shares/unlock/"
REVOKE = "/api/shares/revoke/"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sealed(**overrides) -> dict:
    """A valid body for CREATE: random bytes where the browser sends encrypted ones."""
    return {
        "version": 1,
        "ciphertext": b64(os.urandom(200)),
        "iv": b64(os.urandom(12)),
        "salt": b64(os.urandom(16)),
        "iterations": 600_000,
        "verifier": b64(os.urandom(32)),
        **overrides,
    }


def post(client, url: str, body, **extra):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **extra)


@pytest.fixture(autouse=True)
def fast_hashes(settings):
    """A fast hasher keeps the tests short; the rules do not depend on the hasher (the
    first test checks the real one)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def shared(client):
    """A list shared from the client, with what the sharer's browser keeps."""
    body = sealed()
    response = post(client, CREATE, body)
    assert response.status_code == 201, response.content
    return {**response.json(), "body": body}


def unlock(client, share, verifier=None, **extra):
    return post(
        client,
        UNLOCK,
        {"id": share["id"], "verifier": verifier or share["body"]["verifier"]},
        **extra,
    )


def wrong(client, share, **extra):
    return unlock(client, share, verifier=b64(os.urandom(32)), **extra)


def other_client(number: int) -> dict:
    return {"REMOTE_ADDR": f"203.0.113.{number}"}


# Sharing


def test_the_server_stores_the_ciphertext_and_only_hashes_of_the_verifier_and_revoke_token(
    client, settings
):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    body = sealed()
    shared = post(client, CREATE, body).json()
    row = SharedList.objects.get()
    assert bytes(row.ciphertext) == base64.b64decode(body["ciphertext"])
    assert bytes(row.iv) == base64.b64decode(body["iv"])
    assert bytes(row.salt) == base64.b64decode(body["salt"])
    assert row.iterations == 600_000
    assert row.verifier_hash.startswith("pbkdf2_sha256$")
    assert body["verifier"] not in row.verifier_hash
    assert shared["revoke_token"] not in row.revoke_token_hash
    assert shared["url"].endswith(f"/shared/{row.link_id}/")
    assert unlock(client, {**shared, "body": body}).status_code == 200


def test_a_link_id_is_random_and_carries_128_bits(client, shared):
    other = post(client, CREATE, sealed()).json()
    assert other["id"] != shared["id"]
    for link_id in (shared["id"], other["id"]):
        assert len(base64.urlsafe_b64decode(link_id + "==")) == 16


def test_a_link_lasts_30_days_unless_the_sharer_chooses_up_to_90(client, shared):
    expires = dt.datetime.fromisoformat(shared["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    ninety = post(client, CREATE, sealed(days=90))
    assert ninety.status_code == 201
    expires = dt.datetime.fromisoformat(ninety.json()["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    for days in (0, 91, "many"):
        response = post(client, CREATE, sealed(days=days))
        assert response.status_code == 400
        assert "days" in response.json()["parameters"]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        sealed(ciphertext="not base64!"),
        sealed(iv=b64(os.urandom(16))),
        sealed(salt=b64(os.urandom(4))),
        sealed(iterations=1000),
        sealed(iterations=50_000_000),
        sealed(verifier=b64(os.urandom(31))),
        sealed(version=2),
        sealed(ciphertext=b64(os.urandom(sharing.MAX_CIPHERTEXT_BYTES + 1))),
        {"version": 1},
    ],
    ids=[
        "not-json",
        "an-array",
        "bad-base64",
        "long-iv",
        "short-salt",
        "few-iterations",
        "too-many-iterations",
        "short-verifier",
        "unknown-version",
        "too-large",
        "missing-fields",
    ],
)
def test_a_malformed_share_gets_a_400_and_stores_nothing(client, body):
    response = post(client, CREATE, body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert not SharedList.objects.exists()


def test_a_shared_list_cannot_outlive_90_days_in_the_database(client, shared):
    row = SharedList.objects.get()
    row.expires_at = row.created_at + dt.timedelta(days=91)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_one_address_shares_a_limited_number_of_lists_a_day(client, settings):
    settings.SHARE_LIMIT_PER_CLIENT_PER_DAY = 2
    assert post(client, CREATE, sealed()).status_code == 201
    assert post(client, CREATE, sealed()).status_code == 201
    refused = post(client, CREATE, sealed())
    assert refused.status_code == 429
    assert "tomorrow" in refused.json()["message"]
    assert int(refused["Retry-After"]) > 0
    assert post(client, CREATE, sealed(), **other_client(9)).status_code == 201
    assert SharedList.objects.count() == 3


def test_sharing_needs_the_sites_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, CREATE, sealed()).status_code == 403
    assert not SharedList.objects.exists()


# Opening


def test_the_right_verifier_releases_the_ciphertext(client, shared):
    response = unlock(client, shared)
    assert response.status_code == 200
    data = response.json()
    assert data["ciphertext"] == shared["body"]["ciphertext"]
    assert data["iv"] == shared["body"]["iv"]
    assert data["version"] == 1


def test_a_wrong_verifier_releases_nothing_and_says_how_many_tries_are_left(client, shared):
    response = wrong(client, shared)
    assert response.status_code == 403
    data = response.json()
    assert "ciphertext" not in data
    assert data == {
        "error": "wrong_passcode",
        "message": "That passcode is not right.",
        "tries_before_lock": 4,
        "tries_left": 19,
    }


def test_five_wrong_passcodes_lock_the_link_even_for_the_right_one(client, shared):
    for _ in range(4):
        assert wrong(client, shared).status_code == 403
    locked = wrong(client, shared)
    assert locked.status_code == 429
    assert locked.json()["error"] == "locked"
    until = dt.datetime.fromisoformat(locked.json()["locked_until"])
    assert abs(until - (timezone.now() + sharing.FIRST_LOCK)) < dt.timedelta(seconds=30)
    assert 250 <= int(locked["Retry-After"]) <= 300
    right = unlock(client, shared)
    assert right.status_code == 429 and "ciphertext" not in right.json()


def test_each_further_wrong_passcode_locks_the_link_twice_as_long(client, shared):
    SharedList.objects.update(failed_attempts=5)
    wrong(client, shared)  # the 6th
    row = SharedList.objects.get()
    assert row.locked_until - timezone.now() == pytest.approx(
        dt.timedelta(minutes=10), abs=dt.timedelta(seconds=30)
    )
    assert [sharing.lock_after(n) for n in (4, 5, 6, 7, 14)] == [
        None,
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=10),
        dt.timedelta(minutes=20),
        dt.timedelta(hours=24),
    ]


def test_the_right_passcode_after_a_lock_opens_and_clears_the_count(client, shared):
    for _ in range(5):
        wrong(client, shared)
    SharedList.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    opened = unlock(client, shared)
    assert opened.status_code == 200, opened.json()
    row = SharedList.objects.get()
    assert (row.failed_attempts, row.locked_until) == (0, None)


def test_twenty_wrong_passcodes_destroy_the_link(client, settings, shared):
    settings.SHARE_WRONG_PASSCODES_PER_CLIENT_PER_HOUR = 100
    for attempt in range(1, 20):
        SharedList.objects.update(locked_until=None)  # the locks' time passes
        assert wrong(client, shared).status_code in (403, 429), attempt
    SharedList.objects.update(locked_until=None)
    last = wrong(client, shared)
    assert last.status_code == 410
    assert last.json()["error"] == "destroyed"
    assert not SharedList.objects.exists()
    assert unlock(client, shared).status_code == 410
    assert client.get(f"/shared/{shared['id']}/").status_code == 410


def test_one_address_is_limited_across_links(client, settings):
    settings.SHARE_WRONG_PASSCODES_PER_CLIENT_PER_HOUR = 3
    links = [post(client, CREATE, sealed()).json() | {"body": {}} for _ in range(4)]
    for share in links[:3]:
        assert wrong(client, share).status_code == 403
    refused = wrong(client, links[3])
    assert refused.status_code == 429 and refused.json()["error"] == "too_many"
    assert int(refused["Retry-After"]) == 3600
    assert wrong(client, links[3], **other_client(7)).status_code == 403
    assert ShareLimitEvent.objects.filter(kind="WRONG").count() == 4


def test_the_limits_count_a_hash_of_the_address_never_the_address(client, shared):
    wrong(client, shared, **other_client(42))
    stored = list(ShareLimitEvent.objects.values_list("client_hash", flat=True))
    assert stored and all("203.0.113" not in value and len(value) == 64 for value in stored)


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        '{"id": "x"}',
        '{"verifier": "AAAA"}',
        "nonsense",
        json.dumps({"id": "A" * 65, "verifier": b64(bytes(32))}),
    ],
)
def test_a_malformed_unlock_gets_a_400(client, body):
    response = post(client, UNLOCK, body)
    assert response.status_code == 400


def test_an_unknown_link_answers_that_it_has_expired(client):
    verifier = b64(os.urandom(32))
    response = post(client, UNLOCK, {"id": "A" * 22, "verifier": verifier})
    assert response.status_code == 410 and response.json()["error"] == "expired"
    page = client.get("/shared/nothing-here/")
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()


# The page a link opens


def test_the_page_of_a_link_asks_for_the_passcode_and_carries_what_decrypting_needs(client, shared):
    response = client.get(f"/shared/{shared['id']}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'for="passcode"' in html and "Passcode" in html
    assert f'data-salt="{shared["body"]["salt"]}"' in html
    assert 'data-iterations="600000"' in html
    assert shared["body"]["ciphertext"] not in html
    assert "needs JavaScript" in html  # the noscript explanation
    assert "js/mytrials/shared.js" in html


# Expiry, revoking and the purge


def test_an_expired_link_answers_that_it_has_expired_and_the_purge_deletes_it(client, shared):
    SharedList.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    page = client.get(f"/shared/{shared['id']}/")
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()
    assert unlock(client, shared).status_code == 410
    keep = post(client, CREATE, sealed()).json()
    out = _purge()
    assert "1 expired shared list deleted" in out
    assert list(SharedList.objects.values_list("link_id", flat=True)) == [keep["id"]]
    assert "0 expired shared lists deleted" in _purge()


def test_the_purge_forgets_the_limits_counts_after_a_day(client, shared):
    wrong(client, shared)  # counted with the sharing itself: two counts
    ShareLimitEvent.objects.update(at=timezone.now() - dt.timedelta(days=1, minutes=1))
    wrong(client, shared)
    assert "2 per-address counts deleted" in _purge()
    assert list(ShareLimitEvent.objects.values_list("kind", flat=True)) == ["WRONG"]


def test_a_dry_run_of_the_purge_deletes_nothing(client, shared):
    SharedList.objects.update(expires_at=timezone.now())
    assert "1 expired shared list would be deleted" in _purge("--dry-run")
    assert SharedList.objects.count() == 1


def _purge(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("purge_shared_lists", *args, stdout=out)
    return out.getvalue()


def test_revoking_with_the_token_deletes_the_list_at_once(client, shared):
    response = post(client, REVOKE, {"id": shared["id"], "token": shared["revoke_token"]})
    assert response.status_code == 204
    assert not SharedList.objects.exists()
    assert client.get(f"/shared/{shared['id']}/").status_code == 410
    # Revoking again is harmless.
    again = post(client, REVOKE, {"id": shared["id"], "token": shared["revoke_token"]})
    assert again.status_code == 204


def test_a_wrong_revoke_token_changes_nothing(client, shared):
    response = post(client, REVOKE, {"id": shared["id"], "token": "not-the-token"})
    assert response.status_code == 403
    assert SharedList.objects.count() == 1
    assert unlock(client, shared).status_code == 200


# Privacy of every answer


def test_every_answer_about_a_shared_list_is_private(client, shared):
    answers = [
        client.get(f"/shared/{shared['id']}/"),
        client.get("/shared/unknown/"),
        post(client, CREATE, sealed()),
        post(client, CREATE, "nonsense"),
        unlock(client, shared),
        wrong(client, shared),
        post(client, REVOKE, {"id": "unknown", "token": "x"}),
        client.get(UNLOCK),
    ]
    assert [a.status_code for a in answers] == [200, 410, 201, 400, 200, 403, 204, 405]
    for answer in answers:
        assert answer["Cache-Control"] == "no-store"
        assert answer["Referrer-Policy"] == "no-referrer"
        assert answer["X-Robots-Tag"] == "noindex, nofollow"
        assert "unsafe-inline" not in answer["Content-Security-Policy"]


def test_answers_about_shared_lists_are_not_logged(client, shared, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get("/shared/unknown-link-id/")
        wrong(client, shared)
        client.get(UNLOCK)
        post(client, CREATE, "nonsense")
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "unknown-link-id" not in logged and shared["id"] not in logged
    assert "/shared/" not in logged and "/api/shares/" not in logged
