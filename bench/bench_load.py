"""Load test: the app under gunicorn, a closed loop of concurrent clients on loopback.

    .venv/bin/python bench/bench_load.py --size 100000 --clients 8 --seconds 60

Serves the benchmark database trialfinder_bench_<size> (made by bench_search.py) with
the production server settings (gunicorn.conf.py, DJANGO_DEBUG=false), then runs
`--clients` threads that each send the next request of the search benchmark's mix as
soon as the previous one answered, for `--seconds`. Prints requests/s, latency
percentiles and the number of errors. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import BASE, PYTHON, bench_env, percentile  # noqa: E402


def requests_for(size: int, count: int) -> list[tuple[str, str, dict]]:
    script = (
        "import json, os, random, sys; sys.path[:0] = ['bench', '.'];"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'finder.settings');"
        "import django; django.setup();"
        "from bench_search import build_requests;"
        f"print(json.dumps(build_requests({count}, random.Random(7))))"
    )
    env = bench_env(f"trialfinder_bench_{size}")
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=BASE, env=env, capture_output=True, text=True, check=True
    )
    import json

    return [tuple(r) for r in json.loads(out.stdout.strip().splitlines()[-1])]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cache", action="store_true", help="leave the facet-count cache on")
    args = parser.parse_args()
    mix = requests_for(args.size, 2000)
    env = bench_env(f"trialfinder_bench_{args.size}")
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        TRIALFINDER_SEARCH_CACHE_SECONDS="300" if args.cache else "0",
    )
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=BASE, env=env, check=True
    )
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(PYTHON), "gunicorn"), "finder.wsgi"], cwd=BASE, env=env
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
                conn.request("GET", "/about-clinical-trials/")
                conn.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def client(number: int) -> None:
            rng = random.Random(number)
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            while time.monotonic() < stop_at:
                _, url, headers = mix[rng.randrange(len(mix))]
                started = time.perf_counter()
                try:
                    conn.request("GET", url, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status < 400
                except (OSError, http.client.HTTPException) as exc:
                    ok, response = False, None
                    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                    error = type(exc).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(f"{url} {response.status if response else error}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        total = len(latencies)
        print(
            f"{args.size:,} trials, gunicorn {env.get('GUNICORN_WORKERS', 'default')} workers, "
            f"{args.clients} clients, {args.seconds} s{' (cache on)' if args.cache else ' (uncached)'}: "
            f"{total / args.seconds:.1f} requests/s, p50 {percentile(latencies, 50):.0f} ms, "
            f"p95 {percentile(latencies, 95):.0f} ms, p99 {percentile(latencies, 99):.0f} ms, "
            f"{len(errors)} errors in {total} requests"
        )
        for line in errors[:10]:
            print("  error:", line)
    finally:
        server.terminate()
        server.wait(20)


if __name__ == "__main__":
    main()
