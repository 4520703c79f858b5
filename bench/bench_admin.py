"""Coordinators' admin benchmark: the trial list, searched and filtered, at a given size.

    .venv/bin/python bench/bench_admin.py --size 600000

Runs against the benchmark database trialfinder_bench_<size> (made by bench_import.py
--keep or bench_search.py) as a superuser it creates there, through Django's whole
stack in-process. Prints p50 and p95 server time per request kind, in ms.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import BASE, PYTHON, bench_env, percentile  # noqa: E402

TRIALS = "/admin/trials/trial/"
KINDS = {
    "list": {},
    "an NCT ID": {"q": "{nct_id}"},
    "the start of an NCT ID": {"q": "{nct_start}"},
    "words": {"q": "{word}"},
    "country filter": {"country": "France"},
    "status filter + words": {"overall_status__exact": "RECRUITING", "q": "{word}"},
    "contact requests": None,
}
WORDS = ["asthma", "stem cell", "cancer", "kidney", "vaccine", "pain", "insulin", "sleep"]


def measure(repeats: int) -> dict[str, list[float]]:
    """In a child process whose settings point at the benchmark database."""
    import random

    import django

    sys.path.insert(0, str(BASE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from trials.models import Trial

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    rng = random.Random(20261123)
    nct_ids = list(Trial.objects.order_by("?").values_list("nct_id", flat=True)[:repeats])
    times: dict[str, list[float]] = {}
    for kind, params in KINDS.items():
        for i in range(repeats + 2):  # the first two warm up
            nct_id = nct_ids[i % len(nct_ids)]
            values = {"nct_id": nct_id, "nct_start": nct_id[:-3], "word": rng.choice(WORDS)}
            url = "/admin/trials/contactrequest/" if params is None else TRIALS
            query = {k: v.format(**values) for k, v in (params or {}).items()}
            started = time.perf_counter()
            response = client.get(url, query)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, query, response.status_code)
            if i >= 2:
                times.setdefault(kind, []).append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=600_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import json

        print(json.dumps(measure(args.repeats)))
        return
    env = bench_env(f"trialfinder_bench_{args.size}")
    proc = subprocess.run(
        [PYTHON, __file__, "--child", "--repeats", str(args.repeats)],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    import json

    times = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"admin at {args.size:,} trials, {args.repeats} requests per kind; ms")
    print(f"  {'request':<26} {'p50':>8} {'p95':>8}")
    for kind, values in times.items():
        print(f"  {kind:<26} {percentile(values, 50):>8.1f} {percentile(values, 95):>8.1f}")


if __name__ == "__main__":
    main()
