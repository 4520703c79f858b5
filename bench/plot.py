"""Plot p95 search time against the number of trials, ours and the textbook baseline.

    .venv/bin/python bench/plot.py bench/out/search.json [bench/out/search-600k.json ...] docs/search-p95.png

Reads the --json output of one or more runs of bench_search.py (with --naive).
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(sources: list[str], target: str) -> None:
    results = sorted((r for s in sources for r in json.load(open(s))), key=lambda r: r["size"])
    sizes = [r["size"] for r in results]
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=110)
    for kind, label, style in [
        ("all searches", "TrialFinder (bitmaps in memory, else PostgreSQL)", "o-"),
        ("NAIVE all searches", "textbook: django-filter, COUNT + GROUP BY per facet", "s--"),
    ]:
        values = [r["kinds"].get(kind, {}).get("p95") for r in results]
        points = [(s, v) for s, v in zip(sizes, values, strict=True) if v is not None]
        if points:
            axes.plot(*zip(*points, strict=True), style, label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("trials in the database")
    axes.set_ylabel("p95 server time of a search with all facet counts (ms)")
    axes.set_title("Search latency, uncached, 2-core machine")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:-1], sys.argv[-1])
