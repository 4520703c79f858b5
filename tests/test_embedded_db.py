"""The embedded PostgreSQL: started on demand, shared by processes that start at once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from django.conf import settings

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from finder.embedded_db.server import ensure_database, ensure_server
    import psycopg
    socket_dir = ensure_server(Path(sys.argv[1]))
    ensure_database(socket_dir, "racing")
    with psycopg.connect(host=socket_dir, user="postgres", dbname="racing") as conn:
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
        from finder.embedded_db.server import stop_server

        stop_server(pgdata)
