"""The API's rate limit per client address: 429 with Retry-After, counted in a cache that
every server process shares, whose counters do not lose increments made at once."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import caches
from django.db import connections

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    caches["shared"].clear()
    yield
    caches["shared"].clear()


def test_a_client_past_the_limit_gets_429_with_retry_after(client, settings):
    settings.API_V2_RATE_LIMIT = "3/m"
    for _ in range(3):
        assert client.get("/api/v2/version").status_code == 200
    refused = client.get("/api/v2/studies", {"pageSize": 1})
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/plain")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "3/m" in refused.content.decode()
    # Another address has its own count.
    assert client.get("/api/v2/version", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_limit_reads_the_proxy_header_in_production(client, settings):
    settings.API_V2_RATE_LIMIT = "2/m"
    settings.CONTACT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for _ in range(2):
        assert client.get("/api/v2/version", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert client.get("/api/v2/version", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert client.get("/api/v2/version", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_no_limit_when_it_is_turned_off(client, settings):
    settings.API_V2_RATE_LIMIT = ""
    for _ in range(60):
        assert client.get("/api/v2/version").status_code == 200


def test_the_counts_live_in_the_database_every_worker_shares(settings):
    assert settings.RATELIMIT_USE_CACHE == "shared"
    assert settings.CACHES["shared"]["BACKEND"] == "finder.cache.SharedCache"


@pytest.mark.django_db(transaction=True)
def test_increments_made_at_once_are_all_counted():
    """Eight connections (as eight gunicorn workers would) increment one counter 25 times
    each at once: none is lost."""
    cache = caches["shared"]
    cache.set("client", 0, 60)
    start = threading.Barrier(8, timeout=20)

    def count():
        try:
            start.wait()
            for _ in range(25):
                cache.incr("client")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("client") == 200
