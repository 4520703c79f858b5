"""Search benchmark: server time of a fixed mix of realistic requests at several sizes.

    .venv/bin/python bench/bench_search.py --sizes 10000 100000
    .venv/bin/python bench/bench_search.py --sizes 600000 --requests 1000

For each size N it imports N synthetic studies (bench/generate_studies.py, seed 42)
into a database `trialfinder_bench_<N>` (kept between runs: a database that already
holds N trials is reused), runs ANALYZE, then sends a fixed, seeded mix of requests
through Django's full request stack in-process (no network, no cache) and prints
p50 / p95 / p99 server time per kind of request. `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, os.path.dirname(__file__))
from common import (  # noqa: E402
    BASE,
    PYTHON,
    bench_env,
    fresh_database,
    manage,
    percentile,
    sizes_parser,
    synthetic_file,
)

KINDS = [
    ("no filter", 0.10),
    ("condition", 0.18),
    ("condition+status+phase+age", 0.20),
    # Free text as a search log has it (an assumption, not a measured log): plain words
    # mostly, a quoted phrase in about one query of six, OR and a left-out word rarely, and
    # words few trials hold (a drug's code or name) in about one of seven; and a
    # condition's name typed as words instead of in the condition box.
    ("free text", 0.09),
    ("phrase", 0.025),
    ("or", 0.01),
    ("negation", 0.005),
    ("rare word", 0.02),
    ("condition as words", 0.02),
    ("every filter", 0.02),
    ("country", 0.08),
    ("deep page", 0.05),
    ("autocomplete", 0.12),
    ("trial page", 0.07),
    ("api", 0.03),
    ("near a place", 0.08),
]
# Places for "near a place": towns, a ZIP code and a point, as patients give them.
PLACES = [
    {"near": "Boston, MA"},
    {"near": "Paris"},
    {"near": "Nanjing"},
    {"near": "10001"},
    {"near": "Houston"},
    {"near": "Berlin"},
    {"near": "São Paulo"},
    {"lat": "41.88", "lon": "-87.63"},
]


def ensure_database(size: int) -> dict[str, str]:
    db_name = f"trialfinder_bench_{size}"
    env = bench_env(db_name)
    manage(env, "migrate", "-v0")  # a database from an older schema gets the new tables
    probe = subprocess.run(
        [
            PYTHON,
            "-c",
            "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','finder.settings');django.setup();"
            "from trials.models import Trial;print(Trial.objects.count())",
        ],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
    )
    if probe.returncode == 0 and probe.stdout.strip() == str(size):
        manage(env, "migrate", "-v0", check=True)
        # A database imported by an older version lacks what newer searches read precomputed.
        manage(env, "refresh_search", check=True, stdout=subprocess.DEVNULL)
    else:
        env = fresh_database(db_name)
        path = synthetic_file(size)
        started = time.monotonic()
        manage(env, "import_ctgov", str(path), check=True, stdout=subprocess.DEVNULL)
        print(f"  imported {size:,} studies in {time.monotonic() - started:.0f} s", flush=True)
    manage(env, "load_places", "-v0")  # the towns and ZIP codes "near a place" finds
    return env


def build_requests(count: int, rng: random.Random) -> list[tuple[str, str, dict]]:
    from django.db import connection

    from trials.models import ConditionTerm, Trial

    conditions = list(
        ConditionTerm.objects.order_by("-trial_count").values_list("term", flat=True)[:300]
    )
    countries = [
        "United States",
        "France",
        "China",
        "Germany",
        "Canada",
        "Spain",
        "Japan",
        "Brazil",
        "Italy",
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nct_id FROM trials_trial TABLESAMPLE SYSTEM (5) LIMIT 2000")
        nct_ids = [row[0] for row in cursor.fetchall()] or list(
            Trial.objects.values_list("nct_id", flat=True)[:100]
        )
    words = [
        "stem cell",
        "vaccine",
        "pain",
        "insulin",
        "exercise",
        '"quality of life"',
        "cancer -breast",
        "depression therapy",
        "placebo",
        "children asthma",
        "kidney",
        "surgery outcomes",
        "diet",
        "sleep",
    ]
    with connection.cursor() as cursor:
        # Words at most one trial in 10,000 holds (three at most in smaller sets): the
        # synthetic records' drug codes and names, found in a sample and kept when the
        # whole table agrees.
        cursor.execute("SELECT count(*) FROM trials_trial")
        at_most = max(3, cursor.fetchone()[0] // 10_000)
        cursor.execute(
            "SELECT word FROM ts_stat('SELECT search_document FROM trials_trial "
            "WHERE id % 50 = 0') WHERE ndoc = 1 AND word ~ '^[a-z]{4,}$' ORDER BY word LIMIT 400"
        )
        rare = []
        for (word,) in cursor.fetchall():
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM trials_trial "
                "WHERE search_document @@ plainto_tsquery('english', %s) LIMIT %s) found",
                [word, at_most + 1],
            )
            if 1 <= cursor.fetchone()[0] <= at_most:
                rare.append(word)
    phrases = [
        '"quality of life"',
        '"stem cell"',
        '"healthy volunteers"',
        '"blood pressure"',
        '"breast cancer"',
        '"type 2 diabetes"',
        '"heart failure"',
        '"chronic pain"',
    ]
    ors = [
        "asthma OR copd",
        "lupus OR vasculitis",
        "insulin OR metformin",
        "migraine OR headache",
        "vaccine OR immunization",
        "depression OR anxiety",
    ]
    negations = ["cancer -breast", "pain -opioid", "diabetes -type1", "surgery -cardiac"]
    kinds, weights = zip(*KINDS, strict=True)
    requests = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        headers = {}
        if kind == "no filter":
            url = "/"
        elif kind == "condition":
            url = "/?" + urlencode({"condition": rng.choice(conditions)})
        elif kind == "condition+status+phase+age":
            url = "/?" + urlencode(
                {
                    "condition": rng.choice(conditions),
                    "status": "RECRUITING",
                    "phase": rng.choice(["PHASE2", "PHASE3", "PHASE1"]),
                    "age": rng.randint(5, 80),
                }
            )
        elif kind == "free text":
            url = "/?" + urlencode(
                {"q": rng.choice(words), "status": rng.choice(["ALL", "RECRUITING"])}
            )
        elif kind in ("phrase", "or", "negation", "rare word", "condition as words"):
            texts = {
                "phrase": phrases,
                "or": ors,
                "negation": negations,
                "rare word": rare,
                "condition as words": conditions,
            }
            url = "/?" + urlencode(
                {"q": rng.choice(texts[kind]), "status": rng.choice(["ALL", "RECRUITING"])}
            )
        elif kind == "every filter":
            url = "/?" + urlencode(
                {
                    "condition": rng.choice(conditions),
                    "q": rng.choice(words),
                    "status": "RECRUITING",
                    "phase": rng.choice(["PHASE2", "PHASE3"]),
                    "age": rng.randint(18, 70),
                    "sex": rng.choice(["FEMALE", "MALE"]),
                    "type": "INTERVENTIONAL",
                    "healthy": "false",
                    "has_results": rng.choice(["true", "false"]),
                    "country": rng.choice(countries),
                    **rng.choice(PLACES),
                    "radius": "250",
                }
            )
        elif kind == "country":
            url = "/?" + urlencode({"country": rng.choice(countries)})
        elif kind == "deep page":
            url = "/?" + urlencode({"status": "ALL", "page": rng.randint(100, 400)})
        elif kind == "autocomplete":
            url = "/conditions/suggest/?" + urlencode(
                {"condition": rng.choice(conditions)[: rng.randint(2, 6)]}
            )
            headers = {"HX-Request": "true"}
        elif kind == "trial page":
            url = f"/trials/{rng.choice(nct_ids)}/"
        elif kind == "near a place":
            query = {**rng.choice(PLACES), "radius": rng.choice(["10", "25", "50", "100", "250"])}
            if rng.random() < 0.5:
                query["condition"] = rng.choice(conditions)
            if rng.random() < 0.3:
                query["sort"] = "nearest"
            url = "/?" + urlencode(query)
        else:
            url = "/api/trials/?" + urlencode(
                {"condition": rng.choice(conditions), "age": rng.randint(18, 70)}
            )
        requests.append((kind, url, headers))
    return requests


def measure(size: int, count: int, naive: int = 0) -> dict:
    """Runs inside a child process whose settings point at the benchmark database."""
    import django

    sys.path.insert(0, str(BASE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from naive import naive_search

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db_size = cursor.fetchone()[0]
    client = Client()
    rng = random.Random(20261123)
    requests = build_requests(count, rng)
    for _, url, headers in requests[:50]:  # warm up connections and PostgreSQL's caches
        client.get(url, headers=headers)
    times: dict[str, list[float]] = {}
    failures = 0
    for kind, url, headers in requests:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        failures += response.status_code >= 400
        times.setdefault(kind, []).append(elapsed)
        if kind in ("autocomplete", "trial page"):
            continue
        times.setdefault("all searches", []).append(elapsed)
        # The textbook baseline knows no distances.
        placed = kind in ("near a place", "every filter")
        if naive and not placed and len(times["all searches"]) % naive == 0:
            params = {
                k: (v if k == "phase" else v[0]) for k, v in parse_qs(urlsplit(url).query).items()
            }
            started = time.perf_counter()
            naive_search(params)
            elapsed = (time.perf_counter() - started) * 1000
            times.setdefault("NAIVE all searches", []).append(elapsed)
            times.setdefault(f"NAIVE {kind}", []).append(elapsed)
    from trials import geo

    for _ in range(3):
        for place in PLACES:
            if "near" in place:
                started = time.perf_counter()
                geo.locate(place["near"])
                times.setdefault("geocoding a place", []).append(
                    (time.perf_counter() - started) * 1000
                )
    return {
        "size": size,
        "db_size": db_size,
        "failures": failures,
        "kinds": {
            k: {
                "n": len(v),
                "p50": percentile(v, 50),
                "p95": percentile(v, 95),
                "p99": percentile(v, 99),
            }
            for k, v in times.items()
        },
    }


def main() -> None:
    parser = sizes_parser(__doc__)
    parser.add_argument(
        "--naive",
        type=int,
        default=0,
        metavar="N",
        help="also time the textbook baseline (bench/naive.py) on every Nth search",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.requests, args.naive)))
        return
    print(
        f"machine: {os.cpu_count()} cores; {args.requests} requests per size; times in ms (server time, uncached)"
    )
    results = []
    for size in args.sizes:
        env = ensure_database(size)
        env["TRIALFINDER_SEARCH_CACHE_SECONDS"] = "0"  # uncached figures
        # The textbook baseline shares the process's connection, and its queries at 600,000
        # trials outlast the statement timeout the site's requests set on it.
        env["TRIALFINDER_STATEMENT_TIMEOUT_MS"] = "0"
        proc = subprocess.run(
            [PYTHON, __file__, "--child", str(size), "--requests", str(args.requests)]
            + ["--naive", str(args.naive)],
            cwd=BASE,
            env=env,
            stdout=subprocess.PIPE,  # the figures; a failing child's traceback shows as it comes
            text=True,
            check=True,
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"\n{size:,} trials (database {result['db_size']}, {result['failures']} failed requests)"
        )
        print(f"  {'request':<30} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8}")
        for kind, row in result["kinds"].items():
            print(
                f"  {kind:<30} {row['n']:>5} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['p99']:>8.1f}"
            )
    if args.json:
        with open(args.json, "w") as fp:
            json.dump(results, fp, indent=1)


if __name__ == "__main__":
    main()
