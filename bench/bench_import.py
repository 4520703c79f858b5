"""Import benchmark: studies per second and peak memory of `manage.py import_ctgov`.

    .venv/bin/python bench/bench_import.py                 # the 2,394 real studies, then 100,000 synthetic
    .venv/bin/python bench/bench_import.py --synthetic 20000 100000 600000
    .venv/bin/python bench/bench_import.py --no-real --synthetic 600000 --workers 2 --keep

Each run imports into a fresh database `trialfinder_bench_import` (never the
development one) in a child process, and reports wall time, studies/s, the
child's peak resident memory and the database's size. With --keep, synthetic
runs import into `trialfinder_bench_<count>` instead, the database
bench_search.py then searches. Flat memory: the peak should not grow with the input.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from common import (  # noqa: E402
    BASE,
    OUT,
    PYTHON,
    SHARED_STUDIES,
    database_size,
    fresh_database,
    synthetic_file,
)


def run(label: str, path, workers: int = 1, db_name: str = "trialfinder_bench_import") -> dict:
    env = fresh_database(db_name)
    script = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:])\n"
        "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(p.returncode)\n"
    )
    started = time.monotonic()
    proc = subprocess.run(
        [
            PYTHON,
            "-c",
            script,
            PYTHON,
            "manage.py",
            "import_ctgov",
            "--workers",
            str(workers),
            str(path),
        ],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    summary = next(
        (line for line in proc.stdout.splitlines() if line.startswith("Imported:")),
        proc.stdout[-300:],
    )
    if "created" not in summary:
        raise SystemExit(
            f"{label}: the import failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        )
    peak_kb = int(re.search(r"PEAK_KB (\d+)", proc.stderr).group(1))
    created = int(re.search(r"(\d+) created", summary).group(1))
    size = os.path.getsize(path)
    db_bytes = database_size(env)
    row = {
        "label": label,
        "studies": created,
        "seconds": seconds,
        "rate": created / seconds,
        "peak_mb": peak_kb / 1024,
        "file_mb": size / 2**20,
        "database_gb": db_bytes / 2**30,
        "summary": summary,
    }
    print(
        f"{label:<28} {created:>9,} studies  {seconds:8.1f} s  {row['rate']:>7,.0f} studies/s  "
        f"peak {row['peak_mb']:6.0f} MB  database {row['database_gb']:.2f} GB  "
        f"(input {row['file_mb']:.0f} MB gzip)",
        flush=True,
    )
    return row


def real_bulk_zip() -> Path:
    """The real studies as ClinicalTrials.gov's bulk download ships them: a ZIP of one
    pretty-printed JSON file per study (bench/out/real-bulk.zip, made once)."""
    path = OUT / "real-bulk.zip"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        with (
            gzip.open(SHARED_STUDIES, "rt") as lines,
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for line in lines:
                study = json.loads(line)
                nct_id = study["protocolSection"]["identificationModule"]["nctId"]
                archive.writestr(
                    f"ctg-studies/{nct_id}.json", json.dumps(study, indent=2, ensure_ascii=False)
                )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--synthetic", type=int, nargs="*", default=[100_000])
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="import_ctgov --workers"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep each synthetic import for bench_search.py"
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print(
        "wall time includes process start, migrations excluded, and the condition vocabulary refresh"
    )
    for workers in args.workers:
        if not args.no_real and SHARED_STUDIES.exists():
            run(f"real, {workers} worker(s)", SHARED_STUDIES, workers)
            run(f"real as bulk ZIP, {workers} worker(s)", real_bulk_zip(), workers)
        for count in args.synthetic:
            db_name = f"trialfinder_bench_{count}" if args.keep else "trialfinder_bench_import"
            label = f"synthetic {count:,}, {workers} worker(s)"
            run(label, synthetic_file(count), workers, db_name)


if __name__ == "__main__":
    main()
