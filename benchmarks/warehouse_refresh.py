"""What the post-load steps cost as the warehouse grows: search index, duplicates, metrics, snapshot.

Articles are real article bodies (the gold bodies of ../shared/eval/fundus and htmldate_news),
replicated with every fourth word replaced so copies are distinct stories, plus a known share
of near-duplicates (a body with an appended update line) and exact copies. Each size is loaded
through the real loader (`load_run` from staged Parquet), then every step of
`refresh_warehouse` is timed on its own. Results are appended to benchmarks/RESULTS.md.

    .venv/bin/python -m benchmarks.warehouse_refresh [sizes...]     # default: 1000 10000
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tasks.dedup import update_duplicate_clusters
from tasks.load import load_run, staging_dir, write_parquet
from tasks.publish import publish_snapshot
from tasks.quality import record_run_metrics
from tasks.records import ARTICLES_SCHEMA, content_hash
from tasks.search import search_articles, update_search_index
from tasks.settings import Settings
from tasks.warehouse import ensure_schema

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def gold_bodies() -> list[str]:
    """Article bodies from the annotated evaluation sets."""
    bodies = []
    for name in ("fundus", "htmldate_news"):
        for line in (EVAL / name / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            body = json.loads(line)["gold"].get("body")
            if body and len(body.split()) > 50:
                bodies.append(body)
    return bodies


def make_corpus(size: int, rng: random.Random) -> tuple[list[str], int]:
    """`size` texts: distinct variants of real bodies, 2% near-duplicates, 1% exact copies."""
    bodies = gold_bodies()
    texts = []
    while len(texts) < size:
        body = bodies[len(texts) % len(bodies)]
        words = body.split()
        variant = len(texts) // len(bodies)
        if variant:
            words = [f"w{rng.randrange(10**6)}" if i % 4 == variant % 4 else w for i, w in enumerate(words)]
        texts.append(" ".join(words))
    planted = 0
    for i in rng.sample(range(size), size // 50):
        texts[i] = texts[(i + 1) % size] + " Update: this article was corrected after publication."
        planted += 1
    for i in rng.sample(range(size), size // 100):
        texts[i] = texts[(i + 2) % size]
        planted += 1
    return texts, planted


def stage(warehouse: Path, run_id: str, texts: list[str], offset: int, at: datetime) -> dict:
    """Stage texts as a run's articles Parquet; return its complete runs row."""
    rows = [
        {
            "article_id": f"{offset + i:032x}", "source": f"bench/{offset + i}.txt", "url": None,
            "title": text[:60], "authors": [], "published_at": None, "language": "xx", "site_name": None,
            "description": None, "text": text, "word_count": len(text.split()), "content_hash": content_hash(text),
            "input_kind": "text", "run_id": run_id, "ingested_at": at, "extractor_version": "benchmark",
        }
        for i, text in enumerate(texts)
    ]
    write_parquet(rows, ARTICLES_SCHEMA, staging_dir(warehouse, run_id) / "articles" / "part-00001.parquet")
    return {
        "run_id": run_id, "started_at": at, "finished_at": at, "status": "completed", "inputs": len(rows),
        "loaded": len(rows), "rejected": 0, "skipped": 0, "deferred": 0, "rejected_by_reason": "{}",
        "skipped_by_reason": "{}", "arguments": "{}", "versions": "{}", "extractor_version": "benchmark",
        "flow_run_id": None, "message": None,
    }


def timed(step, *args):
    clock = time.perf_counter()
    result = step(*args)
    return time.perf_counter() - clock, result


def measure(size: int) -> dict:
    """Load `size` articles, then time each refresh step, cold and after a 1% increment."""
    rng = random.Random(size)
    texts, planted = make_corpus(size + size // 100, rng)
    base, increment = texts[:size], texts[size:]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(warehouse=Path(folder))
        at = datetime.now(UTC).replace(tzinfo=None)
        with duckdb.connect(str(settings.database_path)) as con:
            ensure_schema(con)
            load_seconds, _ = timed(load_run, con, settings.warehouse, "bench-1", stage(settings.warehouse, "bench-1", base, 0, at))
            index_seconds, how = timed(update_search_index, con)
            assert how == "built", how
            dedup_cold, clustered = timed(update_duplicate_clusters, con, settings.near_duplicate_threshold)
            metrics_seconds, _ = timed(record_run_metrics, con, "bench-1", at)
            publish_seconds, size_bytes = timed(publish_snapshot, con, settings.database_path, settings.published_path)
            load_run(con, settings.warehouse, "bench-2", stage(settings.warehouse, "bench-2", increment, size, at))
            index_again, how = timed(update_search_index, con)
            assert how == "updated", how  # in place: the increment is under REBUILD_SHARE
            dedup_warm, _ = timed(update_duplicate_clusters, con, settings.near_duplicate_threshold)
            publish_again, _ = timed(publish_snapshot, con, settings.database_path, settings.published_path)
            search_seconds, hits = timed(search_articles, con, "government election", 10)
    return {
        "articles": size, "load": load_seconds, "search_index": index_seconds, "search_index_after_1pct": index_again,
        "search_query": search_seconds, "dedup_cold": dedup_cold, "dedup_after_1pct": dedup_warm,
        "clustered_articles": clustered, "planted_copies": planted, "metrics_and_checks": metrics_seconds,
        "publish_snapshot": publish_seconds, "publish_after_1pct": publish_again, "snapshot_mb": size_bytes / 2**20,
        "hits": len(hits),
    }


def main(sizes: list[int]) -> None:
    """Measure each size and append a table to RESULTS.md."""
    rows = [measure(size) for size in sizes]
    header = (
        "| articles | search index | index updated after +1% | query | duplicates cold | duplicates after +1% "
        "| articles in clusters / planted copies | metrics + checks | publish snapshot | publish after +1% | snapshot MB |"
    )
    lines = [
        f"\n## warehouse_refresh, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (2-core machine, shared)\n",
        header,
        "|" + "---|" * (header.count("|") - 1),
    ]
    for r in rows:
        lines.append(
            f"| {r['articles']} | {r['search_index']:.2f} s | {r['search_index_after_1pct']:.2f} s | {r['search_query'] * 1000:.0f} ms "
            f"| {r['dedup_cold']:.2f} s | {r['dedup_after_1pct']:.2f} s | {r['clustered_articles']} / {r['planted_copies']} "
            f"| {r['metrics_and_checks']:.2f} s | {r['publish_snapshot']:.2f} s | {r['publish_after_1pct']:.2f} s | {r['snapshot_mb']:.1f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n", encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(text)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
