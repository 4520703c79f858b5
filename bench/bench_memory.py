"""Memory of gunicorn's workers once each has loaded the search index.

    .venv/bin/python bench/bench_memory.py --size 600000 --workers 4

Uses the search benchmark's database of that size (`bench/bench_search.py --sizes N`
makes it), starts gunicorn with the given number of workers on a free port, sends
searches until every worker has answered some, and prints each worker's resident
memory (RSS), its proportional share (PSS: shared pages divided among the processes
that map them) and its unique memory (USS: pages no other process maps), from
/proc/<pid>/smaps_rollup.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import BASE, bench_env  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid: int) -> dict[str, int]:
    """RSS, PSS and USS of a process in kB."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as fp:
        for line in fp:
            name, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                fields[name] = int(value.split()[0])
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": uss}


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    env = bench_env(f"trialfinder_bench_{args.size}")
    env.update(TRIALFINDER_SEARCH_CACHE_SECONDS="0", GUNICORN_THREADS="1")
    port = free_port()
    server = subprocess.Popen(
        [
            os.path.join(BASE, ".venv", "bin", "gunicorn"),
            "finder.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
        ],
        cwd=BASE,
        env=env,
    )
    try:
        time.sleep(3)
        workers = children(server.pid)
        queries = ["condition=cancer", "q=pain", "condition=diabetes&age=50", "q=exercise"]
        # Keep-alive is off in gunicorn's sync workers: each request may go to any worker;
        # enough requests reach all of them.
        for n in range(40 * args.workers):
            url = f"http://127.0.0.1:{port}/?status=ALL&{queries[n % len(queries)]}"
            urllib.request.urlopen(url, timeout=120).read()
        time.sleep(1)
        print(f"{args.size:,} trials, {len(workers)} workers (kB):")
        print(f"  {'pid':>8} {'RSS':>10} {'PSS':>10} {'USS':>10}")
        total = {"rss": 0, "pss": 0, "uss": 0}
        for pid in workers:
            used = memory(pid)
            for key in total:
                total[key] += used[key]
            print(f"  {pid:>8} {used['rss']:>10,} {used['pss']:>10,} {used['uss']:>10,}")
        print(f"  {'all':>8} {total['rss']:>10,} {total['pss']:>10,} {total['uss']:>10,}")
        index = sum(
            f.stat().st_size for f in (BASE / ".search-index").rglob("*.npy") if f.is_file()
        )
        print(f"index files of this machine: {index / 2**20:,.0f} MB")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
