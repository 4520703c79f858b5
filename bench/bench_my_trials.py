"""My trials benchmark: what notes and sharing cost in the browser and on the server.

    .venv/bin/python bench/bench_my_trials.py

Starts the development server for the scripts (static/js/mytrials/) and drives Debian's
Chromium through Playwright. Prints, in ms (median of the repeats):
- finding a note's passage again in the longest eligibility criteria of the real
  records, exactly and after an import changed a few characters, by quote length;
- sealing a list and deriving a passcode's key in the browser (PBKDF2, 600,000
  iterations);
- the server's check of a verifier (Django's default password hasher), in-process.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import BASE, PYTHON, SHARED_STUDIES  # noqa: E402

ANCHOR = """async ([text, lengths, repeats]) => {
  const a = await import("/static/js/mytrials/anchor.js");
  const rows = [];
  for (const length of lengths) {
    const start = Math.floor((text.length - length) / 2);
    const exact = text.slice(start, start + length);
    const target = {quote: {exact, prefix: text.slice(start - 32, start), suffix: text.slice(start + length, start + length + 32)},
                    position: {start, end: start + length}};
    // An import changes one character in twenty of the passage.
    const changed = text.slice(0, start) + [...exact].map((c, i) => i % 20 === 10 ? "#" : c).join("") + text.slice(start + length);
    const time = (haystack) => {
      const times = [];
      let found = null;
      for (let i = 0; i < repeats; i++) {
        const t0 = performance.now();
        found = a.locate(haystack, target);
        times.push(performance.now() - t0);
      }
      times.sort((x, y) => x - y);
      return {ms: times[Math.floor(times.length / 2)], found: found && found.start === start};
    };
    rows.push({length, exact: time(text), changed: time(changed)});
  }
  return rows;
}"""

SEAL = """async (repeats) => {
  const c = await import("/static/js/mytrials/crypto.js");
  const content = {trials: Array.from({length: 20}, (_, i) => ({nct_id: `NCT0000000${i}`, notes: [{text: "x".repeat(500)}]}))};
  const seal = [], keys = [];
  for (let i = 0; i < repeats; i++) {
    const passcode = c.newPasscode();
    let t0 = performance.now();
    const sealed = await c.seal(content, passcode);
    seal.push(performance.now() - t0);
    t0 = performance.now();
    await c.keys(passcode, c.fromBase64(sealed.salt), sealed.iterations);
    keys.push(performance.now() - t0);
  }
  const median = (v) => v.sort((x, y) => x - y)[Math.floor(v.length / 2)];
  return {seal: median(seal), keys: median(keys)};
}"""


def longest_criteria() -> str:
    longest = ""
    with gzip.open(SHARED_STUDIES, "rt", encoding="utf-8") as lines:
        for line in lines:
            study = json.loads(line)
            text = (
                study.get("protocolSection", {})
                .get("eligibilityModule", {})
                .get("eligibilityCriteria", "")
            )
            if len(text) > len(longest):
                longest = text
    return " ".join(longest.split())


def verifier_check_ms(repeats: int) -> float:
    script = (
        "import django, os, statistics, time\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'finder.settings'); django.setup()\n"
        "from django.contrib.auth.hashers import check_password, make_password\n"
        "stored = make_password('A' * 43 + '=')\n"
        "times = []\n"
        f"for _ in range({repeats}):\n"
        "    t0 = time.perf_counter(); check_password('A' * 43 + '=', stored)\n"
        "    times.append((time.perf_counter() - t0) * 1000)\n"
        "print(statistics.median(times))\n"
    )
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=BASE, check=True, capture_output=True, text=True
    )
    return float(result.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    text = longest_criteria()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/static/js/mytrials/anchor.js", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url + "/about-clinical-trials/")
            rows = page.evaluate(ANCHOR, [text, [50, 200, 1000], args.repeats])
            seal = page.evaluate(SEAL, max(3, args.repeats // 3))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)

    print(f"Re-finding a note's passage in {len(text):,} characters of criteria (Chromium):")
    print("  quote length   exact (ms)   after an import changed 1 in 20 characters (ms)")
    for row in rows:
        ok = "" if row["exact"]["found"] and row["changed"]["found"] else "  NOT FOUND"
        print(
            f"  {row['length']:>12}   {row['exact']['ms']:>10.2f}   {row['changed']['ms']:>10.1f}{ok}"
        )
    print(f"Sealing 20 trials with notes (PBKDF2 600,000 + AES-GCM): {seal['seal']:.0f} ms")
    print(f"Deriving a passcode's key and verifier on opening: {seal['keys']:.0f} ms")
    print(f"Server check of a verifier (Django's default hasher): {verifier_check_ms(5):.0f} ms")


if __name__ == "__main__":
    main()
