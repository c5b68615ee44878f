"""The `reprocess` flow: re-extract stored articles from their raw inputs, record what changed.

Nothing is fetched. Each article is read again from where it came from (a local file or a
WARC record, by offset; a page fetched from the web: its record in the raw archive), cleaned with the current extractor, and compared field by field with
the stored row. Changed articles are replaced, one transaction per batch, and every changed
field is written to `article_changes`. An unchanged extractor over unchanged input changes
nothing.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.ingest import (
    begin_run,
    clean_batches,
    fail_run,
    make_batches,
    open_run,
    refresh_warehouse,
    run_header,
    run_row,
    utc_now,
)
from flows.pool import WorkerDied
from flows.progress import progress
from tasks.batch import PlannedInput
from tasks.load import RunCounts, claim_staging, load_reprocessed, publish_staging
from tasks.records import InputItem
from tasks.settings import Settings
from tasks.warehouse import WarehouseError, connect, load_sql

_RECORD_RE = re.compile(r"^(?P<path>.+)#(?P<key>offset|record)=(?P<value>\d+)$")


def item_from_source(source: str, kind: str) -> InputItem:
    """Rebuild the input item an article came from, given its `source`."""
    match = _RECORD_RE.match(source)
    if match is None:
        return InputItem(source=source, location=source, kind=kind, compressed=source.endswith(".gz"))
    value = int(match["value"])
    return InputItem(
        source=source,
        location=match["path"],
        kind=kind,
        record_offset=value if match["key"] == "offset" else None,
        record_index=value if match["key"] == "record" else None,
    )


@task(name="select-articles", cache_policy=NO_CACHE)
def select_articles(settings: Settings, since: datetime | None, source: str | None) -> tuple[list[PlannedInput], int]:
    """The stored articles to re-extract, and how many of them have lost their raw input."""
    pattern = source.replace("*", "%") if source else None
    with connect(settings.database_path) as con:
        rows = con.execute(load_sql("load/select_for_reprocess.sql"), {"since": since, "source": pattern}).fetchall()
    todo, missing = [], 0
    for article_id, src, kind, _url, _fetched, warc_file, warc_offset in rows:
        if warc_file is not None:  # fetched from the web: its record in the raw archive
            item = InputItem(source=src, location=str(settings.warehouse / warc_file), kind=kind, record_offset=warc_offset)
        else:
            item = item_from_source(src, kind)
        if Path(item.location).exists():
            todo.append(PlannedInput(item, article_id))
        else:
            missing += 1
    return todo, missing


@task(name="load-reprocessed", cache_policy=NO_CACHE)
def load_changes(settings: Settings, run_id: str, counts: RunCounts) -> tuple[RunCounts, int]:
    """Replace changed articles batch by batch, then close the run and publish its Parquet."""
    progress().phase("Loading", None)
    with connect(settings.database_path, wait_seconds=settings.lock_wait_seconds) as con:
        changed, change_rows = load_reprocessed(con, settings.warehouse, run_id, utc_now())
        unchanged = counts.loaded - changed
        counts.loaded = changed
        if unchanged:
            counts.skipped_by_reason["unchanged"] = unchanged
        counts.skipped = sum(counts.skipped_by_reason.values())
        con.execute(load_sql("load/finish_run.sql"), run_row({"run_id": run_id}, counts, "completed"))
        publish_staging(con, settings.warehouse, run_id)
        refresh_warehouse(con, settings, [run_id], articles_changed=changed > 0)
    return counts, change_rows


@flow(name="reprocess", persist_result=False, task_runner=ThreadPoolTaskRunner(max_workers=2))
def reprocess(
    warehouse: str | None = None,
    since: datetime | None = None,
    source: str | None = None,
    batch_size: int | None = None,
):
    """Re-extract stored articles from their raw inputs with the current extractor."""
    overrides = {k: v for k, v in {"warehouse": warehouse, "batch_size": batch_size}.items() if v is not None}
    settings = Settings(**overrides)
    if not settings.database_path.exists():
        return Failed(message=f"No warehouse at {settings.database_path}: run `newsroom run` first.")
    clock = time.perf_counter()
    run_id, started, report = begin_run(settings)
    lock = claim_staging(settings.warehouse, run_id)
    try:
        arguments = {"command": "reprocess", "since": since.isoformat() if since else None, "source": source}
        open_run(settings, run_header(settings, run_id, started, arguments, report.flow_run_id))
        todo, missing = select_articles(settings, since, source)
        counts = RunCounts(inputs=len(todo) + missing)
        if missing:
            counts.skipped_by_reason["input_missing"] = missing
        progress().phase("Re-extracting", len(todo))
        batches = make_batches(todo, settings.batch_size, settings.workers)
        rejected: Counter[str] = Counter()
        for outcome in clean_batches(batches, settings, run_id, started):
            counts.loaded += outcome["loaded"]
            rejected.update(outcome["rejected"])
            if outcome["deferred"]:  # the raw input changed since it was ingested: `run` takes it
                counts.skipped_by_reason["input_changed"] = counts.skipped_by_reason.get("input_changed", 0) + outcome["deferred"]
        counts.rejected_by_reason = dict(rejected)
        counts.rejected = sum(rejected.values())
        counts, report.replaced = load_changes(settings, run_id, counts)
        if not counts.balanced():
            raise RuntimeError(f"reprocess run {run_id} lost track of articles: {counts}")
        report.counts = counts
        report.status = "completed"
        report.task_runs = len(batches) + 2
    except (WarehouseError, WorkerDied) as exc:
        fail_run(settings, run_id, str(exc))
        return Failed(message=str(exc))
    finally:
        report.elapsed_seconds = time.perf_counter() - clock
        lock.close()
    return report
