"""Streaming read replicas of the embedded PostgreSQL, from its own binaries.

For trying the layout of one primary and read replicas on one machine, and for its
tests. The primary is an embedded server like the site's (`server.ensure_server`:
private socket, peer authentication, whose pg_hba.conf lets the mapped users
replicate); `start_replica` makes a data folder from a base backup of it (pg_basebackup
-R: a standby that streams the primary's WAL) and starts it, as private as the primary,
as a hot standby; `wait_for_replay` waits until a replica has replayed everything its
primary has written. `server.stop_server` stops either.
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg

from . import server

# The standby tells its primary which rows its queries still read, so that cleaning
# them up on the primary does not cancel a search running on the replica.
STANDBY_OPTIONS = ("-c hot_standby_feedback=on",)


def start_replica(primary_socket_dir: str, pgdata: Path) -> str:
    """A streaming replica of the primary at `primary_socket_dir` in `pgdata` (a base
    backup taken now, when `pgdata` is new), started; return its socket folder."""
    pgdata = Path(pgdata).resolve()
    if not (pgdata / "PG_VERSION").exists():
        pgdata.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Run as this user, whom the primary's peer authentication maps to its roles.
        server._binaries().pg_basebackup(
            ["-h", primary_socket_dir, "-U", server.SUPERUSER, "-D", str(pgdata)]
            + ["--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast"],
            timeout=600,
        )
        # The copy holds the primary's socket lock (its socket folder may be its data
        # folder) and its log: the replica has its own.
        for copied in [*pgdata.glob(".s.PGSQL.*"), pgdata / "log"]:
            copied.unlink(missing_ok=True)
        server.give_to_server(pgdata, server._server_account(), whole=True)
    return server.launch(pgdata, *STANDBY_OPTIONS)


def _connect(socket_dir: str) -> psycopg.Connection:
    return psycopg.connect(host=socket_dir, user=server.SUPERUSER, dbname="postgres")


def replay_caught_up(primary_socket_dir: str, replica_socket_dir: str) -> bool:
    """Whether the replica has replayed all the primary has written so far."""
    with _connect(primary_socket_dir) as primary:
        written = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with _connect(replica_socket_dir) as replica:
        return replica.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written]
        ).fetchone()[0]


def wait_for_replay(primary_socket_dir: str, replica_socket_dir: str, timeout: float = 60) -> None:
    """Wait until the replica has replayed what the primary has written; TimeoutError after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not replay_caught_up(primary_socket_dir, replica_socket_dir):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the replica at {replica_socket_dir} is still behind")
        time.sleep(0.1)
