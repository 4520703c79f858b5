"""A primary and a streaming replica, started from the embedded PostgreSQL's binaries.

The site runs in processes of its own (manage.py, tests/replica_probe.py) with
DATABASE_URL on the primary and DATABASE_REPLICA_URLS on the replica, as in
production; these tests read both servers directly to check what each holds.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from finder.embedded_db import replication, server
from finder.embedded_db.server import stop_server

from .conftest import STUDIES

BASE = Path(settings.BASE_DIR)
FIRST_IMPORT = 300
SECOND_IMPORT = 100
CATALOGUE_TABLES = ("trials_trial", "trials_site", "trials_searchindex", "trials_trialfacets")


class Cluster:
    def __init__(self, folder: Path):
        self.folder = folder
        self.primary_data = folder / "primary"
        self.replica_data = folder / "replica"
        self.replica = None
        self.primary = server.ensure_server(self.primary_data)
        server.ensure_database(self.primary, "trialfinder")
        self.manage("migrate", "--no-input", "-v0")
        self.replica = replication.start_replica(self.primary, self.replica_data)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
        env["DATABASE_URL"] = f"postgres://trialfinder@/trialfinder?host={self.primary}"
        if self.replica:
            env["DATABASE_REPLICA_URLS"] = (
                f"postgres://trialfinder@/trialfinder?host={self.replica}"
            )
        env["TRIALFINDER_SEARCH_CACHE_SECONDS"] = "0"
        return env

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE,
            env=self.env(),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, (
            f"manage.py {args[0]}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
        return done.stdout

    def probe(self, *actions: dict) -> tuple[list[dict], str]:
        """Send requests through Django in a new process: (what each did, the log)."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.replica_probe", json.dumps(actions)],
            cwd=BASE,
            env=self.env(),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout), done.stderr

    def studies(self, name: str, skip: int, count: int) -> Path:
        """A file of `count` real studies, after the first `skip` (of those with a status:
        the shared records hold one without, which an import skips)."""
        path = self.folder / name
        with gzip.open(STUDIES, "rt", encoding="utf-8") as source, open(path, "w") as out:
            kept = 0
            for line in source:
                if "statusModule" not in json.loads(line).get("protocolSection", {}):
                    continue
                kept += 1
                if kept > skip + count:
                    break
                if kept > skip:
                    out.write(line)
        return path

    @staticmethod
    def connect(socket_dir: str, dbname: str = "trialfinder") -> psycopg.Connection:
        return psycopg.connect(host=socket_dir, user="postgres", dbname=dbname, autocommit=True)

    def one(self, socket_dir: str, sql: str, params=()):
        with self.connect(socket_dir) as conn:
            return conn.execute(sql, params).fetchone()[0]


@pytest.fixture(scope="module")
def cluster():
    # A short folder: a Unix socket's path has about a hundred characters at most.
    folder = Path(tempfile.mkdtemp(prefix="tf-replica-"))
    try:
        cluster = Cluster(folder)
        cluster.manage("import_ctgov", str(cluster.studies("first.jsonl", 0, FIRST_IMPORT)))
        replication.wait_for_replay(cluster.primary, cluster.replica)
        yield cluster
    finally:
        for data in (folder / "replica", folder / "primary"):
            if (data / "PG_VERSION").exists():
                stop_server(data)
            server.forget_server(data)
        shutil.rmtree(folder, ignore_errors=True)


def aliases_reading(queries: list, tables=CATALOGUE_TABLES) -> set[str]:
    """The databases the catalogue's tables were read from."""
    return {alias for alias, sql in queries if any(t in sql for t in tables)}


def open_trial(cluster: Cluster) -> str:
    return cluster.one(
        cluster.primary,
        "SELECT nct_id FROM trials_trial WHERE overall_status = 'RECRUITING' ORDER BY nct_id LIMIT 1",
    )


def test_the_replica_holds_what_was_imported_on_the_primary(cluster):
    assert cluster.one(cluster.replica, "SELECT pg_is_in_recovery()") is True
    assert cluster.one(cluster.replica, "SELECT count(*) FROM trials_trial") == FIRST_IMPORT
    assert cluster.one(cluster.replica, "SELECT count(*) FROM trials_searchindex") > 0


def test_a_trial_page_is_read_from_the_replica_while_a_contact_request_is_written_on_the_primary(
    cluster,
):
    nct_id = open_trial(cluster)
    (page, sent), _ = cluster.probe({"get": f"/trials/{nct_id}/"}, {"contact": nct_id})

    assert page["status"] == 200
    assert aliases_reading(page["queries"]) == {"replica_1"}
    assert sent["status"] == 302
    writes = [(alias, sql) for alias, sql in sent["queries"] if sql.startswith("INSERT")]
    assert {alias for alias, _ in writes} == {"default"}
    assert any("trials_contactrequest" in sql for _, sql in writes)
    # Written on the primary, and copied to the replica by replication alone.
    stored = "SELECT count(*) FROM trials_contactrequest WHERE email = 'ada.probe@example.net'"
    assert cluster.one(cluster.primary, stored) == 1
    replication.wait_for_replay(cluster.primary, cluster.replica)
    assert cluster.one(cluster.replica, stored) == 1


def test_a_search_is_served_from_the_replica(cluster):
    (page, api), _ = cluster.probe(
        {"get": "/?q=cancer&status=ALL"}, {"get": "/api/trials/?status=ALL"}
    )

    assert page["status"] == 200
    assert api["status"] == 200
    assert api["json"]["count"] == FIRST_IMPORT
    queries = page["queries"] + api["queries"]
    assert aliases_reading(queries, tables=("trials_",)) == {"replica_1"}
    # The primary is only connected to (each connection gets the statement timeout):
    # Django's set-up of a new connection is all it is asked.
    assert all("FROM pg_type" in sql for alias, sql in queries if alias == "default")


def test_a_replica_behind_an_import_answers_from_its_own_state_and_index(cluster):
    before = cluster.one(cluster.replica, "SELECT max(imported_at)::text FROM trials_trial")
    cluster.one(cluster.replica, "SELECT pg_wal_replay_pause()::text")
    try:
        second = cluster.studies("second.jsonl", FIRST_IMPORT, SECOND_IMPORT)
        cluster.manage("import_ctgov", str(second))
        assert cluster.one(cluster.primary, "SELECT count(*) FROM trials_trial") == (
            FIRST_IMPORT + SECOND_IMPORT
        )
        (api,), _ = cluster.probe({"get": "/api/trials/?status=ALL&condition=cancer"})
        on_replica = cluster.one(
            cluster.replica,
            "SELECT count(*) FROM trials_trial WHERE condition_document @@ plainto_tsquery('english', 'cancer')",
        )
        assert api["json"]["count"] == on_replica
        assert sum(api["json"]["facets"]["status"].values()) == on_replica
        assert len(api["json"]["results"]) == min(on_replica, 20)
        # The index this process loaded is the build of the replica's import.
        stored = cluster.one(cluster.replica, "SELECT max(imported_at) FROM trials_trial")
        assert dt.datetime.fromisoformat(api["index"].partition(" ")[0]) == stored
        assert (
            cluster.one(cluster.replica, "SELECT max(imported_at)::text FROM trials_trial")
            == before
        )
    finally:
        cluster.one(cluster.replica, "SELECT pg_wal_replay_resume()::text")
    replication.wait_for_replay(cluster.primary, cluster.replica)
    (api,), _ = cluster.probe({"get": "/api/trials/?status=ALL"})
    assert api["json"]["count"] == FIRST_IMPORT + SECOND_IMPORT


def test_with_the_replica_stopped_reads_fall_back_to_the_primary_with_a_warning(cluster):
    nct_id = open_trial(cluster)
    stop_server(cluster.replica_data)
    try:
        (search, page, api), log = cluster.probe(
            {"get": "/?q=cancer"}, {"get": f"/trials/{nct_id}/"}, {"get": "/api/trials/"}
        )
    finally:
        cluster.replica = replication.start_replica(cluster.primary, cluster.replica_data)

    assert [search["status"], page["status"], api["status"]] == [200, 200, 200]
    assert aliases_reading(search["queries"] + page["queries"] + api["queries"]) == {"default"}
    warnings = [
        line for line in log.splitlines() if "read replica replica_1 cannot be reached" in line
    ]
    assert len(warnings) == 1  # once, not for every request
    assert "Traceback" not in log
