"""Trial pages with posted results: how long the page and its API take, and their parts.

    .venv/bin/python bench/bench_results.py [--repeats 3]

Imports the real records (../shared/data/ctgov) into a database of its own
(trialfinder_bench_results), then, for every trial with posted results, times
through Django's whole stack in-process: the trial page, the trial API, and alone the
parts this page adds (parsing the results, marking glossary terms, the reading
level). Prints p50, p95 and the largest, in ms, and the record behind the largest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import BASE, PYTHON, SHARED_STUDIES, fresh_database, manage, percentile  # noqa: E402

DB = "trialfinder_bench_results"


def measure(repeats: int) -> None:
    import django

    sys.path.insert(0, str(BASE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client

    from trials import glossary, readability
    from trials.models import Trial
    from trials.plain import render_markdown
    from trials.results import parse_results

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    trials = list(Trial.objects.filter(has_results=True).order_by("nct_id"))
    times: dict[str, list[tuple[float, str]]] = {}

    def timed(kind: str, nct_id: str, work, *args) -> None:
        start = time.perf_counter()
        work(*args)
        times.setdefault(kind, []).append(((time.perf_counter() - start) * 1000, nct_id))

    def results_of(trial) -> list[str]:
        raw = trial.raw
        references = raw["protocolSection"].get("referencesModule", {}).get("references", [])
        found = parse_results(
            trial.nct_id, raw.get("resultsSection"), raw.get("documentSection"), references
        )
        return found.in_short

    for trial in trials[:3]:  # warm up
        client.get(f"/trials/{trial.nct_id}/")
    for _ in range(repeats):
        for trial in trials:
            nct_id = trial.nct_id
            timed("page", nct_id, client.get, f"/trials/{nct_id}/")
            timed("API", nct_id, client.get, f"/api/trials/{nct_id}/")
            timed("parse results", nct_id, results_of, trial)
            texts = [trial.brief_summary, trial.detailed_description, trial.eligibility_criteria]
            html = "".join(render_markdown(t) for t in texts)
            timed("glossary marking", nct_id, glossary.mark_terms, html, set(), "/g/")
            timed("reading level", nct_id, readability.reading, trial.brief_summary)
    print(f"{len(trials)} trials with posted results, {repeats} rounds; times in ms")
    print(f"{'':18} {'p50':>8} {'p95':>8} {'largest':>8}  record")
    for kind, values in times.items():
        ms = sorted(v for v, _ in values)
        worst = max(values)
        print(
            f"{kind:18} {percentile(ms, 50):8.1f} {percentile(ms, 95):8.1f} {worst[0]:8.1f}  {worst[1]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.repeats)
        return
    env = fresh_database(DB)
    manage(env, "import_ctgov", str(SHARED_STUDIES), capture_output=True)
    subprocess.run(
        [PYTHON, __file__, "--child", "--repeats", str(args.repeats)], cwd=BASE, env=env, check=True
    )


if __name__ == "__main__":
    main()
