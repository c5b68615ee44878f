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
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.progress import progress
from tasks.clean import clean_page
from tasks.extract import extract_fields
from tasks.extract.entities import ModelNotAvailable, load_ner
from tasks.load import (
    RunCounts,
    claim_staging,
    load_run,
    publish_staging,
    recover_staging,
    staging_dir,
    write_parquet,
)
from tasks.read import read_input
from tasks.records import (
    ARTICLES_SCHEMA,
    CHILD_SCHEMAS,
    EXTRACTOR_VERSION,
    REJECTS_SCHEMA,
    CleanedPage,
    ExtractedFields,
    InputItem,
    Rejected,
    content_hash,
    input_id,
)
from tasks.settings import Settings
from tasks.sources import SourceNotFound, expand_sources
from tasks.warehouse import WarehouseError, connect, ensure_schema, load_sql, plan_inputs


@dataclass(frozen=True)
class PlannedInput:
    """An input the plan decided to process, with the id of the bytes it saw."""

    item: InputItem
    input_id: str


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


def versions() -> dict[str, str]:
    """Versions recorded with every run."""
    names = ("newsroom", "trafilatura", "duckdb", "prefect", "pyarrow")
    return {name: version(name) for name in names} | {"python": platform.python_version()}


def reject_row(source: str, input_id_: str | None, rejected: Rejected, run_id: str, at: datetime) -> dict:
    """A `rejects` row."""
    return {
        "run_id": run_id,
        "source": source,
        "input_id": input_id_,
        "stage": rejected.stage,
        "reason": rejected.reason,
        "detail": rejected.detail,
        "rejected_at": at,
        "extractor_version": EXTRACTOR_VERSION,
    }


def article_row(item: InputItem, id_: str, page: CleanedPage, run_id: str, at: datetime, fields: ExtractedFields) -> dict:
    """An `articles` row."""
    return {
        "article_id": id_,
        "source": item.source,
        "url": page.url,
        "title": page.title,
        "authors": page.authors,
        "published_at": page.published_at,
        "language": page.language,
        "site_name": page.site_name,
        "description": page.description,
        "image_url": page.image_url,
        "categories": page.categories,
        "tags": page.tags,
        "modified_at": fields.modified_at,
        "is_translation": fields.is_translation,
        "original_language": fields.original_language,
        "text": page.text,
        "word_count": len(page.text.split()),
        "content_hash": content_hash(page.text),
        "input_kind": item.kind,
        "extractors": fields.extractors,
        "extraction_errors": json.dumps(fields.errors, sort_keys=True) if fields.errors else None,
        "run_id": run_id,
        "ingested_at": at,
        "extractor_version": EXTRACTOR_VERSION,
    }


def child_rows(id_: str, fields: ExtractedFields, run_id: str) -> dict[str, list[dict]]:
    """Rows of the entities, quotes, citations and links tables for one article."""
    lineage = {"article_id": id_, "run_id": run_id, "extractor_version": EXTRACTOR_VERSION}
    return {
        table: [asdict(record) | lineage for record in getattr(fields, table)]
        for table in CHILD_SCHEMAS
    }


def _raw_file_id(path: str) -> str | None:
    """Id of a file's on-disk bytes, for inputs rejected before their content was read."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()[:32]


@task(name="plan-inputs", cache_policy=NO_CACHE)
def plan(
    items: list[InputItem], settings: Settings, run_id: str, started: datetime
) -> tuple[list[PlannedInput], dict[str, int], dict[str, int]]:
    """Fingerprint every input and drop those already done; stage read-time rejects.

    Returns the inputs to process, the skipped count by reason and the rejected count by reason.
    """
    candidates, read_rejects = [], {}
    sink = progress()
    sink.phase("Scanning", len(items))
    for item in items:
        try:
            candidates.append((item, input_id(read_input(item, settings.max_input_bytes))))
        except Rejected as rejected:
            raw_id = _raw_file_id(item.location)
            candidates.append((item, raw_id))
            read_rejects[(item.source, raw_id)] = rejected
        sink.advance()
    table = pa.table(
        {"source": [i.source for i, _ in candidates], "input_id": [d for _, d in candidates]},
        schema=pa.schema([("source", pa.string()), ("input_id", pa.string())]),
    )
    with connect(settings.database_path) as con:
        decisions = plan_inputs(con, table)
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    todo: list[PlannedInput] = []
    rejects: list[dict] = []
    for item, id_ in candidates:
        decision = decisions.get((item.source, id_), "new")
        if decision == "new" and id_ is not None and id_ in seen:
            decision = "duplicate"
        if decision != "new":
            skipped[decision] += 1
            continue
        if id_ is not None:
            seen.add(id_)
        if (item.source, id_) in read_rejects:
            rejects.append(reject_row(item.source, id_, read_rejects[(item.source, id_)], run_id, started))
        else:
            todo.append(PlannedInput(item, id_))
    if rejects:
        write_parquet(rejects, REJECTS_SCHEMA, staging_dir(settings.warehouse, run_id) / "rejects" / "part-00000.parquet")
    return todo, dict(skipped), dict(Counter(r["reason"] for r in rejects))


@task(name="clean-batch", cache_policy=NO_CACHE)
def clean_batch(batch: list[PlannedInput], part: int, settings: Settings, run_id: str, started: datetime) -> dict[str, Counter]:
    """Read, decode and clean a batch of inputs; stage articles and rejects as Parquet.

    Returns counts by outcome: {"loaded": n, "rejected": {reason: n}, "deferred": n}.
    """
    cleaned: list[tuple[InputItem, str, CleanedPage]] = []
    rejects = []
    deferred = 0
    sink = progress()
    for planned in batch:
        item = planned.item
        try:
            data = read_input(item, settings.max_input_bytes)
            if input_id(data) != planned.input_id:
                # Changed between planning and cleaning: the next run sees a settled file.
                deferred += 1
                continue
            page = clean_page(
                data,
                item.kind,
                min_chars=settings.min_text_chars,
                language_min_chars=settings.language_min_chars,
            )
            cleaned.append((item, planned.input_id, page))
        except Rejected as rejected:
            rejects.append(reject_row(item.source, planned.input_id, rejected, run_id, started))
        except Exception as exc:  # a page that breaks the extractor must not break the run
            rejected = Rejected("clean", "extractor_error", f"{type(exc).__name__}: {exc}")
            rejects.append(reject_row(item.source, planned.input_id, rejected, run_id, started))
        finally:
            sink.advance()
    extracted = extract_fields([page for _, _, page in cleaned], settings.spacy_model, settings.ner_min_chars)
    articles = []
    children: dict[str, list[dict]] = {table: [] for table in CHILD_SCHEMAS}
    for (item, id_, page), fields in zip(cleaned, extracted):
        articles.append(article_row(item, id_, page, run_id, started, fields))
        for table, rows in child_rows(id_, fields, run_id).items():
            children[table].extend(rows)
    folder = staging_dir(settings.warehouse, run_id)
    if articles:
        write_parquet(articles, ARTICLES_SCHEMA, folder / "articles" / f"part-{part:05d}.parquet")
    for table, rows in children.items():
        if rows:
            write_parquet(rows, CHILD_SCHEMAS[table], folder / table / f"part-{part:05d}.parquet")
    if rejects:
        write_parquet(rejects, REJECTS_SCHEMA, folder / "rejects" / f"part-{part:05d}.parquet")
    return {
        "loaded": len(articles),
        "rejected": dict(Counter(r["reason"] for r in rejects)),
        "deferred": deferred,
    }


@task(name="load-run", cache_policy=NO_CACHE)
def load(settings: Settings, run_id: str, counts: RunCounts, staged_articles: int) -> tuple[RunCounts, int]:
    """Load everything the run staged in one transaction and publish its Parquet files."""
    progress().phase("Loading", None)
    finish = {
        "run_id": run_id,
        "finished_at": utc_now(),
        "status": "completed",
        "inputs": counts.inputs,
        "loaded": counts.loaded,
        "rejected": counts.rejected,
        "skipped": counts.skipped,
        "deferred": counts.deferred,
        "rejected_by_reason": json.dumps(counts.rejected_by_reason, sort_keys=True),
        "skipped_by_reason": json.dumps(counts.skipped_by_reason, sort_keys=True),
        "message": None,
    }
    with connect(settings.database_path) as con:
        result = load_run(con, settings.warehouse, run_id, staged_articles, finish)
        publish_staging(con, settings.warehouse, run_id)
    if result.duplicates:
        counts.loaded -= result.duplicates
        counts.skipped += result.duplicates
        counts.skipped_by_reason["duplicate"] = counts.skipped_by_reason.get("duplicate", 0) + result.duplicates
    return counts, result.replaced


def _batches(todo: list[PlannedInput], size: int) -> list[list[PlannedInput]]:
    return [todo[i : i + size] for i in range(0, len(todo), size)]


def _fail_run(settings: Settings, run_id: str, message: str) -> None:
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
    except WarehouseError:
        pass  # the warehouse itself is the problem; the message reaches the user anyway


@flow(name="ingest", persist_result=False, task_runner=ThreadPoolTaskRunner(max_workers=2))
def ingest(
    sources: list[str],
    warehouse: str | None = None,
    batch_size: int | None = None,
):
    """Ingest local article files (HTML, text, gzip) into the DuckDB warehouse."""
    overrides = {k: v for k, v in {"warehouse": warehouse, "batch_size": batch_size}.items() if v is not None}
    settings = Settings(**overrides)
    clock = time.perf_counter()
    started = utc_now()
    run_id = new_run_id(started)
    report = RunReport(run_id=run_id, status="failed", counts=RunCounts(), warehouse=str(settings.warehouse), sources=list(sources))
    report.flow_run_id = str(flow_run.get_id()) if flow_run.get_id() else None
    try:
        items = expand_sources(sources)
        load_ner(settings.spacy_model)  # fail before any work when the model is missing
        lock = claim_staging(settings.warehouse, run_id)
    except (SourceNotFound, ModelNotAvailable) as exc:
        return Failed(message=str(exc))
    except OSError as exc:
        return Failed(message=f"The warehouse folder {settings.warehouse} cannot be written: {exc.strerror}.")
    try:
        with connect(settings.database_path) as con:
            ensure_schema(con)
            recover_staging(con, settings.warehouse)
            con.execute(
                load_sql("load/insert_run.sql"),
                {
                    "run_id": run_id,
                    "started_at": started,
                    "arguments": json.dumps({"sources": list(sources), "settings": settings.model_dump(mode="json")}),
                    "versions": json.dumps(versions()),
                    "extractor_version": EXTRACTOR_VERSION,
                    "flow_run_id": report.flow_run_id,
                },
            )
        counts = RunCounts(inputs=len(items))
        todo, skipped, plan_rejects = plan(items, settings, run_id, started)
        counts.skipped_by_reason = skipped
        counts.skipped = sum(skipped.values())
        rejected_by_reason = Counter(plan_rejects)
        progress().phase("Cleaning", len(todo))
        batches = _batches(todo, settings.batch_size)
        futures = [clean_batch.submit(batch, n + 1, settings, run_id, started) for n, batch in enumerate(batches)]
        for future in as_completed(futures):
            outcome = future.result()
            counts.loaded += outcome["loaded"]
            counts.deferred += outcome["deferred"]
            rejected_by_reason.update(outcome["rejected"])
        counts.rejected_by_reason = dict(rejected_by_reason)
        counts.rejected = sum(rejected_by_reason.values())
        if not counts.balanced():
            raise RuntimeError(f"run {run_id} lost track of inputs: {asdict(counts)}")
        counts, report.replaced = load(settings, run_id, counts, counts.loaded)
        report.counts = counts
        report.status = "completed"
        report.task_runs = len(batches) + 2
    except WarehouseError as exc:
        _fail_run(settings, run_id, str(exc))
        return Failed(message=str(exc))
    finally:
        report.elapsed_seconds = time.perf_counter() - clock
        lock.close()
    get_run_logger().info("run %s: %s", run_id, asdict(report.counts))
    return report

