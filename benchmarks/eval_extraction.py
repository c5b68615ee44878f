"""Cleaning quality against ../shared/eval: ours (tasks/clean.py) side by side with stock trafilatura.

    .venv/bin/python benchmarks/eval_extraction.py [--sets fundus htmldate_news] [--limit N] [--json out.json] [--fast]

Fields: body token F1 (bag of lower-cased word tokens, averaged over pages with a gold body),
title exact match (whitespace folded, NFC, soft hyphens and zero-width characters removed), date accuracy (day, over pages with a gold date), authors
exact-set match (over pages with gold authors). A page we reject counts as empty output.
Stock = `trafilatura.bare_extraction(html, url=url, with_metadata=True)` (title, date, authors)
and `trafilatura.extract(html, url=url)` (body), trafilatura's defaults.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tarfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trafilatura import bare_extraction, extract  # noqa: E402

from tasks.clean import clean_page  # noqa: E402
from tasks.records import Rejected  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokens(text: str | None) -> Counter:
    """Lower-cased word tokens of a text, as a multiset."""
    return Counter(t.lower() for t in _TOKEN_RE.findall(text or ""))


def token_f1(predicted: str | None, gold: str) -> float:
    """Bag-of-tokens F1 between two texts."""
    p, g = tokens(predicted), tokens(gold)
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def fold(text: str | None) -> str:
    """Whitespace folded, NFC, invisible characters (soft hyphen, zero-width) removed."""
    return " ".join(unicodedata.normalize("NFC", _INVISIBLE_RE.sub("", text or "")).split())


def load_pages(name: str, limit: int | None):
    """(record, html bytes) for every page of one evaluation set."""
    rows = [json.loads(line) for line in (EVAL / name / "manifest.jsonl").open(encoding="utf-8")]
    with tarfile.open(EVAL / name / "pages.tar.gz") as archive:
        for row in rows[:limit]:
            yield row, archive.extractfile(row["html_path"]).read()


FAST = False  # --fast: score the fast cleaning profile (NEWSROOM_FAST) instead of the default


def ours(html: bytes, url: str | None) -> dict:
    """Our cleaning of one page, as the fields the gold has."""
    try:
        page = clean_page(html, "html", url=url, fast=FAST)
    except Rejected:
        return {"title": None, "body": "", "date": None, "authors": []}
    return {
        "title": page.title,
        "body": page.text,
        "date": page.published_at.date().isoformat() if page.published_at else None,
        "authors": page.authors,
    }


def stock(html: bytes, url: str | None) -> dict:
    """Stock trafilatura with its defaults."""
    document = bare_extraction(html, url=url, with_metadata=True)
    body = extract(html, url=url)
    if document is None:
        return {"title": None, "body": body or "", "date": None, "authors": []}
    authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
    return {"title": document.title, "body": body or "", "date": document.date, "authors": authors}


def score(name: str, limit: int | None) -> dict:
    """Scores of ours and stock on one set."""
    sums = {system: Counter() for system in ("ours", "stock")}
    counts = Counter()
    seconds = Counter()
    for row, html in load_pages(name, limit):
        gold = row["gold"]
        for system, run in (("ours", ours), ("stock", stock)):
            clock = time.perf_counter()
            got = run(html, row.get("url"))
            seconds[system] += time.perf_counter() - clock
            if gold.get("body"):
                sums[system]["body"] += token_f1(got["body"], gold["body"])
            if gold.get("title"):
                sums[system]["title"] += fold(got["title"]) == fold(gold["title"])
            if gold.get("date"):
                sums[system]["date"] += (got["date"] or "")[:10] == gold["date"]
            if gold.get("authors") is not None:
                sums[system]["authors"] += {fold(a) for a in got["authors"]} == {fold(a) for a in gold["authors"]}
        counts["pages"] += 1
        for field in ("body", "title", "date"):
            counts[field] += bool(gold.get(field))
        counts["authors"] += gold.get("authors") is not None
    result = {"set": name, "pages": counts["pages"], "n": {}, "ours": {}, "stock": {}, "seconds": dict(seconds)}
    for field in ("body", "title", "date", "authors"):
        if counts[field]:
            result["n"][field] = counts[field]
            for system in ("ours", "stock"):
                result[system][field] = round(sums[system][field] / counts[field], 4)
    return result


def main() -> None:
    """Run the evaluation and print one table per set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["fundus", "htmldate_news"])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--fast", action="store_true", help="score the fast cleaning profile (newsroom run --fast)")
    args = parser.parse_args()
    global FAST
    FAST = args.fast
    results = [score(name, args.limit) for name in args.sets]
    for result in results:
        print(f"\n{result['set']}: {result['pages']} pages")
        print(f"{'field':<10}{'n':>6}{'ours':>10}{'stock':>10}")
        for field, n in result["n"].items():
            print(f"{field:<10}{n:>6}{result['ours'][field]:>10.4f}{result['stock'][field]:>10.4f}")
        print(f"seconds: ours {result['seconds']['ours']:.1f}, stock {result['seconds']['stock']:.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
