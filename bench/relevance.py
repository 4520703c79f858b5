"""Relevance benchmark: how well each engine puts the trials about a query first.

    .venv/bin/python bench/relevance.py
    .venv/bin/python bench/relevance.py --show "breast cancer"    # one query's top 10, graded

It imports the real ClinicalTrials.gov records of ../shared/data/ctgov/ into a database
of its own (`trialfinder_bench_real`, kept between runs), asks 80 queries of every
status, and prints NDCG@10 and P@10 per kind of query for TrialFinder and for the
textbook baseline (bench/naive.py's filters, ordered by last update).

The judged set is written down here: the queries below, and GRADES, the rubric that
grades each record for a query from the record's own JSON (the words a field holds,
compared without PostgreSQL's stemming). Anyone can read it, run `--show` and check a
grade against the record on ClinicalTrials.gov. The rubric follows what patients mean
by "a trial about X":

- a condition (or an everyday name, through its MeSH terms): 3 when the brief title
  names it, or it is the first of at most three conditions; 2 when it is the first
  condition, or one of at most three; 1 when the trial lists it among more, or has it as
  a keyword or one of its own MeSH terms; 0 otherwise (a MeSH ancestor, the summary).
- free text: 3 when the brief title holds every word; 2 when the conditions, keywords
  or MeSH terms do; 1 when the official title, the interventions or the summary do.

P@10 counts the top 10 graded 2 or more. It also checks the issue's rule: no trial that
lists 20 or more conditions is in the top 3 of a condition query unless its title or
first condition names it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import BASE, PYTHON, SHARED_STUDIES, bench_env, fresh_database, manage  # noqa: E402

DB_NAME = "trialfinder_bench_real"
EDGE_CASES = SHARED_STUDIES.with_name("edge-cases.jsonl")

# As patients type them: the conditions most of the real records list.
CONDITIONS = [
    "erectile dysfunction",
    "cluster headache",
    "prostate cancer",
    "diabetes",
    "degenerative disc disease",
    "leukemia",
    "depression",
    "type 2 diabetes",
    "obesity",
    "stroke",
    "schizophrenia",
    "urinary incontinence",
    "migraine",
    "lumbar disc herniation",
    "acute lymphoblastic leukemia",
    "hypertension",
    "acute myeloid leukemia",
    "parkinson disease",
    "breast cancer",
    "lung cancer",
    "hypogonadism",
    "chronic pain",
    "multiple sclerosis",
    "low back pain",
    "premature ejaculation",
    "smoking cessation",
    "heart failure",
    "coronary artery disease",
    "chronic obstructive pulmonary disease",
    "anxiety",
    "asthma",
    "spinal stenosis",
    "metabolic syndrome",
    "spinal cord injury",
    "benign prostatic hyperplasia",
    "osteoarthritis",
    "covid-19",
    "alzheimer disease",
    "atrial fibrillation",
    "lymphoma",
]
FREE_TEXT = [
    "stem cell",
    "quality of life",
    "exercise",
    "tadalafil",
    "sildenafil",
    "acupuncture",
    "radiofrequency ablation",
    "vaccine",
    "sleep",
    "shock wave",
    "physical therapy",
    "mindfulness",
    "cognitive behavioral therapy",
    "platelet rich plasma",
    "spinal fusion",
    "chemotherapy",
    "diet",
    "yoga",
    "botulinum toxin",
    "testosterone",
]
# Everyday names, searched as conditions (trials.search.lay_names gives their MeSH terms).
LAY_NAMES = [
    "impotence",
    "slipped disc",
    "sugar diabetes",
    "high blood pressure",
    "heart attack",
    "bowel cancer",
    "kidney disease",
    "enlarged prostate",
    "leaky bladder",
    "low testosterone",
    "sleeplessness",
    "brittle bones",
    "bad back",
    "blood cancer",
    "clinical depression",
    "migraines",
    "copd",
    "ptsd",
    "alzheimers",
    "parkinsons",
]
STOP_WORDS = {"of", "the", "and", "in", "with", "a", "an", "for", "to", "on", "or", "after"}


def words(text: str) -> set[str]:
    """The words of a text, lower case, a plural's s dropped, stop words left out."""
    found = set()
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if word in STOP_WORDS:
            continue
        found.add(word[:-1] if len(word) > 3 and word.endswith("s") else word)
    return found


def holds(texts: list[str], query: str) -> bool:
    """Whether one of the texts holds every word of the query."""
    wanted = words(query)
    return bool(wanted) and any(wanted <= words(t) for t in texts)


def grade_condition(record: dict, names: list[str]) -> int:
    """The rubric for a condition query (`names`: as typed, and its MeSH terms)."""
    ps = record.get("protocolSection", {})
    title = ps.get("identificationModule", {}).get("briefTitle", "")
    conditions = ps.get("conditionsModule", {}).get("conditions", [])
    keywords = ps.get("conditionsModule", {}).get("keywords", [])
    browse = record.get("derivedSection", {}).get("conditionBrowseModule", {})
    meshes = [m.get("term", "") for m in browse.get("meshes", [])]
    best = 0
    for name in names:
        few = len(conditions) <= 3
        if holds([title], name) or (few and holds(conditions[:1], name)):
            best = max(best, 3)
        elif holds(conditions[:1], name) or (few and holds(conditions, name)):
            best = max(best, 2)
        elif holds(conditions + keywords + meshes, name):
            best = max(best, 1)
    return best


def grade_text(record: dict, query: str) -> int:
    """The rubric for a free-text query."""
    ps = record.get("protocolSection", {})
    ident = ps.get("identificationModule", {})
    conditions = ps.get("conditionsModule", {})
    browse = record.get("derivedSection", {}).get("conditionBrowseModule", {})
    interventions = ps.get("armsInterventionsModule", {}).get("interventions", [])
    if holds([ident.get("briefTitle", "")], query):
        return 3
    listed = conditions.get("conditions", []) + conditions.get("keywords", [])
    if holds([" ".join(listed + [m.get("term", "") for m in browse.get("meshes", [])])], query):
        return 2
    others = [
        ident.get("officialTitle", ""),
        " ".join(i.get("name", "") for i in interventions),
        ps.get("descriptionModule", {}).get("briefSummary", ""),
    ]
    return 1 if holds(others, query) else 0


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at_10(ranked: list[int], all_grades: list[int]) -> float:
    ideal = dcg(sorted(all_grades, reverse=True)[:10])
    return dcg(ranked[:10]) / ideal if ideal else float("nan")


def records() -> dict[str, dict]:
    """NCT ID -> record, the later of two copies winning (as the importer keeps them)."""
    found = {}
    for path in (SHARED_STUDIES, EDGE_CASES):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fp:
            for line in fp:
                record = json.loads(line)
                ps = record.get("protocolSection", {})
                if "statusModule" in ps:
                    found[ps["identificationModule"]["nctId"]] = record
    return found


def queries() -> list[tuple[str, str]]:
    return (
        [("condition", q) for q in CONDITIONS]
        + [("free text", q) for q in FREE_TEXT]
        + [("lay name", q) for q in LAY_NAMES]
    )


def measure(show: str = "") -> dict:
    """In a child process whose settings point at the benchmark database."""
    import django

    sys.path.insert(0, str(BASE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")
    django.setup()
    from django.conf import settings
    from naive import NaiveFilterSet

    from trials.models import Trial
    from trials.search import engine
    from trials.search.criteria import Criteria

    settings.SEARCH_CACHE_SECONDS = 0
    by_id = records()
    systems = {}

    def trialfinder(kind: str, query: str) -> list[str]:
        text = {"q": query} if kind == "free text" else {"condition": query}
        result = engine.run(Criteria.of(status=[], **text), size=10)
        found = Trial.objects.in_order(result.ids)
        return [t.nct_id for t in found]

    def textbook(kind: str, query: str) -> list[str]:
        data = {"q": query} if kind == "free text" else {"condition": query}
        found = NaiveFilterSet(data, queryset=Trial.objects.all()).qs
        return list(found.order_by("-last_update", "nct_id").values_list("nct_id", flat=True)[:10])

    systems = {"TrialFinder": trialfinder, "textbook baseline": textbook}
    table: dict[str, dict[str, list[tuple[float, float]]]] = {name: {} for name in systems}
    crowded_in_top3 = []
    for kind, query in queries():
        if kind == "free text":
            grades = {n: grade_text(r, query) for n, r in by_id.items()}
        else:
            names = [query]
            if kind == "lay name":
                from trials.search.lay_names import LAY_NAMES as TABLE

                names += list(TABLE.get(query, ()))
            grades = {n: grade_condition(r, names) for n, r in by_id.items()}
        relevant = [g for g in grades.values() if g]
        for name, system in systems.items():
            top = system(kind, query)
            ranked = [grades.get(n, 0) for n in top]
            p10 = sum(g >= 2 for g in ranked) / 10
            table[name].setdefault(kind, []).append((ndcg_at_10(ranked, relevant), p10))
            if name == "TrialFinder" and kind != "free text":
                for n in top[:3]:
                    conditions = (
                        by_id[n]["protocolSection"]
                        .get("conditionsModule", {})
                        .get("conditions", [])
                    )
                    if len(conditions) >= 20 and grades[n] < 3 and not holds(conditions[:1], query):
                        crowded_in_top3.append((query, n))
            if show and query == show:
                print(f"{name}: {query!r} ({len(relevant)} graded trials)", file=sys.stderr)
                for n, g in zip(top, ranked, strict=True):
                    title = by_id[n]["protocolSection"]["identificationModule"].get("briefTitle")
                    print(f"  {g}  {n}  {title[:90]}", file=sys.stderr)
    return {"table": table, "crowded_in_top3": crowded_in_top3}


def ensure_database() -> dict[str, str]:
    env = bench_env(DB_NAME)
    probe = subprocess.run(
        [
            PYTHON,
            "-c",
            "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','finder.settings');"
            "django.setup();from trials.models import Trial;print(Trial.objects.count())",
        ],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0 or not probe.stdout.strip().isdigit() or int(probe.stdout) < 2000:
        env = fresh_database(DB_NAME)
        manage(env, "import_ctgov", str(SHARED_STUDIES), str(EDGE_CASES), stdout=subprocess.DEVNULL)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--show", default="", help="print this query's top 10 with grades")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.show)))
        return
    env = ensure_database()
    done = subprocess.run(
        [PYTHON, __file__, "--child", "--show", args.show],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    sys.stderr.write(done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{'system':<20} {'queries':<12} {'n':>3} {'NDCG@10':>8} {'P@10':>6}")
    for system, kinds in result["table"].items():
        for kind, rows in kinds.items():
            scored = [(n, p) for n, p in rows if not math.isnan(n)]
            ndcg = sum(n for n, _ in scored) / len(scored)
            p10 = sum(p for _, p in scored) / len(scored)
            print(f"{system:<20} {kind:<12} {len(scored):>3} {ndcg:>8.3f} {p10:>6.2f}")
    crowded = result["crowded_in_top3"]
    print(
        f"trials listing 20+ conditions in a condition query's top 3 without naming it "
        f"in the title or first condition: {len(crowded)} {crowded or ''}"
    )
    if args.json:
        with open(args.json, "w") as fp:
            json.dump(result, fp, indent=1)


if __name__ == "__main__":
    main()
