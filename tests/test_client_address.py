"""Who the client is behind a proxy, and the admin's lockout keyed on it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from finder.client import TrustedProxies, client_ip

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "a-long-password-1"


def seen(settings, remote, forwarded=None, trusted=""):
    settings.TRUSTED_PROXIES = trusted
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(settings):
    assert seen(settings, "203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_a_client_talking_to_the_server_directly_cannot_choose_its_address(settings):
    # The proxy sits on the same host; this client reached gunicorn some other way.
    trusted = "127.0.0.1, ::1"
    assert seen(settings, "203.0.113.9", "198.51.100.1", trusted) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(settings):
    trusted = "127.0.0.1"
    assert seen(settings, "127.0.0.1", "198.51.100.1", trusted) == "198.51.100.1"
    # What the client wrote in the header itself comes before what the proxy added.
    assert seen(settings, "127.0.0.1", "6.6.6.6, 198.51.100.1", trusted) == "198.51.100.1"
    assert seen(settings, "127.0.0.1", None, trusted) == "127.0.0.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    trusted = "10.0.0.0/8, 127.0.0.1"
    chain = "6.6.6.6, 198.51.100.1, 10.1.2.3"
    assert seen(settings, "127.0.0.1", chain, trusted) == "198.51.100.1"


def test_a_count_trusts_that_many_hops_whatever_their_address(settings):
    assert seen(settings, "192.0.2.1", "6.6.6.6, 198.51.100.1", "1") == "198.51.100.1"
    assert seen(settings, "192.0.2.1", "6.6.6.6, 198.51.100.1, 192.0.2.7", "2") == "198.51.100.1"


def test_junk_in_the_header_stops_at_the_last_real_hop(settings):
    assert seen(settings, "127.0.0.1", "<script>", "127.0.0.1") == "127.0.0.1"
    assert seen(settings, "127.0.0.1", "::ffff:198.51.100.1", "127.0.0.1") == "198.51.100.1"


def test_a_misspelt_trusted_proxy_stops_the_site_with_a_clear_message():
    with pytest.raises(ImproperlyConfigured, match="neither a number of proxies"):
        TrustedProxies.parse("10.0.0.0/8, proxy.example.org")


def test_production_trusts_only_a_proxy_on_the_same_host_by_default():
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "k" * 60}
    env.pop("TRIALFINDER_TRUSTED_PROXIES", None)
    shown = subprocess.run(
        [sys.executable, "-c", "from finder import settings; print(settings.TRUSTED_PROXIES)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert TrustedProxies.parse(shown.stdout) == TrustedProxies.parse("127.0.0.1, ::1")


# The admin's lockout


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD, is_staff=True)


def behind_proxy(address: str) -> Client:
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)


@pytest.fixture
def proxied(settings):
    settings.TRUSTED_PROXIES = "127.0.0.1"


def test_wrong_passwords_from_one_address_do_not_lock_the_user_out_elsewhere(alice, proxied):
    attacker = behind_proxy("198.51.100.66")
    for _ in range(5):
        attacker.post(LOGIN, {"username": "alice", "password": "wrong"})
    assert attacker.post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 429
    real_alice = behind_proxy("203.0.113.10")
    response = real_alice.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert real_alice.get("/admin/").status_code == 200


def test_one_address_trying_many_user_names_is_locked_out(alice, proxied):
    attacker = behind_proxy("198.51.100.66")
    for name in ["bob", "carol", "dave", "erin", "frank"]:
        attacker.post(LOGIN, {"username": name, "password": "wrong"})
    response = attacker.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert (
        behind_proxy("203.0.113.10")
        .post(LOGIN, {"username": "alice", "password": PASSWORD})
        .status_code
        == 302
    )
