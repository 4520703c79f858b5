"""Which database each query goes to: finder.routers' choices, request by request.

The replicas here are names in settings.DATABASE_REPLICAS; whether one answers is
decided by a stand-in for `unreachable` (tests/test_replication.py runs real ones).
"""

from __future__ import annotations

import logging

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import router
from django.http import HttpResponse
from django.test import RequestFactory
from django_tasks_db.models import DBTaskResult

from finder import routers
from trials.models import ContactRequest, SearchIndex, Site, Trial, TrialFacets

factory = RequestFactory()


@pytest.fixture(autouse=True)
def replicas(settings, monkeypatch):
    """Two replicas that answer, unless a test says otherwise; none known to be down."""
    settings.DATABASE_REPLICAS = ["replica_1", "replica_2"]
    settings.DATABASE_REPLICA_RETRY_SECONDS = 30
    monkeypatch.setattr(routers, "_down", {})
    monkeypatch.setattr(routers.os, "getpid", lambda: 1000)  # 1000 % 2: replica_1 first
    down: set[str] = set()
    tried: list[str] = []

    def unreachable(alias):
        tried.append(alias)
        return "OperationalError" if alias in down else None

    monkeypatch.setattr(routers, "unreachable", unreachable)
    return down, tried


def serve(request, *models) -> dict[str, str]:
    """Pass `request` through the middleware; where each model is read and written there."""
    seen = {}

    def view(request):
        for model in models:
            seen[model.__name__] = router.db_for_read(model)
        seen["writes"] = {router.db_for_write(model) for model in models}
        return HttpResponse()

    routers.read_from_replica(view)(request)
    return seen


def test_a_search_reads_the_trials_and_their_search_tables_from_a_replica():
    seen = serve(factory.get("/?condition=asthma"), Trial, TrialFacets, SearchIndex, Site)
    assert seen == {
        "Trial": "replica_1",
        "TrialFacets": "replica_1",
        "SearchIndex": "replica_1",
        "Site": "replica_1",
        "writes": {"default"},
    }


def test_the_trial_page_and_the_api_read_the_trials_from_a_replica():
    assert serve(factory.get("/trials/NCT01234567/"), Trial)["Trial"] == "replica_1"
    assert serve(factory.get("/api/trials/?age=40"), Trial)["Trial"] == "replica_1"


def test_contact_requests_sessions_and_tasks_are_read_from_the_primary_even_in_a_search():
    seen = serve(factory.get("/"), ContactRequest, Session, DBTaskResult)
    assert seen == {
        "ContactRequest": "default",
        "Session": "default",
        "DBTaskResult": "default",
        "writes": {"default"},
    }


def test_the_database_caches_entries_are_read_from_the_primary_even_in_a_search():
    from django.core.cache import caches

    entry = caches["shared"].cache_model_class  # a stand-in model without a label
    assert serve(factory.get("/"), entry) == {"CacheEntry": "default", "writes": {"default"}}


def test_a_contact_form_post_reads_the_trial_from_the_primary_and_writes_there():
    seen = serve(factory.post("/trials/NCT01234567/contact/"), Trial, ContactRequest)
    assert seen == {"Trial": "default", "ContactRequest": "default", "writes": {"default"}}


def test_the_admin_reads_everything_from_the_primary(replicas):
    _, tried = replicas
    assert serve(factory.get("/admin/trials/trial/"), Trial)["Trial"] == "default"
    assert tried == []  # no replica is even asked


def test_outside_a_request_imports_and_the_email_worker_read_from_the_primary():
    assert router.db_for_read(Trial) == "default"
    assert router.db_for_write(Trial) == "default"


def test_without_replicas_every_request_reads_from_the_primary(settings, replicas):
    settings.DATABASE_REPLICAS = []
    _, tried = replicas
    assert serve(factory.get("/?q=cancer"), Trial)["Trial"] == "default"
    assert tried == []


def test_the_choice_ends_with_the_request():
    serve(factory.get("/"), Trial)
    assert router.db_for_read(Trial) == "default"


def test_each_process_keeps_to_its_own_replica(monkeypatch):
    assert serve(factory.get("/"), Trial)["Trial"] == "replica_1"
    monkeypatch.setattr(routers.os, "getpid", lambda: 1001)
    assert serve(factory.get("/"), Trial)["Trial"] == "replica_2"
    assert serve(factory.get("/"), Trial)["Trial"] == "replica_2"


def test_a_replica_that_cannot_be_reached_is_left_for_a_while_with_one_warning(
    replicas, monkeypatch, caplog
):
    down, tried = replicas
    down.add("replica_1")
    clock = [1000.0]
    monkeypatch.setattr(routers.time, "monotonic", lambda: clock[0])
    with caplog.at_level(logging.WARNING, logger="finder.routers"):
        first = serve(factory.get("/"), Trial)["Trial"]
        clock[0] += 10
        second = serve(factory.get("/"), Trial)["Trial"]
    assert [first, second] == ["replica_2", "replica_2"]
    assert tried == ["replica_1", "replica_2", "replica_2"]  # not asked again within 30 s
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "replica_1 cannot be reached (OperationalError)" in warnings[0]

    # Back after the wait: tried again, and said so.
    down.clear()
    clock[0] += 30
    with caplog.at_level(logging.WARNING, logger="finder.routers"):
        assert serve(factory.get("/"), Trial)["Trial"] == "replica_1"
    assert "replica_1 answers again" in caplog.records[-1].getMessage()


def test_with_every_replica_down_reads_go_to_the_primary(replicas):
    down, _ = replicas
    down.update({"replica_1", "replica_2"})
    assert serve(factory.get("/?q=cancer"), Trial)["Trial"] == "default"


def test_migrations_run_on_the_primary_only():
    replica_router = routers.ReplicaRouter()
    assert replica_router.allow_migrate("default", "trials")
    assert not replica_router.allow_migrate("replica_1", "trials")


def test_the_catalogue_names_models_that_exist():
    for label in routers.CATALOGUE:
        assert apps.get_model(label) is not None
