"""Every cleaned field of every shared page, to show that a change to the cleaning changes nothing.

    .venv/bin/python benchmarks/clean_snapshot.py dump OUT [--fast]
    .venv/bin/python benchmarks/clean_snapshot.py compare A B

`dump` cleans the 2,325 HTML pages of the shared sets (the throughput WARC, fundus,
htmldate_news) with this checkout's code and writes, per page, every field of the cleaned
page (title, text, authors, date, language, site, description, url, image, categories, tags),
the links and the modification time, or the rejection reason, to OUT (a pickle). It prints
the CPU milliseconds per page. `compare` prints the pages whose fields differ between two
dumps, field by field; run it on a dump of the code before a change (e.g. a `git worktree`
of the previous commit) and one after. A refactor or a speed-up must print "0 differ".
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EVAL = ROOT.parent / "shared" / "eval"
FIELDS = ("title", "text", "authors", "published_at", "language", "site_name", "description", "url", "image_url", "categories", "tags")


def shared_pages() -> list[tuple[str | None, bytes]]:
    """(url, HTML bytes) of every page of the three shared HTML sets, in a fixed order."""
    from benchmarks.bench_pipeline import read_pages
    from benchmarks.eval_extraction import load_pages

    pages = [(url, payload) for url, _, payload in read_pages(EVAL / "throughput" / "news_pages.warc.gz")]
    for name in ("fundus", "htmldate_news"):
        pages += [(row.get("url"), html) for row, html in load_pages(name, None)]
    return pages


def dump(out: Path, fast: bool) -> None:
    from tasks.clean import clean_page
    from tasks.extract import ExtractedFields, extract_markup
    from tasks.records import Rejected

    pages = shared_pages()
    results = []
    clock = time.process_time()
    for url, payload in pages:
        try:
            page = clean_page(payload, "html", url=url, fast=fast)
            fields = extract_markup(page, ExtractedFields())
            results.append(({name: getattr(page, name) for name in FIELDS}, fields.links, fields.modified_at))
        except Rejected as rejected:
            results.append(("rejected", rejected.stage, rejected.reason))
    seconds = time.process_time() - clock
    out.write_bytes(pickle.dumps({"urls": [url for url, _ in pages], "results": results}))
    print(f"{len(pages)} pages, {1000 * seconds / len(pages):.1f} CPU ms a page -> {out}")


def compare(a: Path, b: Path) -> int:
    old, new = pickle.loads(a.read_bytes()), pickle.loads(b.read_bytes())
    if old["urls"] != new["urls"]:
        print("the two dumps are of different pages")
        return 2
    differ = 0
    for url, x, y in zip(old["urls"], old["results"], new["results"], strict=True):
        if x == y:
            continue
        differ += 1
        print(url)
        if isinstance(x[0], dict) and isinstance(y[0], dict):
            for name in FIELDS:
                if x[0][name] != y[0][name]:
                    print(f"  {name}: {str(x[0][name])[:120]!r} -> {str(y[0][name])[:120]!r}")
            if x[1] != y[1]:
                print(f"  links: {len(x[1])} -> {len(y[1])}")
            if x[2] != y[2]:
                print(f"  modified_at: {x[2]} -> {y[2]}")
        else:
            print(f"  {x[0] if isinstance(x[0], str) else 'cleaned'} -> {y[0] if isinstance(y[0], str) else 'cleaned'}")
    print(f"{len(old['urls'])} pages, {differ} differ")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump", help="clean every shared page and write the fields to OUT")
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--fast", action="store_true", help="the fast cleaning profile")
    comparing = commands.add_parser("compare", help="list the pages whose fields differ between two dumps")
    comparing.add_argument("a", type=Path)
    comparing.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.fast)
    else:
        sys.exit(compare(args.a, args.b))


if __name__ == "__main__":
    main()
