"""TrialFinder's API v2 served for real (Django's live server), used as ClinicalTrials.gov
is: by the importer of another TrialFinder, and by published Python clients.

These tests commit to the database (a live server reads what is committed), which is
emptied after each one, so each imports the real records it serves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection

from trials.importer import import_items
from trials.models import ArmGroup, Contact, Intervention, Outcome, Site, TextVector, Trial
from trials.sources import iter_paths

from .conftest import EDGE_CASES, STUDIES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(live_server, settings) -> str:
    """The API's base URL, serving the real records."""
    settings.API_V2_RATE_LIMIT = ""
    if not Trial.objects.exists():
        import_items(iter_paths([STUDIES, EDGE_CASES]))
    return f"{live_server.url}/api/v2"


# The round trip


@pytest.fixture
def other_database():
    """A second, empty database on the same server, and the environment that points a
    manage.py at it."""
    name = f"{connection.settings_dict['NAME']}_roundtrip"
    with connection._nodb_cursor() as cursor:
        _drop_database(cursor, name)
        cursor.execute(f'CREATE DATABASE "{name}"')
    env = dict(os.environ)
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = env["DATABASE_URL"].rpartition("/")[0] + "/" + name
    else:
        env["TRIALFINDER_DB_NAME"] = name
    yield name, env
    with connection._nodb_cursor() as cursor:
        _drop_database(cursor, name)


def _drop_database(cursor, name: str) -> None:
    """Drop a database once this role's sessions on it have ended. Plain DROP DATABASE,
    not WITH (FORCE): FORCE also tries to end an autovacuum worker, which a role that is
    not a superuser is refused, while plain DROP asks the worker to stop and waits."""
    cursor.execute(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
        " WHERE datname = %s AND usename = current_user AND pid <> pg_backend_pid()",
        [name],
    )
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _rows(cursor, model, key: str) -> dict:
    """Every row of a trial table, by NCT ID (and position), without ids, import times and
    the original JSON's hash (see below)."""
    skipped = {"id", "imported_at", "first_imported_at", "opened_at", "source_hash", "trial", "raw"}
    fields = [f for f in model._meta.concrete_fields if f.name not in skipped]
    columns = ", ".join(
        f"m.{f.column}::text" if isinstance(f, TextVector) else f"m.{f.column}" for f in fields
    )
    if model is Trial:
        cursor.execute(f"SELECT m.nct_id, m.raw::text, {columns} FROM trials_trial m")
        return {row[0]: (json.loads(row[1]), *row[2:]) for row in cursor.fetchall()}
    cursor.execute(
        f"SELECT t.nct_id, m.{key}, {columns} FROM {model._meta.db_table} m "
        "JOIN trials_trial t ON t.id = m.trial_id"
    )
    return {(row[0], row[1]): row[2:] for row in cursor.fetchall()}


def test_import_ctgov_from_our_own_api_rebuilds_an_identical_database(served, other_database):
    name, env = other_database
    migrated = _manage(env, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    env = {**env, "CTGOV_API_URL": f"{served}/studies", "CTGOV_API_BACKOFF_MS": "10"}
    imported = _manage(env, "import_ctgov", "--api", "pageSize=1000")
    assert imported.returncode == 0, imported.stderr
    count = Trial.objects.count()
    assert f"{count} created" in imported.stdout

    params = {**connection.get_connection_params(), "dbname": name}
    params.pop("cursor_factory", None)
    with psycopg.connect(**params) as other, other.cursor() as theirs:
        with connection.cursor() as ours:
            for model, key in [
                (Trial, "nct_id"),
                (Site, "key"),
                (ArmGroup, "position"),
                (Intervention, "position"),
                (Outcome, "position"),
                (Contact, "position"),
            ]:
                mine = _rows(ours.cursor, model, key)
                rebuilt = _rows(theirs, model, key)
                assert set(rebuilt) == set(mine), (
                    model.__name__,
                    sorted(set(rebuilt) ^ set(mine))[:10],
                )
                for row_key, row in mine.items():
                    assert rebuilt[row_key] == row, (model.__name__, row_key)
        # The original JSON's hash is of the record's bytes, whose keys the API gives in
        # the stored (jsonb) order: the same records, another key order, another hash.
        theirs.execute("SELECT count(*) FROM trials_trial")
        assert theirs.fetchone()[0] == count


# Published clients


def test_the_generated_openapi_client_lists_and_fetches_as_the_api_does(served, client):
    """altissimo-clinicaltrials: a client generated from the official description, whose
    Configuration takes another host."""
    from clinicaltrials import ApiClient, Configuration, StudiesApi, VersionApi

    api = ApiClient(Configuration(host=served))
    studies = StudiesApi(api)
    page = studies.list_studies(
        query_cond="asthma",
        filter_overall_status=["RECRUITING", "COMPLETED"],
        count_total=True,
        page_size=5,
    )
    ours = client.get(
        "/api/v2/studies",
        {
            "query.cond": "asthma",
            "filter.overallStatus": "RECRUITING|COMPLETED",
            "countTotal": "true",
            "pageSize": 5,
        },
    )
    expected = json.loads(b"".join(ours.streaming_content))
    assert page.total_count == expected["totalCount"]
    assert [s.protocol_section.identification_module.nct_id for s in page.studies] == [
        s["protocolSection"]["identificationModule"]["nctId"] for s in expected["studies"]
    ]
    following = studies.list_studies(
        query_cond="asthma",
        filter_overall_status=["RECRUITING", "COMPLETED"],
        page_size=5,
        page_token=page.next_page_token,
    )
    assert following.studies and following.studies[
        0
    ].protocol_section.identification_module.nct_id > (
        page.studies[-1].protocol_section.identification_module.nct_id
    )
    first = page.studies[0]
    key = first.protocol_section.identification_module.nct_id
    # fetch_study() itself gives the study as a Python repr (the description gives it
    # several content types); its raw answer is the JSON.
    fetched = json.loads(studies.fetch_study_without_preload_content(key).read())
    assert fetched == Trial.objects.get(nct_id=key).raw
    assert (
        first.to_dict()["protocolSection"]["statusModule"]["overallStatus"]
        == (fetched["protocolSection"]["statusModule"]["overallStatus"])
    )
    assert VersionApi(api).version().api_version == "2.0.5"


def test_a_small_client_with_a_base_url_lists_and_fetches_as_the_api_does(served, client):
    """clinical-trials-gov: a thin client whose constructor takes the studies URL."""
    from clinical_trials_gov import ClinicalTrialsClient

    published = ClinicalTrialsClient(base_url=f"{served}/studies")
    listed = published.fetch_trials(condition="cancer", status="RECRUITING", page_size=20)
    ours = client.get(
        "/api/v2/studies",
        {"query.cond": "cancer", "filter.overallStatus": "RECRUITING", "pageSize": "20"},
    )
    assert listed == json.loads(b"".join(ours.streaming_content))
    assert len(listed["studies"]) == 20
    key = listed["studies"][3]["protocolSection"]["identificationModule"]["nctId"]
    assert published.get_study(key) == Trial.objects.get(nct_id=key).raw
