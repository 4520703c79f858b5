"""E-mail alerts benchmark: `manage.py send_alerts` with many subscriptions after an import.

    .venv/bin/python bench/bench_alerts.py                      # 600,000 trials, 100,000 subscriptions
    .venv/bin/python bench/bench_alerts.py --trials 20000 --subscriptions 5000 --changed 1000
    .venv/bin/python bench/bench_alerts.py --reuse              # keep the imported trials, redo the rest

In a database of its own (`trialfinder_bench_alerts`, or --db): imports TRIALS
synthetic studies, adds SUBSCRIPTIONS confirmed subscriptions (conditions drawn from
those trials list, so common ones come up often; some with an age, phases, a country,
words or a place: a town of the trials' sites, within 50 or 100 km), then imports
CHANGED studies, half of them new, two fifths existing closed studies now recruiting
and a tenth recruiting studies with a new site beside one of theirs (again with
--reuse: other studies change), and times
`send_alerts` (matching and queueing every alert), a second run (nothing is sent
twice), and the worker sending a sample of the queued e-mails (Django's dummy mail
backend: rendering and the queue, not a mail server).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import BASE, OUT, PYTHON, bench_env, fresh_database, manage, synthetic_file  # noqa: E402

DB = "trialfinder_bench_alerts"
CLOSED = {"COMPLETED", "TERMINATED", "ACTIVE_NOT_RECRUITING", "WITHDRAWN", "UNKNOWN", "SUSPENDED"}

SUBSCRIBE = """
import random
from django.db import connection
from django.utils import timezone
from finder.filters import query_for
from trials.models import Subscription, Trial
from trials.geo import Near
from trials.search.criteria import Criteria

count = {count}
rng = random.Random(7)
# Conditions as trials list them (a sample of trials: common conditions come up often).
with connection.cursor() as cursor:
    cursor.execute("SELECT conditions[1] FROM trials_trial TABLESAMPLE SYSTEM (2) WHERE conditions <> '{{}}'")
    terms = [row[0] for row in cursor.fetchall()]
countries = [c for c, in Trial.objects.values_list("countries__0").distinct()[:60] if c]
with connection.cursor() as cursor:
    cursor.execute("SELECT city, latitude, longitude FROM trials_site TABLESAMPLE SYSTEM (1) "
                   "WHERE latitude IS NOT NULL AND city <> '' LIMIT 5000")
    towns = cursor.fetchall()
words = ["exercise", "vaccine", "surgery", '"quality of life"', "pain -opioid", "diet"]
now = timezone.now()
with connection.cursor() as cursor:
    cursor.execute("TRUNCATE trials_alerttrial, trials_alert, trials_subscriptiontoken, trials_subscription")
batch = []
for i in range(count):
    found = {{"condition": rng.choice(terms)}}
    if rng.random() < 0.6:
        found["age"] = rng.randint(18, 80)
    if rng.random() < 0.2:
        found["phase"] = rng.sample(["PHASE1", "PHASE2", "PHASE3"], rng.randint(1, 2))
    if rng.random() < 0.1 and countries:
        found["country"] = [rng.choice(countries)]
    if rng.random() < 0.05:
        found["q"] = rng.choice(words)
    if rng.random() < 0.15 and towns:
        city, lat, lon = rng.choice(towns)
        found["near"] = Near.at(city, lat, lon)
        found["radius"] = [rng.choice(["50", "100"])]
    criteria = Criteria.of(**found)
    batch.append(Subscription(
        email=f"person{{i}}@example.org", query=query_for(criteria), criteria=criteria.as_json(),
        frequency=rng.choice(["daily", "weekly"]), confirmed_at=now, matched_until=now,
    ))
    if len(batch) == 10_000:
        Subscription.objects.bulk_create(batch)
        batch = []
Subscription.objects.bulk_create(batch)
print(Subscription.objects.count(), "subscriptions,", len({{s for s in Subscription.objects.values_list("query", flat=True)}}), "distinct searches")
"""

SENT = """
from django.db.models import Count
from trials.models import Alert, AlertTrial
reasons = AlertTrial.objects.values_list("reason").annotate(n=Count("id")).order_by("reason")
print(Alert.objects.count(), "alerts,", AlertTrial.objects.count(), "trials in them:",
      ", ".join(f"{n} {reason}" for reason, n in reasons))
"""


CHANGE = """
import json
from django.db import connection

def changed(study, out):
    study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {{"date": "2026-06-01", "type": "ACTUAL"}}
    out.write(json.dumps(study) + "\\n")

with connection.cursor() as cursor, open({path!r}, "a") as out:
    cursor.execute(
        "SELECT raw::text FROM trials_trial WHERE id IN (SELECT id FROM trials_trial "
        "WHERE overall_status = ANY(%s) ORDER BY random() LIMIT %s)",
        [{closed!r}, {count}],
    )
    for (raw,) in cursor.fetchall():
        study = json.loads(raw)
        study["protocolSection"]["statusModule"]["overallStatus"] = "RECRUITING"
        changed(study, out)
    cursor.execute(
        "SELECT raw::text FROM trials_trial WHERE id IN (SELECT trial_id FROM trials_site "
        "WHERE status = 'RECRUITING' AND latitude IS NOT NULL ORDER BY random() LIMIT %s)",
        [{sites}],
    )
    for (raw,) in cursor.fetchall():
        study = json.loads(raw)
        locations = study["protocolSection"]["contactsLocationsModule"]["locations"]
        placed = next(loc for loc in locations if loc.get("geoPoint"))
        locations.append({{**placed, "facility": "New site of " + placed.get("facility", ""), "status": "RECRUITING"}})
        changed(study, out)
    cursor.execute("SELECT max(substr(nct_id, 4)::bigint) FROM trials_trial")
    print(cursor.fetchone()[0])
"""


def changed_file(env, count: int) -> str:
    """COUNT studies: half new (synthetic, after the highest NCT ID), two fifths existing
    closed ones now recruiting and a tenth recruiting ones with a new site (drawn at
    random from the database)."""
    path = OUT / "changed.jsonl"
    path.unlink(missing_ok=True)
    existing = count - count // 2
    sites = existing // 5
    script = CHANGE.format(
        closed=sorted(CLOSED), count=existing - sites, sites=sites, path=str(path)
    )
    last = int(
        manage(env, "shell", "-c", script, capture_output=True, check=True).stdout.split()[-1]
    )
    fresh = OUT / "new.jsonl"
    subprocess.run(
        [
            PYTHON,
            str(BASE / "bench" / "generate_studies.py"),
            "--count",
            str(count // 2),
            "--seed",
            str(last % 1000),
            "--start-id",
            str(last + 1),
            "--out",
            str(fresh),
        ],
        check=True,
        capture_output=True,
    )
    with open(path, "a") as out:
        out.write(fresh.read_text())
    return str(path)


def timed(env, *args) -> tuple[float, str]:
    started = time.monotonic()
    done = manage(env, *args, capture_output=True, check=True)
    return time.monotonic() - started, (done.stdout + done.stderr).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=600_000)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=2_000, help="e-mails the worker sends")
    parser.add_argument("--reuse", action="store_true", help="keep the imported trials")
    parser.add_argument("--db", default=DB, help=f"the database to use ({DB})")
    args = parser.parse_args()
    source = synthetic_file(args.trials)
    if args.reuse:
        env = bench_env(args.db)
        manage(env, "migrate", "-v0", check=True)
    else:
        env = fresh_database(args.db)
        seconds, _ = timed(env, "import_ctgov", "--workers", "2", str(source))
        print(f"imported {args.trials:,} trials in {seconds:.0f} s")
    seconds, out = timed(env, "shell", "-c", SUBSCRIBE.format(count=args.subscriptions))
    print(f"{out} ({seconds:.0f} s)")
    time.sleep(1)  # the subscriptions' last match is before the changes
    seconds, out = timed(env, "import_ctgov", changed_file(env, args.changed))
    print(f"import of the changes: {out.splitlines()[-1]} ({seconds:.1f} s with the rebuild)")
    env["DJANGO_LOG_LEVEL"] = "WARNING"
    seconds, out = timed(env, "send_alerts")
    print(f"send_alerts: {seconds:.1f} s: {out}")
    _, out = timed(env, "shell", "-c", SENT)
    print(f"  {out}")
    seconds, out = timed(env, "send_alerts")
    print(f"send_alerts again: {seconds:.1f} s: {out}")
    env["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    seconds, _ = timed(
        env, "db_worker", "--batch", "--no-startup-delay", "--max-tasks", str(args.sample)
    )
    print(
        f"db_worker: {args.sample:,} alert e-mails rendered and sent in {seconds:.1f} s "
        f"({args.sample / seconds:.0f} per second, one worker)"
    )


if __name__ == "__main__":
    main()
