"""The `ingest` flow: sources -> plan -> clean in batches -> stage Parquet -> load DuckDB.

Every input ends as exactly one of loaded, rejected, skipped (unchanged or duplicate) or
deferred, and the counts in the `runs` row add up to the number of inputs.
"""

from __future__ import annotations

import json
import platform
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version

import duckdb
import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from flows import runtime
from flows.pool import CleaningPool, WorkerDied, cleaning_pool, stop_pool, tail_batch_size, wait_for_warm_up
from flows.progress import progress
from tasks.archive import RawArchive, raw_archive_path
from tasks.batch import PlannedInput, clean_inputs, prepare_inputs, reject_row, stage_prepared
from tasks.crawl import Crawler, Job, read_deferred, read_fetch_log
from tasks.dedup import sign_new_articles, update_duplicate_clusters
from tasks.extract.entities import ModelNotAvailable, check_model
from tasks.health import SourceRun, explain_streak, judge_reject_rate, record_source_run
from tasks.load import (
    RunCounts,
    claim_staging,
    load_run,
    publish_staging,
    recover_staging,
    staging_dir,
    write_manifest,
    write_parquet,
)
from tasks.read import ScanCache, ScannedInput, scan_inputs
from tasks.publish import publish_snapshot
from tasks.quality import record_run_metrics, record_stage_seconds
from tasks.report import artifact_key, render_run_report, top_sites, top_speakers
from tasks.records import (
    FETCHES_SCHEMA,
    REJECTS_SCHEMA,
    InputItem,
    extractor_version,
)
from tasks.search import search_index_exists, update_search_index
from tasks.settings import Settings
from tasks.sources import SourceNotFound, WebSource, expand_sources, expand_web_sources
from tasks.warehouse import (
    WarehouseBusy,
    WarehouseError,
    connect,
    ensure_schema,
    explain_storage_error,
    load_sql,
    plan_inputs,
    rejected_in_same_file,
    relocate_rewritten_records,
)

FETCH_REJECTS = "part-fetch.parquet"
BUSY_AT_LOAD = (
    "The warehouse was busy (another program held it open): the staged run waits in "
    "staging/ and is loaded by the next run or `newsroom load`."
)
BUSY_AT_START = (
    "The warehouse was busy (another program held it open): nothing was processed; "
    "the next run takes these inputs."
)


@dataclass
class Plan:
    """What planning decided: the inputs to clean, and the outcome of all the others."""

    inputs: int
    todo: list[PlannedInput]
    skipped_by_reason: dict[str, int]
    rejected_by_reason: dict[str, int]
    archives_cached: int = 0  # WARC files unchanged since an earlier scan, not read again (`ScanCache`)


@dataclass
class RunReport:
    """What a run did; returned by the flow and printed by the CLI."""

    run_id: str
    status: str
    counts: RunCounts
    replaced: int = 0
    elapsed_seconds: float = 0.0
    warehouse: str = ""
    message: str = ""
    task_runs: int = 0
    flow_run_id: str | None = None
    sources: list[str] = field(default_factory=list)
    batches_ahead: int = 0  # batches the command's workers cleaned before the run began (`clean_ahead`)
    archives_cached: int = 0  # WARC files the plan did not read again: unchanged since an earlier scan

    @property
    def pages_per_second(self) -> float:
        """Inputs processed per second of wall time."""
        return self.counts.inputs / self.elapsed_seconds if self.elapsed_seconds else 0.0


def utc_now() -> datetime:
    """Current UTC time as a naive datetime (DuckDB TIMESTAMP holds UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_run_id(started: datetime) -> str:
    """A run id that sorts by start time and is unique: 20261125T182443Z-3fa2c1."""
    return f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def begin_run(settings: Settings, sources: list[str] | None = None) -> tuple[str, datetime, RunReport]:
    """A new run's id, start time and report (failed until the run completes), linked to its flow run."""
    started = utc_now()
    run_id = new_run_id(started)
    report = RunReport(
        run_id=run_id, status="failed", counts=RunCounts(), warehouse=str(settings.warehouse), sources=list(sources or [])
    )
    report.flow_run_id = str(flow_run.get_id()) if flow_run.get_id() else None
    return run_id, started, report


def versions() -> dict[str, str]:
    """Versions recorded with every run."""
    names = ("newsroom", "trafilatura", "duckdb", "prefect", "pyarrow")
    return {name: version(name) for name in names} | {"python": platform.python_version()}


def warc_records_by_file(scanned: list[ScannedInput]) -> dict[str, list[tuple[str, str, str | None]]]:
    """(source, input_id, url) of the records of each WARC file that was read to its end.

    A damaged file is left out: what follows the damage is unknown, so nothing is moved.
    """
    files: dict[str, list[tuple[str, str, str | None]]] = {}
    damaged: set[str] = set()
    for entry in scanned:
        item = entry.item
        if not item.source.startswith(f"{item.location}#"):
            if entry.rejected is not None and item.source == item.location:
                damaged.add(item.location)  # a WARC file unreadable from its start
            continue
        if item.source.startswith(f"{item.location}#after-record="):
            damaged.add(item.location)
        elif entry.input_id is not None:
            files.setdefault(item.location, []).append((item.source, entry.input_id, item.url))
    return {path: records for path, records in files.items() if path not in damaged}


def candidates_table(scanned: list[ScannedInput]) -> pa.Table:
    """(source, input_id) of the scanned inputs that can be processed, for `plan_inputs`."""
    candidates = [(s.item, s.input_id) for s in scanned if s.skip_reason is None]
    return pa.table(
        {"source": [i.source for i, _ in candidates], "input_id": [d for _, d in candidates]},
        schema=pa.schema([("source", pa.string()), ("input_id", pa.string())]),
    )


def sort_scanned(
    scanned: list[ScannedInput], decisions: dict[tuple[str, str], str]
) -> tuple[list[PlannedInput], list[ScannedInput], Counter[str]]:
    """The inputs to clean, those rejected while reading, and the skipped ones counted by reason."""
    skipped: Counter[str] = Counter(s.skip_reason for s in scanned if s.skip_reason is not None)
    seen: set[str] = set()
    todo: list[PlannedInput] = []
    rejected: list[ScannedInput] = []
    for entry in scanned:
        if entry.skip_reason is not None:
            continue
        item, id_ = entry.item, entry.input_id
        decision = decisions.get((item.source, id_), "new")
        if decision == "new" and id_ is not None and id_ in seen:
            decision = "duplicate"
        if decision != "new":
            skipped[decision] += 1
            continue
        if id_ is not None:
            seen.add(id_)
        if entry.rejected is not None:
            rejected.append(entry)
        else:
            todo.append(PlannedInput(item, id_))
    return todo, rejected, skipped


@task(name="plan-inputs", cache_policy=NO_CACHE)
def plan(items: list[InputItem], settings: Settings, run_id: str, started: datetime) -> Plan | None:
    """Fingerprint every input (WARC files: every record) and drop those already done.

    Rejects found while reading are staged here; the rest is left to the batches.
    None when the warehouse stayed locked, so the run defers all its inputs.
    """
    sink = progress()
    sink.phase("Scanning", len(items))
    scanned, previous, cache = [], None, ScanCache(settings.scan_cache_path)
    for entry in scan_inputs(items, settings.max_input_bytes, cache):
        scanned.append(entry)
        if entry.item.location != previous:  # progress counts files, not WARC records
            sink.advance()
            previous = entry.item.location
    cache.prune()
    table = candidates_table(scanned)
    try:
        with connect(settings.database_path, wait_seconds=settings.lock_wait_seconds) as con:
            decisions = plan_inputs(con, table)
            # A WARC file with records that are not unchanged may have been rewritten
            # (records moved); in a no-op run there is none and this costs nothing.
            rewritten = {
                path: records
                for path, records in warc_records_by_file(scanned).items()
                if any(decisions.get((source, id_)) != "unchanged" for source, id_, _ in records)
            }
            if rewritten:
                con.begin()
                moved = relocate_rewritten_records(con, rewritten)
                con.commit()
                if moved:
                    decisions = plan_inputs(con, table)
    except WarehouseBusy:
        return None
    todo, rejected, skipped = sort_scanned(scanned, decisions)
    rejects = [reject_row(entry.item.source, entry.input_id, entry.rejected, run_id, started) for entry in rejected]
    if rejects:
        write_parquet(rejects, REJECTS_SCHEMA, staging_dir(settings.warehouse, run_id) / "rejects" / "part-00000.parquet")
    return Plan(len(scanned), todo, dict(skipped), dict(Counter(r["reason"] for r in rejects)), cache.hits)


@dataclass
class FetchOutcome:
    """What the fetch stage did with the run's web inputs (pages go on to be planned and cleaned)."""

    items: list[InputItem]
    inputs: int
    rejected: dict[str, int]
    skipped: dict[str, int]
    deferred: int


@task(name="fetch-web", cache_policy=NO_CACHE)
def fetch(
    web: list[WebSource], settings: Settings, run_id: str, started: datetime, since: datetime | None, limit: int | None
) -> FetchOutcome:
    """Fetch the web sources and what earlier runs deferred; stage the fetch log and fetch rejects."""
    jobs = [Job(source.url, source.purpose) for source in web]
    jobs += [Job(url, purpose) for url, purpose in read_deferred(settings.database_path)]
    if jobs:
        progress().phase("Fetching", None)
    with RawArchive(raw_archive_path(settings.warehouse, run_id)) as archive:
        crawler = Crawler(settings, archive, run_id, lambda urls: read_fetch_log(settings.database_path, urls), since, limit)
        result = crawler.run(jobs)
    folder = staging_dir(settings.warehouse, run_id)
    if result.fetch_rows:
        write_parquet(result.fetch_rows, FETCHES_SCHEMA, folder / "fetches" / "part-00000.parquet")
    rejects = [reject_row(source, id_, rejected, run_id, started) for source, id_, rejected in result.rejects]
    if rejects:
        write_parquet(rejects, REJECTS_SCHEMA, folder / "rejects" / FETCH_REJECTS)
    return FetchOutcome(
        result.items, result.inputs, dict(Counter(r["reason"] for r in rejects)), dict(result.skipped), result.deferred
    )


def discard_fetch_staging(settings: Settings, run_id: str) -> None:
    """Drop what the fetch stage staged, for a run that defers all its inputs: its fetches must
    not reach the log as done, or the next run would skip pages that were never cleaned."""
    folder = staging_dir(settings.warehouse, run_id)
    for path in (folder / "fetches" / "part-00000.parquet", folder / "rejects" / FETCH_REJECTS):
        path.unlink(missing_ok=True)


def run_row(header: dict, counts: RunCounts, status: str, message: str | None = None) -> dict:
    """The complete `runs` row of a run: its header (id, start, arguments…) and its outcome."""
    return header | {
        "finished_at": utc_now(),
        "status": status,
        "inputs": counts.inputs,
        "loaded": counts.loaded,
        "rejected": counts.rejected,
        "skipped": counts.skipped,
        "deferred": counts.deferred,
        "rejected_by_reason": json.dumps(counts.rejected_by_reason, sort_keys=True),
        "skipped_by_reason": json.dumps(counts.skipped_by_reason, sort_keys=True),
        "message": message,
    }


def _timed(step, *args) -> float:
    """Run `step(*args)`; return its seconds."""
    clock = time.perf_counter()
    step(*args)
    return time.perf_counter() - clock


def refresh_warehouse(con, settings: Settings, run_ids: list[str], articles_changed: bool) -> dict[str, float]:
    """After a load: update the search index, rebuild duplicate clusters, measure the runs, publish a snapshot.

    Returns the seconds of each step (search_index, duplicates, metrics, publish); the search
    index and the signing of new articles for duplicates overlap, so the two may add up to
    more than their wall time.
    """
    logger = get_run_logger() if flow_run.get_id() else None
    timings = {}
    clock = time.perf_counter()
    if articles_changed or not search_index_exists(con):
        # The search index is built by DuckDB, which lets go of the GIL, on a second cursor
        # while this thread signs the new articles in Python: the two overlap.
        with ThreadPoolExecutor(1, thread_name_prefix="search-index") as pool, con.cursor() as cursor:
            indexing = pool.submit(_timed, update_search_index, cursor)
            signed = sign_new_articles(con)
            signing = time.perf_counter() - clock
            timings["search_index"] = indexing.result()
        clock = time.perf_counter()
        update_duplicate_clusters(con, settings.near_duplicate_threshold, signed)
        timings["duplicates"] = signing + time.perf_counter() - clock
        clock = time.perf_counter()
    failures = {}
    for run_id in run_ids:
        failures |= record_run_metrics(con, run_id, utc_now())
    timings["metrics"] = time.perf_counter() - clock
    clock = time.perf_counter()
    publish_snapshot(con, settings.database_path, settings.published_path)
    timings["publish"] = time.perf_counter() - clock
    if logger:
        logger.info("refreshed warehouse in %s", {k: round(v, 3) for k, v in timings.items()})
        if failures:
            logger.warning("quality checks found problems (see run_metrics): %s", failures)
    return timings


def load_pending(settings: Settings) -> list[str]:
    """Load the runs whose load was deferred, refresh and publish; return their run ids.

    Raises WarehouseBusy when the warehouse stays locked for `settings.lock_wait_seconds`.
    """
    with connect(settings.database_path, wait_seconds=settings.lock_wait_seconds) as con:
        ensure_schema(con)
        loaded = recover_staging(con, settings.warehouse)
        refresh_warehouse(con, settings, loaded, articles_changed=bool(loaded))
    return loaded


def _defer(counts: RunCounts) -> RunCounts:
    """The counts of a run whose staged articles and rejects wait for a later load."""
    waiting = counts.loaded + counts.rejected
    return RunCounts(
        inputs=counts.inputs,
        skipped=counts.skipped,
        deferred=counts.deferred + waiting,
        skipped_by_reason=dict(counts.skipped_by_reason),
    )


@task(name="load-run", cache_policy=NO_CACHE)
def load(settings: Settings, header: dict, counts: RunCounts) -> tuple[RunCounts, int, str, dict[str, float]]:
    """Load everything the run staged in one transaction, publish its Parquet and a snapshot.

    When the warehouse stays locked (an analyst holds it open), the staged run is kept with
    its complete `runs` row and loaded by the next run or `newsroom load`: the status is then
    `deferred` and the staged inputs count as deferred. Returns counts, replaced, status and
    the seconds of the load's steps (the transaction, then each refresh step).
    """
    progress().phase("Loading", None)
    run_id = header["run_id"]
    row = run_row(header, counts, "completed")
    try:
        with connect(settings.database_path, wait_seconds=settings.lock_wait_seconds) as con:
            clock = time.perf_counter()
            result = load_run(con, settings.warehouse, run_id, row)
            publish_staging(con, settings.warehouse, run_id)
            steps = {"load_transaction": time.perf_counter() - clock}
            refreshed = refresh_warehouse(con, settings, [run_id], articles_changed=bool(result.loaded or result.replaced))
            steps |= {f"refresh_{step}": seconds for step, seconds in refreshed.items()}
    except WarehouseBusy:
        # Only a busy warehouse makes a pending load: a load that failed for another reason
        # is not retried by every later run; its inputs are processed again instead.
        write_manifest(settings.warehouse, run_id, row)
        return _defer(counts), 0, "deferred", {}
    if result.quarantined:
        counts.loaded -= result.lost_articles
        counts.rejected -= result.lost_rejects
        counts.deferred += result.lost_articles + result.lost_rejects
        get_run_logger().warning(
            "%d staged file(s) could not be read and were quarantined (see their .reason files): %s",
            len(result.quarantined), ", ".join(str(q.path) for q in result.quarantined),
        )
    if result.duplicates:
        counts.loaded -= result.duplicates
        counts.skipped += result.duplicates
        counts.skipped_by_reason["duplicate"] = counts.skipped_by_reason.get("duplicate", 0) + result.duplicates
    return counts, result.replaced, "completed", steps


def make_batches(todo: list[PlannedInput], size: int, workers: int = 1) -> list[list[PlannedInput]]:
    """Split the inputs to clean into batches of `size` (one Prefect task each).

    With several workers the last `workers * size` inputs go in quarter-size batches, so the
    workers finish together instead of one idling while the other cleans a whole last batch.
    """
    tail = max(0, len(todo) - workers * size) if workers > 1 else len(todo)
    small = tail_batch_size(size)
    return [todo[i : min(i + size, tail)] for i in range(0, tail, size)] + [
        todo[i : i + small] for i in range(tail, len(todo), small)
    ]


# The pool of the batches being cleaned by this flow; Prefect copies it into task threads.
_pool: ContextVar[CleaningPool | None] = ContextVar("newsroom_cleaning_pool", default=None)


@task(name="clean-batch", cache_policy=NO_CACHE)
def clean_batch(batch: list[PlannedInput], part: int, settings: Settings, run_id: str, started: datetime) -> dict:
    """Read, decode and clean a batch of inputs; stage articles and rejects as Parquet.

    The work runs in a worker process when the flow has some (`clean_batches`), else here.
    Returns {"loaded": n, "rejected": {reason: n}, "deferred": n, "seconds": {stage: s}}, or
    {"worker_died": True} when its worker process died.
    """
    pool = _pool.get()
    if pool is None:
        wait_for_warm_up()  # the command may be warming this process for it (`newsroom run`)
        return clean_inputs(batch, part, settings, run_id, started, on_page=progress().advance)
    try:
        ahead = pool.take_ahead(batch, settings)
        if ahead is not None:  # cleaned while the command waited for the Prefect server
            return stage_prepared(ahead.result(), part, settings, run_id, started) | {"ahead": True}
        return pool.submit(clean_inputs, batch, part, settings, run_id, started).result()
    except BrokenProcessPool:
        # Returned, not raised: the flow ends the run with one sentence (WorkerDied), where a
        # failed task would print Prefect's traceback of this thread.
        return {"worker_died": True}


def clean_batches(
    batches: list[list[PlannedInput]], settings: Settings, run_id: str, started: datetime, first_part: int = 1
) -> Iterator[dict]:
    """Clean batches in `settings.workers` processes; yield each batch's outcome as it finishes.

    Cleaning is CPU bound (trafilatura, lxml, spaCy) and holds the GIL, so threads do not add
    speed; processes do. Each batch is a Prefect task run in a thread of this process, which
    hands its work to a worker process (`flows.pool`). A single batch, or one worker, is
    cleaned in the task's thread: a process costs seconds to start, and pages cleaned here
    can report progress one by one.

    Raises WorkerDied when a worker process dies; what was staged stays for the next run to
    redo (its parts are discarded with the run's staging).
    """
    in_processes = settings.workers > 1 and len(batches) > 1
    if not in_processes:
        stop_pool()  # workers the command started early, for nothing to clean in them: free them
    model = settings.spacy_model if settings.entities else None
    pools = cleaning_pool(settings.workers, model) if in_processes else nullcontext(None)
    with pools as pool, ThreadPoolTaskRunner(max_workers=settings.workers if in_processes else 1) as runner:
        token = _pool.set(pool)
        try:
            futures = {
                runner.submit(
                    clean_batch,
                    {"batch": batch, "part": first_part + n, "settings": settings, "run_id": run_id, "started": started},
                ): len(batch)
                for n, batch in enumerate(batches)
            }
        finally:
            _pool.reset(token)
        died = False
        for future in as_completed(futures):
            outcome = future.result()
            if outcome.get("worker_died"):
                died = True  # the other batches end at once too; leaving now would cancel them noisily
                continue
            if in_processes:  # a progress bar does not cross process boundaries: count whole batches
                progress().advance(futures[future])
            if not died:
                yield outcome
    if died:
        raise WorkerDied


def run_header(settings: Settings, run_id: str, started: datetime, arguments: dict, flow_run_id: str | None) -> dict:
    """The columns of a `runs` row known when the run starts."""
    return {
        "run_id": run_id,
        "started_at": started,
        "arguments": json.dumps(arguments | {"settings": settings.model_dump(mode="json")}),
        "versions": json.dumps(versions()),
        "extractor_version": extractor_version(settings.fast),
        "flow_run_id": flow_run_id,
    }


def open_run(settings: Settings, header: dict) -> None:
    """Prepare the warehouse (schema, pending and crashed runs) and record the run as running.

    Raises WarehouseBusy when the warehouse stays locked for `settings.lock_wait_seconds`.
    """
    with connect(settings.database_path, wait_seconds=settings.lock_wait_seconds) as con:
        ensure_schema(con)
        pending = recover_staging(con, settings.warehouse)
        if pending:
            refresh_warehouse(con, settings, pending, articles_changed=True)
        con.execute(load_sql("load/insert_run.sql"), header)


def _defer_run(report: RunReport, header: dict, settings: Settings, inputs: int) -> RunReport:
    """End a run that could not plan because the warehouse stayed locked: every input is deferred.

    Its `runs` row waits in staging and reaches the warehouse with the next load.
    """
    report.counts = RunCounts(inputs=inputs, deferred=inputs)
    report.status = "deferred"
    report.message = BUSY_AT_START
    write_manifest(settings.warehouse, header["run_id"], run_row(header, report.counts, "deferred", BUSY_AT_START))
    return report


def fail_run(settings: Settings, run_id: str, message: str) -> None:
    """Record a run that could not proceed (best effort: the warehouse may be the problem)."""
    try:
        with connect(settings.database_path, wait_seconds=5) as con:
            con.execute(
                load_sql("load/finish_run.sql"),
                {
                    "run_id": run_id, "finished_at": utc_now(), "status": "failed", "inputs": None,
                    "loaded": None, "rejected": None, "skipped": None, "deferred": None,
                    "rejected_by_reason": None, "skipped_by_reason": None, "message": message,
                },
            )
    except (WarehouseError, duckdb.Error):
        pass  # the warehouse itself is the problem (locked, full, read-only); the message reaches the user anyway


def ingest_settings(
    warehouse: str | None = None,
    batch_size: int | None = None,
    allow_private_networks: bool | None = None,
    workers: int | None = None,
    entities: bool | None = None,
    fast: bool | None = None,
) -> Settings:
    """The settings of an ingest run: the flow's parameters over the environment's defaults."""
    overrides = {
        "warehouse": warehouse,
        "batch_size": batch_size,
        "allow_private_networks": allow_private_networks,
        "workers": workers,
        "entities": entities,
        "fast": fast,
    }
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def clean_ahead(
    sources: list[str],
    warehouse: str | None = None,
    batch_size: int | None = None,
    url_files: list[str] | None = None,
    feeds: list[str] | None = None,
    sitemaps: list[str] | None = None,
    allow_private_networks: bool | None = None,
    workers: int | None = None,
    entities: bool | None = None,
    fast: bool | None = None,
    stop: Callable[[], bool] | None = None,
    **_ignored,
) -> int:
    """Start cleaning the batches an `ingest` run of local files will have, before the run exists.

    `newsroom run` calls this while the temporary Prefect server boots (~5 s of one core),
    when the workers it started early would otherwise wait idle for the flow. The plan is
    made as the flow makes it, but read-only: the inputs are scanned and compared with the
    warehouse without writing anything. Each batch goes to a worker (`CleaningPool.clean_ahead`)
    and the flow's `clean-batch` task takes its result when its own plan, made again once the
    run is open, has the same batch with the same settings. Nothing is staged before the run
    exists, so a crash or a different plan loses nothing: the unused work is dropped.

    `stop()` (asked after the first input, then every 0.2 s while scanning: the server is up) ends the scan early: a huge
    input is then not scanned twice before the flow starts, and only the full batches of
    what was scanned are started.

    Returns the number of batches started (0: none, e.g. web sources, no workers, one batch).
    """
    from flows.pool import started_pool
    from tasks.sources import is_url

    pool = started_pool()
    if pool is None or url_files or feeds or sitemaps or any(is_url(source) for source in sources):
        return 0
    settings = ingest_settings(warehouse, batch_size, allow_private_networks, workers, entities, fast)
    if (pool.workers, pool.model) != (settings.workers, settings.spacy_model if settings.entities else None):
        return 0
    scanned, complete, next_ask = [], True, 0.0
    for entry in scan_inputs(expand_sources(sources), settings.max_input_bytes, ScanCache(settings.scan_cache_path)):
        scanned.append(entry)
        if stop is not None and time.monotonic() >= next_ask:
            next_ask = time.monotonic() + 0.2
            if stop():
                complete = False
                break
    decisions: dict[tuple[str, str], str] = {}
    if settings.database_path.exists():
        # wait_seconds=0: a warehouse being written now is the flow's to wait for
        with connect(settings.database_path, read_only=True, wait_seconds=0) as con:
            decisions = plan_inputs(con, candidates_table(scanned))
            # what `plan` decides once it has pointed the rows of moved records at their new place
            moved = rejected_in_same_file(con, warc_records_by_file(scanned) if complete else {})
            decisions.update(dict.fromkeys(moved, "unchanged"))
    todo, _, _ = sort_scanned(scanned, decisions)
    if complete:
        batches = make_batches(todo, settings.batch_size, settings.workers)
    else:  # the full plan's last batches are smaller (`make_batches`): those are not known yet
        size = settings.batch_size
        batches = [todo[i : i + size] for i in range(0, len(todo) - size + 1, size)]
    if len(batches) < 2:
        return 0  # the flow cleans a single batch in its own process
    for batch in batches:
        pool.clean_ahead(batch, settings, prepare_inputs)
    return len(batches)


@flow(name="ingest", persist_result=False, task_runner=ThreadPoolTaskRunner(max_workers=2))
def ingest(
    sources: list[str],
    warehouse: str | None = None,
    batch_size: int | None = None,
    url_files: list[str] | None = None,
    feeds: list[str] | None = None,
    sitemaps: list[str] | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    allow_private_networks: bool | None = None,
    workers: int | None = None,
    source_name: str | None = None,
    entities: bool | None = None,
    fast: bool | None = None,
):
    """Ingest local article files (HTML, text, gzip, WARC) and web pages, feeds and sitemaps.

    `source_name` names a scheduled source (see `newsroom serve`): its runs are recorded in
    `source_runs`, and a run that fails or rejects too much ends Failed for a human to see.
    """
    settings = ingest_settings(warehouse, batch_size, allow_private_networks, workers, entities, fast)
    clock = time.perf_counter()
    run_id, started, report = begin_run(settings, sources)
    try:
        items = expand_sources(sources)
        if settings.entities:
            check_model(settings.spacy_model)  # fail before any work when the model is missing
        web = expand_web_sources(sources, url_files or (), feeds or (), sitemaps or ())
        lock = claim_staging(settings.warehouse, run_id)
    except (SourceNotFound, ModelNotAvailable) as exc:
        return Failed(message=close_source_run(settings, source_name, report, str(exc)))
    except OSError as exc:
        return Failed(message=f"The warehouse folder {settings.warehouse} cannot be written: {exc.strerror}.")
    arguments = {
        "command": "run", "sources": list(sources), "url_files": url_files or [], "feeds": feeds or [],
        "sitemaps": sitemaps or [], "since": since.isoformat() if since else None, "limit": limit,
    }
    header = run_header(settings, run_id, started, arguments, report.flow_run_id)
    try:
        try:
            open_run(settings, header)
        except WarehouseBusy:
            return _defer_run(report, header, settings, len(items) + len(web))
        stages: Counter[str] = Counter(open=time.perf_counter() - clock)
        if runtime.COMMAND_STARTED is not None:  # run by the command: its imports, the Prefect server
            stages["startup"] = time.monotonic() - runtime.COMMAND_STARTED - (time.perf_counter() - clock)
        fetched = fetch(web, settings, run_id, started, since, limit)
        stage_clock = time.perf_counter()
        planned = plan(items + fetched.items, settings, run_id, started)
        stages["plan"] = time.perf_counter() - stage_clock
        if planned is None:
            discard_fetch_staging(settings, run_id)
            return _defer_run(report, header, settings, len(items) + fetched.inputs)
        todo = planned.todo
        report.archives_cached = planned.archives_cached
        # Fetched pages are counted by the plan; the fetch stage's other outcomes are added here.
        skipped = Counter(planned.skipped_by_reason) + Counter(fetched.skipped)
        counts = RunCounts(inputs=planned.inputs + fetched.inputs - len(fetched.items), skipped_by_reason=dict(skipped))
        counts.skipped = sum(skipped.values())
        counts.deferred = fetched.deferred
        rejected_by_reason = Counter(planned.rejected_by_reason) + Counter(fetched.rejected)
        progress().phase("Cleaning", len(todo))
        batches = make_batches(todo, settings.batch_size, settings.workers)
        stage_clock = time.perf_counter()
        for outcome in clean_batches(batches, settings, run_id, started):
            counts.loaded += outcome["loaded"]
            counts.deferred += outcome["deferred"]
            rejected_by_reason.update(outcome["rejected"])
            stages.update(outcome["seconds"])
            report.batches_ahead += outcome.get("ahead", False)
        stages["batches_wall"] = time.perf_counter() - stage_clock
        counts.rejected_by_reason = dict(rejected_by_reason)
        counts.rejected = sum(rejected_by_reason.values())
        if not counts.balanced():
            raise RuntimeError(f"run {run_id} lost track of inputs: {asdict(counts)}")
        stage_clock = time.perf_counter()
        report.counts, report.replaced, report.status, steps = load(settings, header, counts)
        stages["load"] = time.perf_counter() - stage_clock
        stages.update(steps)
        if report.status == "completed":
            stages["flow_wall"] = time.perf_counter() - clock
            try:
                with connect(settings.database_path, wait_seconds=settings.lock_wait_seconds) as con:
                    record_stage_seconds(con, run_id, utc_now(), dict(stages))
            except WarehouseBusy:
                pass  # timings are for benchmarks; a loaded run must not fail over them
        if report.status == "deferred":
            report.message = BUSY_AT_LOAD
        report.task_runs = len(batches) + 3
    except (WarehouseError, WorkerDied) as exc:
        fail_run(settings, run_id, str(exc))
        return Failed(message=str(exc))
    except (duckdb.Error, OSError) as exc:
        message = explain_storage_error(exc, settings.warehouse)
        if message is None:
            raise
        fail_run(settings, run_id, message)
        return Failed(message=message)
    finally:
        report.elapsed_seconds = time.perf_counter() - clock
        lock.close()
    get_run_logger().info("run %s: %s", run_id, asdict(report.counts))
    problem = None
    if source_name:
        problem = judge_reject_rate(source_name, report.counts.loaded, report.counts.rejected, settings.max_reject_rate)
    message = close_source_run(settings, source_name, report, problem)
    if message:
        return Failed(message=message)
    return report


def close_source_run(settings: Settings, source_name: str | None, report: RunReport, failure: str | None) -> str | None:
    """After a run: record a named source's health, publish the run's artifact; return the failure message.

    The message grows a call for a human when the source failed `max_failed_runs` runs in a row.
    """
    if source_name:
        run = SourceRun(
            source_name=source_name,
            run_id=report.run_id,
            flow_run_id=report.flow_run_id,
            finished_at=utc_now(),
            status="failed" if failure else "completed",
            inputs=report.counts.inputs,
            loaded=report.counts.loaded,
            rejected=report.counts.rejected,
            message=failure,
        )
        with connect(settings.database_path) as con:
            ensure_schema(con)
            streak = record_source_run(con, run)
        if failure:
            failure = explain_streak(source_name, streak, settings.max_failed_runs, failure)
    sites, speakers = [], []
    if settings.database_path.exists() and report.status == "completed":
        with connect(settings.database_path, read_only=True) as con:
            sites = top_sites(con, report.run_id)
            speakers = top_speakers(con, report.run_id)
    create_markdown_artifact(
        render_run_report(
            run_id=report.run_id,
            status="failed" if failure else report.status,
            source_name=source_name,
            counts=asdict(report.counts),
            elapsed_seconds=report.elapsed_seconds,
            warehouse=str(settings.warehouse),
            sites=sites,
            speakers=speakers,
            message=failure,
        ),
        key=artifact_key(source_name),
        description=f"Newsroom run {report.run_id}",
    )
    return failure

