"""Shared helpers for the benchmarks: a database of their own and synthetic study files."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
OUT = BASE / "bench" / "out"
SHARED_STUDIES = BASE.parent / "shared" / "data" / "ctgov" / "studies.jsonl.gz"
PYTHON = sys.executable


def bench_env(db_name: str) -> dict[str, str]:
    """Environment for manage.py against a benchmark database (never the development one)."""
    env = dict(os.environ)
    env.setdefault("DJANGO_DEBUG", "true")  # a development machine's settings, unless set
    if "DATABASE_URL" in env:
        base, _, _ = env["DATABASE_URL"].rpartition("/")
        env["DATABASE_URL"] = f"{base}/{db_name}"
    else:
        env["TRIALFINDER_DB_NAME"] = db_name
    return env


def manage(env: dict[str, str], *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=BASE, env=env, text=True, **kwargs)


def fresh_database(db_name: str) -> dict[str, str]:
    """Drop and re-create `db_name`, migrate it, and return the environment to use it."""
    env = bench_env(db_name)
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'finder.settings'); django.setup()\n"
        "from django.db import connections\n"
        "from psycopg import sql\n"
        "conn = connections['default']\n"
        "name = conn.settings_dict['NAME']\n"
        "with conn._nodb_cursor() as c:\n"
        # Plain DROP, not WITH (FORCE), which a role that is not a superuser is refused
        # when an autovacuum worker is on the database; plain DROP waits for the worker.
        "    c.execute('SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity'\n"
        "              ' WHERE datname = %s AND usename = current_user', [name])\n"
        "    c.execute(sql.SQL('DROP DATABASE IF EXISTS {}').format(sql.Identifier(name)).as_string(c.connection))\n"
        "    c.execute(sql.SQL('CREATE DATABASE {}').format(sql.Identifier(name)).as_string(c.connection))\n"
    )
    subprocess.run([PYTHON, "-c", script], cwd=BASE, env=env, check=True)
    manage(env, "migrate", "-v0", check=True)
    return env


def database_size(env: dict[str, str]) -> int:
    """The size in bytes of the database `env` points at."""
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'finder.settings'); django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT pg_database_size(current_database())')\n"
        "    print(c.fetchone()[0])\n"
    )
    found = subprocess.run(
        [PYTHON, "-c", script], cwd=BASE, env=env, check=True, capture_output=True
    )
    return int(found.stdout)


def synthetic_file(count: int, seed: int = 42) -> Path:
    """bench/out/synthetic-<count>.jsonl.gz, generated once (deterministic by seed)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"synthetic-{count}-{seed}.jsonl.gz"
    if not path.exists():
        tmp = path.with_name(f"partial-{path.name}")  # still ends in .gz: the generator compresses
        subprocess.run(
            [
                PYTHON,
                str(BASE / "bench" / "generate_studies.py"),
                "--count",
                str(count),
                "--seed",
                str(seed),
                "--out",
                str(tmp),
            ],
            check=True,
        )
        tmp.rename(path)
    return path


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def sizes_parser(doc: str) -> argparse.ArgumentParser:
    """The arguments of a benchmark that sends a mix of requests at several sizes."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--json", help="also write the figures to this file")
    return parser
