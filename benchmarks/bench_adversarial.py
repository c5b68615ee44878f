"""Hostile-input benchmark: every adversarial file through reading, decoding and cleaning.

Run on demand:  .venv/bin/python benchmarks/bench_adversarial.py
Reads ../shared/eval/adversarial (html/, compression/, warc/, html5lib/encoding_cases/) and
reports per file the outcome (article or reject reason) and the time, then the totals:
inputs tried, crashes (any exception other than a reject), slowest file, and how often the
decoded text equals the text decoded with the charset html5lib expects.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.clean import clean_page  # noqa: E402
from tasks.decode import decode_document  # noqa: E402
from tasks.read import InputReader, scan_inputs  # noqa: E402
from tasks.records import Rejected  # noqa: E402
from tasks.sources import classify_path  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "adversarial"
LIMIT = 20 * 1024 * 1024


def process(path: Path) -> list[str]:
    """Outcomes of one file: 'article' or a reject reason, one per input it holds."""
    item = classify_path(path)
    if item.kind == "unsupported":  # e.g. a .gz without .html inside the name: read as HTML
        item = type(item)(item.source, item.location, "html", path.name.endswith(".gz"))
    outcomes = []
    with InputReader(LIMIT) as reader:
        for scanned in scan_inputs([item], LIMIT):
            if scanned.skip_reason:
                outcomes.append(f"skipped:{scanned.skip_reason}")
                continue
            if scanned.rejected:
                outcomes.append(scanned.rejected.reason)
                continue
            try:
                raw = reader.read(scanned.item)
                clean_page(raw.data, scanned.item.kind, url=raw.url, charset=raw.charset)
                outcomes.append("article")
            except Rejected as rejected:
                outcomes.append(rejected.reason)
    return outcomes


def main() -> None:
    manifest = [json.loads(line) for line in open(EVAL / "manifest.jsonl", encoding="utf-8")]
    files = [EVAL / r["path"] for r in manifest if r["path"].split("/")[0] in ("html", "compression", "warc")]
    results, crashes, timings = Counter(), [], []
    for path in files:
        start = time.perf_counter()
        try:
            outcomes = process(path)
        except Exception as exc:  # the benchmark's job is to count these
            crashes.append(f"{path.name}: {type(exc).__name__}: {exc}")
            outcomes = ["CRASH"]
        elapsed = time.perf_counter() - start
        timings.append((elapsed, path.name))
        results.update(outcomes)
        print(f"{elapsed:7.2f} s  {path.relative_to(EVAL)}: {Counter(outcomes).most_common()}")
    cases = [r for r in manifest if r["path"].startswith("html5lib/encoding_cases/")]
    agree = 0
    for case in cases:
        expected = re.search(r"should yield '([^']+)'", case["expected"]).group(1)
        data = (EVAL / case["path"]).read_bytes()
        try:
            ours = decode_document(data)
        except Rejected:
            continue
        try:
            reference = data.decode("cp1252" if expected.lower() in ("windows-1252", "iso-8859-1") else expected, errors="replace")
        except LookupError:
            continue
        agree += ours.replace("\ufeff", "") == re.sub("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]", "", reference).replace("\ufeff", "")
    print("\n| files | inputs | articles | rejected | skipped | crashes | slowest |")
    print("|---|---|---|---|---|---|---|")
    inputs = sum(results.values())
    skipped = sum(v for k, v in results.items() if k.startswith("skipped:"))
    rejected = inputs - results["article"] - skipped - results["CRASH"]
    slowest = max(timings)
    print(f"| {len(files)} | {inputs} | {results['article']} | {rejected} | {skipped} | {len(crashes)} | {slowest[1]} {slowest[0]:.2f} s |")
    print(f"\nreject reasons: {dict(sorted((k, v) for k, v in results.items() if k not in ('article', 'CRASH') and not k.startswith('skipped:')))}")
    print(f"html5lib encoding cases: decoded text equals the expected charset's decoding in {agree}/{len(cases)}")
    for crash in crashes:
        print("CRASH", crash)


if __name__ == "__main__":
    main()
