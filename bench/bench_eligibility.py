"""How well eligibility criteria split into checklist items, on every real record.

    .venv/bin/python bench/bench_eligibility.py [--sample 30] [--seed 22] [--rules]

Reads ../shared/data/ctgov (studies.jsonl.gz and edge-cases.jsonl) directly, no
database. Prints: the records with criteria and with both an inclusion and an exclusion
heading; the share of those with at least 2 items in each inclusion and exclusion
section; items per trial (median, p90, max); items that look wrong (a heading, a lone
marker, an unfinished lead-in with nothing under it); then `--sample` trials drawn at
random, each item on a line, to check by eye. With --rules, how often each profile rule
(trials.prescreen) decides a criterion, for each answer.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
CTGOV = BASE.parent / "shared" / "data" / "ctgov"
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")

import django  # noqa: E402

django.setup()

from trials import eligibility, rules  # noqa: E402

BOTH_HEADINGS = re.compile(r"inclusion", re.I), re.compile(r"exclusion|non-inclusion", re.I)


def records() -> list[tuple[str, str]]:
    """(NCT ID, criteria) of every real record, the edge cases after the studies."""
    found = []
    for path in (CTGOV / "studies.jsonl.gz", CTGOV / "edge-cases.jsonl"):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                protocol = json.loads(line).get("protocolSection", {})
                nct_id = protocol.get("identificationModule", {}).get("nctId", "?")
                text = protocol.get("eligibilityModule", {}).get("eligibilityCriteria", "")
                found.append((nct_id, text))
    return found


def has_both_headings(text: str) -> bool:
    kinds = {
        eligibility.heading(line) and eligibility.heading(line)[0] for line in text.splitlines()
    }
    return {eligibility.INCLUSION, eligibility.EXCLUSION} <= kinds


def lines_per_section(text: str) -> list[int]:
    """A naive count, independent of the splitter: the lines with words under each
    inclusion or exclusion heading."""
    counts: list[int] = []
    kind = None
    for line in text.splitlines():
        if found := eligibility.heading(line):
            kind = found[0]
            if kind != eligibility.OTHER:
                counts.append(0)
        elif kind not in (None, eligibility.OTHER) and not eligibility.EMPTY.match(
            eligibility.clean(line)
        ):
            counts[-1] += 1
    return counts


def suspicious(item: eligibility.Item) -> str:
    if eligibility.heading(item.text):
        return "a heading"
    if not re.search(r"\w", item.text):
        return "no words"
    if item.text.endswith(":") and not item.subitems:
        return "a lead-in with nothing under it"
    return ""


def split_figures(rows: list[tuple[str, str]]) -> dict[str, list]:
    with_text = [(n, t) for n, t in rows if t.strip()]
    both = [(n, t) for n, t in with_text if has_both_headings(t)]
    print(
        f"records: {len(rows)}, with criteria: {len(with_text)}, "
        f"with an inclusion and an exclusion heading: {len(both)}"
    )
    short, per_trial, odd = [], [], Counter()
    examples: dict[str, list] = {}
    for nct_id, text in with_text:
        sections = eligibility.split_criteria(text)
        items = [i for s in sections for i in s.items]
        per_trial.append(len(items))
        for item in items:
            if why := suspicious(item):
                odd[why] += 1
                examples.setdefault(why, []).append((nct_id, item.text))
    for nct_id, text in both:
        sections = [s for s in eligibility.split_criteria(text) if s.kind != eligibility.OTHER]
        kinds = {s.kind for s in sections}
        if kinds != {eligibility.INCLUSION, eligibility.EXCLUSION} or any(
            len(s.items) < 2 for s in sections
        ):
            short.append((nct_id, [(s.kind, s.title, len(s.items)) for s in sections]))
    share = 100 * (len(both) - len(short)) / len(both)
    print(
        f"  at least 2 items in each inclusion and exclusion section: "
        f"{len(both) - len(short)} of {len(both)} ({share:.1f}%)"
    )
    # What the records allow: a section written as one line holds one criterion at most
    # as often as not ("* Erectile dysfunction for at least 3 months").
    shorts = {nct_id for nct_id, _ in short}
    roomy = [n for n, t in both if all(c >= 2 for c in lines_per_section(t))]
    missed = [n for n in roomy if n in shorts]
    print(
        f"  records whose every such section has 2 or more lines of text: {len(roomy)} "
        f"({100 * len(roomy) / len(both):.1f}%); of these, split into 2 or more items "
        f"each: {len(roomy) - len(missed)} ({100 * (len(roomy) - len(missed)) / len(roomy):.1f}%)"
    )
    print(f"  of these, fewer than 2 items in a section: {' '.join(missed) or 'none'}")
    per_trial.sort()
    print(
        f"  items per trial (records with criteria): median {statistics.median(per_trial):g}, "
        f"mean {statistics.mean(per_trial):.1f}, p90 {per_trial[int(0.9 * len(per_trial))]}, "
        f"max {per_trial[-1]}, none {sum(1 for n in per_trial if n == 0)}"
    )
    print(f"  items that look wrong: {dict(odd) or 'none'}")
    for why, cases in examples.items():
        for nct_id, text in cases[:5]:
            print(f"    {why}: {nct_id} {text[:100]!r}")
    print(f"  records below 2 items in a section ({len(short)}):")
    for nct_id, sections in short:
        print(f"    {nct_id} {sections}")
    return {"with_text": with_text}


def sample(rows: list[tuple[str, str]], size: int, seed: int) -> None:
    chosen = random.Random(seed).sample([r for r in rows if r[1].strip()], size)
    for nct_id, text in chosen:
        print(f"\n=== {nct_id}")
        for section in eligibility.split_criteria(text):
            group = f" [{section.group}]" if section.group else ""
            print(f"  -- {section.kind}: {section.title or '(no heading)'}{group}")
            for note in section.notes:
                print(f"     note: {note[:110]}")
            for item in section.items:
                print(f"     {item.key:>4} {item.text[:110]}")
                for sub in item.subitems:
                    print(f"            · {sub[:100]}")


def rule_figures(rows: list[tuple[str, str]], show: int) -> None:
    """For each profile question and answer: the trials and criteria it decides."""
    with_text = [(n, t) for n, t in rows if t.strip()]
    trials: Counter = Counter()
    criteria: Counter = Counter()
    mentions: Counter = Counter()
    seen: dict[tuple, list] = {}
    for nct_id, text in with_text:
        items = eligibility.items(text)
        fired = set()
        for item in items:
            for rule in rules.RULES:
                if rule.mentions(item):
                    mentions[rule.topic, item.kind] += 1
                for answer, profile in rule.examples:
                    decided = rule.decide(item, profile)
                    if decided is None:
                        continue
                    key = (rule.topic, answer, item.kind, decided)
                    criteria[key] += 1
                    fired.add(key)
                    seen.setdefault(key, []).append((nct_id, item.full_text))
        for key in fired:
            trials[key] += 1
    print(f"\nprofile rules on {len(with_text)} records with criteria")
    for (topic, kind), count in sorted(mentions.items()):
        print(f"  {topic:<10} mentioned in {count} {kind} criteria")
    print("  topic      answer  criterion  -> pre-answer : criteria (trials)")
    for key in sorted(criteria):
        topic, answer, kind, decided = key
        print(
            f"  {topic:<10} {answer!s:<7} {kind:<10} -> {decided:<6}: "
            f"{criteria[key]} ({trials[key]}, {100 * trials[key] / len(with_text):.1f}%)"
        )
        for nct_id, text in seen[key][:show]:
            print(f"        {nct_id} {text[:120]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--rules", action="store_true", help="how often each profile rule fires")
    parser.add_argument("--show", type=int, default=3, help="examples per rule outcome")
    args = parser.parse_args()
    rows = records()
    split_figures(rows)
    if args.sample:
        sample(rows, args.sample, args.seed)
    if args.rules:
        rule_figures(rows, args.show)


if __name__ == "__main__":
    main()
