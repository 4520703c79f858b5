"""Hard to break: a database that goes away, and an import killed half-way.

These tests run the real programs (runserver, import_ctgov) in subprocesses against
a PostgreSQL of their own, which they stop, kill and start again.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from finder.embedded_db.server import (
    APP_ROLE,
    ensure_database,
    ensure_server,
    forget_server,
    stop_server,
)

from .conftest import STUDIES

BASE = Path(settings.BASE_DIR)


@pytest.fixture
def own_database(tmp_path):
    """A PostgreSQL server and database for this test only; yields (pgdata, DATABASE_URL)."""
    pgdata = tmp_path / "pgdata"
    socket_dir = ensure_server(pgdata)
    ensure_database(socket_dir, "robust")
    url = f"postgresql://{APP_ROLE}@/robust?host={socket_dir}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=BASE, env=env, check=True)
    yield pgdata, socket_dir, env
    stop_server(pgdata)
    forget_server(pgdata)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            fetch(url)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def test_pages_answer_503_while_the_database_is_down_and_recover(own_database):
    pgdata, socket_dir, env = own_database
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/?condition=lupus"
        wait_for(url)
        assert fetch(url)[0] == 200
        stop_server(pgdata)
        status, body = fetch(url)
        assert status == 503
        assert "We cannot reach our trial database" in body
        assert "Traceback" not in body and "OperationalError" not in body
        assert fetch(f"http://127.0.0.1:{port}/api/trials/")[0] == 503
        forget_server(pgdata)
        ensure_server(pgdata)
        assert fetch(url)[0] == 200
    finally:
        server.terminate()
        server.wait(10)


def test_an_import_killed_half_way_leaves_consistent_data_and_a_rerun_completes(own_database):
    _, socket_dir, env = own_database
    command = [sys.executable, "manage.py", "import_ctgov", str(STUDIES)]
    importer = subprocess.Popen(
        command, cwd=BASE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    with psycopg.connect(host=socket_dir, user=APP_ROLE, dbname="robust", autocommit=True) as conn:
        deadline = time.monotonic() + 60
        while conn.execute("SELECT count(*) FROM trials_trial").fetchone()[0] < 300:
            assert time.monotonic() < deadline and importer.poll() is None, (
                "the import ended too soon"
            )
            time.sleep(0.05)
        importer.send_signal(signal.SIGKILL)
        importer.wait(10)
        half = conn.execute("SELECT count(*) FROM trials_trial").fetchone()[0]
        assert 0 < half < 2392
        # Every trial that is there is whole: its sites are all there.
        broken = conn.execute(
            "SELECT count(*) FROM trials_trial t "
            "WHERE t.site_count <> (SELECT count(*) FROM trials_site s WHERE s.trial_id = t.id)"
        ).fetchone()[0]
        assert broken == 0
        rerun = subprocess.run(command, cwd=BASE, env=env, capture_output=True, text=True)
        assert "2 skipped" in rerun.stdout  # the two records without a status module
        assert f"{half} unchanged" in rerun.stdout
        assert conn.execute("SELECT count(*) FROM trials_trial").fetchone()[0] == 2392
        assert conn.execute("SELECT count(*) FROM trials_conditionterm").fetchone()[0] > 0


def test_a_parallel_import_stores_what_a_serial_one_does_and_is_idempotent(own_database):
    _, socket_dir, env = own_database
    command = [sys.executable, "manage.py", "import_ctgov", "--workers", "2", str(STUDIES)]
    first = subprocess.run(command, cwd=BASE, env=env, capture_output=True, text=True)
    assert "2392 created" in first.stdout and "2 skipped" in first.stdout, first.stdout
    again = subprocess.run(command, cwd=BASE, env=env, capture_output=True, text=True)
    assert "0 created, 0 updated, 2392 unchanged" in again.stdout, again.stdout
    with psycopg.connect(host=socket_dir, user=APP_ROLE, dbname="robust") as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM trials_trial), (SELECT count(*) FROM trials_trialfacets), "
            "(SELECT count(*) FROM trials_site), (SELECT sum(site_count) FROM trials_trial)"
        ).fetchone()
    assert counts == (2392, 2392, 10213, 10213)
