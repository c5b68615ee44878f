"""Throughput of cleaning and extraction on the shared fundus pages (one process, one core).

    .venv/bin/python benchmarks/bench_extract.py [--batch 100]

Times each stage separately over all 258 pages: cleaning (trafilatura + our normalisation),
NER (spaCy, English pages only, nlp.pipe per batch), and the other extractors (quotes,
citations, links, modified time, translation). The model is loaded before timing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.clean import clean_page  # noqa: E402
from tasks.extract import NER_LANGUAGES, extract_article  # noqa: E402
from tasks.extract.entities import extract_entities, load_ner, place_names  # noqa: E402
from tasks.records import Rejected  # noqa: E402
from tasks.settings import Settings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def main() -> None:
    """Print pages per second for each stage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    settings = Settings()
    rows = [json.loads(line) for line in (EVAL / "fundus" / "manifest.jsonl").open(encoding="utf-8")]
    with tarfile.open(EVAL / "fundus" / "pages.tar.gz") as archive:
        pages_html = [(archive.extractfile(r["html_path"]).read(), r["url"]) for r in rows]
    load_ner(settings.spacy_model)
    place_names()
    clock = time.perf_counter()
    pages = []
    for html, url in pages_html:
        try:
            pages.append(clean_page(html, "html", url=url))
        except Rejected:
            continue
    clean_s = time.perf_counter() - clock
    english = [p for p in pages if p.language in NER_LANGUAGES and len(p.text) >= settings.ner_min_chars]
    clock = time.perf_counter()
    entities = []
    for i in range(0, len(english), args.batch):
        entities += extract_entities([p.text for p in english[i : i + args.batch]], settings.spacy_model)
    ner_s = time.perf_counter() - clock
    found = {id(p): e for p, e in zip(english, entities)}
    clock = time.perf_counter()
    for page in pages:
        extract_article(page, found.get(id(page)))
    rest_s = time.perf_counter() - clock
    words = sum(len(p.text.split()) for p in english)
    print(f"pages {len(pages_html)}, cleaned {len(pages)}, English for NER {len(english)} ({words} words)")
    print(f"clean          {clean_s:6.1f} s  {len(pages_html) / clean_s:6.1f} pages/s")
    print(f"NER            {ner_s:6.1f} s  {len(english) / ner_s:6.1f} articles/s  {words / ner_s:8.0f} words/s")
    print(f"other fields   {rest_s:6.1f} s  {len(pages) / rest_s:6.1f} articles/s")
    total = clean_s + ner_s + rest_s
    print(f"all            {total:6.1f} s  {len(pages_html) / total:6.1f} pages/s")


if __name__ == "__main__":
    main()
