#!/usr/bin/env python3
"""API v2 benchmark: pages of 1,000 full studies and countTotal queries, under gunicorn.

For a database of N synthetic studies (bench/generate_studies.py, imported once as
bench_search.py does), it serves the app with the production settings (gunicorn.conf.py,
DJANGO_DEBUG=false, facet counts uncached, no rate limit) on loopback and measures:

- pages of 1,000 full studies, following nextPageToken from the first page (keyset
  pages, each deeper than the last): time to the last byte, size, and the resident
  memory of the gunicorn workers while they stream (sampled every 10 ms), against
  the same workers serving pages of 10;
- countTotal=true queries with filters (statuses, a condition, aggFilters), one study a
  page: time to the last byte, p50 and p95; and the same for queries with an Essie
  expression that only SQL answers.

Usage::

    python bench/bench_api_v2.py --size 100000 [--requests 300] [--pages 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

import psutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_search import ensure_database  # noqa: E402
from common import BASE, PYTHON, percentile  # noqa: E402

STATUSES = ["RECRUITING", "NOT_YET_RECRUITING", "COMPLETED", "ACTIVE_NOT_RECRUITING"]
AGG = ["phase:2", "phase:1 2", "phase:3", "studyType:int", "studyType:obs", "sex:f", "healthy:y"]


def conditions(env: dict) -> list[str]:
    """The 60 commonest condition terms of the benchmark database."""
    script = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','finder.settings');"
        "django.setup();from trials.models import ConditionTerm;"
        "print('\\n'.join(ConditionTerm.objects.order_by('-trial_count')"
        ".values_list('term', flat=True)[:60]))"
    )
    found = subprocess.run(
        [PYTHON, "-c", script], cwd=BASE, env=env, capture_output=True, text=True, check=True
    )
    return [line for line in found.stdout.splitlines() if line.strip()]


def fetch(conn: http.client.HTTPConnection, params: dict) -> tuple[float, bytes, dict]:
    started = time.perf_counter()
    conn.request("GET", "/api/v2/studies?" + urllib.parse.urlencode(params))
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"{response.status}: {body[:300]!r} for {params}")
    return elapsed, body, dict(response.getheaders())


class MemoryWatch:
    """The largest resident memory of the gunicorn workers, sampled every 10 ms."""

    def __init__(self, master: psutil.Process):
        self.master = master
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for worker in self.master.children():
                try:
                    self.peak = max(self.peak, worker.memory_info().rss)
                except psutil.Error:
                    pass
            time.sleep(0.01)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def summary(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
        f"max {max(ms):.1f} ms ({len(ms)} requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    env = ensure_database(args.size)
    terms = conditions(env)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        GUNICORN_WORKERS="2",
        TRIALFINDER_SEARCH_CACHE_SECONDS="0",
        TRIALFINDER_API_RATE_LIMIT="",
    )
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=BASE, env=env, check=True
    )
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(PYTHON), "gunicorn"), "finder.wsgi"], cwd=BASE, env=env
    )
    figures: dict = {"size": args.size}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
                fetch(conn, {"pageSize": 1})
                break
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        # Each worker loads the search bitmaps once: warm both up.
        for _ in range(6):
            fetch(conn, {"pageSize": 1, "countTotal": "true", "query.cond": terms[0]})
        master = psutil.Process(server.pid)

        with MemoryWatch(master) as small:
            token = None
            for _ in range(args.pages):
                _, body, _ = fetch(
                    conn, {"pageSize": 10, **({"pageToken": token} if token else {})}
                )
                token = json.loads(body).get("nextPageToken")
        times, sizes, token = [], [], None
        with MemoryWatch(master) as big:
            for _ in range(args.pages):
                elapsed, body, _ = fetch(
                    conn, {"pageSize": 1000, **({"pageToken": token} if token else {})}
                )
                times.append(elapsed)
                sizes.append(len(body))
                data = json.loads(body)
                assert len(data["studies"]) == 1000
                token = data.get("nextPageToken")
        mb = statistics.mean(sizes) / 1e6
        print(
            f"{args.size:,} studies: pages of 1,000 full studies ({mb:.1f} MB each): "
            f"{summary(times)}; worker memory peak {big.peak / 1e6:.0f} MB "
            f"(pages of 10: {small.peak / 1e6:.0f} MB)",
            flush=True,
        )
        figures["page_1000"] = {
            "p50_ms": percentile([t * 1000 for t in times], 50),
            "p95_ms": percentile([t * 1000 for t in times], 95),
            "max_ms": max(times) * 1000,
            "mb_per_page": mb,
            "rss_peak_mb": big.peak / 1e6,
            "rss_peak_small_pages_mb": small.peak / 1e6,
        }

        rng = random.Random(42)
        counted, essie = [], []
        for _ in range(args.requests):
            params = {
                "countTotal": "true",
                "pageSize": 1,
                "filter.overallStatus": "|".join(rng.sample(STATUSES, rng.randint(1, 3))),
            }
            if rng.random() < 0.7:
                params["query.cond"] = rng.choice(terms)
            if rng.random() < 0.5:
                params["aggFilters"] = rng.choice(AGG)
            counted.append(fetch(conn, params)[0])
        for _ in range(max(20, args.requests // 10)):
            year = rng.randint(2005, 2024)
            params = {
                "countTotal": "true",
                "pageSize": 1,
                "query.cond": rng.choice(terms),
                "filter.advanced": f"AREA[StartDate]RANGE[{year}-01-01, {year + 2}-12-31]",
            }
            essie.append(fetch(conn, params)[0])
        print(f"countTotal with filters (statuses, condition, aggFilters): {summary(counted)}")
        print(f"countTotal with an Essie date range (SQL): {summary(essie)}")
        for name, values in (("count_total", counted), ("count_total_essie", essie)):
            figures[name] = {
                "p50_ms": percentile([t * 1000 for t in values], 50),
                "p95_ms": percentile([t * 1000 for t in values], 95),
            }
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2)


if __name__ == "__main__":
    main()
