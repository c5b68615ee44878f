"""Cleaning one batch of inputs: read, decode, clean, extract fields, stage Parquet.

This module does not import Prefect: it is what the worker processes of `flows.pool` run,
and a worker that imported Prefect would spend seconds of CPU on it at every start.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime

from tasks.clean import clean_page
from tasks.extract import extract_fields, extract_markup
from tasks.load import staging_dir, write_parquet
from tasks.read import InputReader
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
    extractor_version,
    input_id,
)
from tasks.settings import Settings


class PageTimeout(BaseException):
    """One page's cleaning ran past `Settings.page_seconds` (a BaseException: no library's
    `except Exception` may swallow it)."""


# After a page's time is up, PageTimeout again this often until its cleaning ends.
REPEAT_SECONDS = 0.2


@contextmanager
def page_time_limit(seconds: float) -> Iterator[None]:
    """Raise PageTimeout in the block after `seconds` of wall time.

    A timer signal, so only in a process's main thread: the cleaning workers (`--workers`, the
    default on a machine with more than one core) clean there. A single-process run cleans in a
    thread of the flow and has no limit; nor has `seconds <= 0`.

    The signal repeats every `REPEAT_SECONDS` until the block ends: an exception raised while
    Python runs a garbage-collector callback or a finaliser is printed and dropped ("Exception
    ignored in ..."), and a page whose first PageTimeout landed there would run on unlimited.
    A repeat raises nothing while a PageTimeout is still being handled (the cleanup code it
    runs through on its way out of the block, this function's own `finally` included): it
    would cut that cleanup short, or escape the block before the timer is off.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        if isinstance(sys.exc_info()[1], PageTimeout):
            return  # the previous one is on its way out of the block
        raise PageTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class PlannedInput:
    """An input the plan decided to process, with the id of the bytes it saw."""

    item: InputItem
    input_id: str


def reject_row(source: str, input_id_: str | None, rejected: Rejected, run_id: str | None, at: datetime | None) -> dict:
    """A `rejects` row (run_id and time None: filled in by `stage_prepared`)."""
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


def article_row(
    item: InputItem,
    id_: str,
    page: CleanedPage,
    run_id: str | None,
    at: datetime | None,
    fields: ExtractedFields,
    fetched_at: datetime | None = None,
    version: str = EXTRACTOR_VERSION,
) -> dict:
    """An `articles` row (`version`: the extractor version, see `extractor_version`)."""
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
        "fetched_at": fetched_at or item.fetched_at,
        "extractors": fields.extractors,
        "extraction_errors": json.dumps(fields.errors, sort_keys=True) if fields.errors else None,
        "run_id": run_id,
        "ingested_at": at,
        "extractor_version": version,
    }


def child_rows(id_: str, fields: ExtractedFields, run_id: str | None, version: str = EXTRACTOR_VERSION) -> dict[str, list[dict]]:
    """Rows of the entities, quotes, citations and links tables for one article."""
    lineage = {"article_id": id_, "run_id": run_id, "extractor_version": version}
    return {
        table: [asdict(record) | lineage for record in getattr(fields, table)]
        for table in CHILD_SCHEMAS
    }


@dataclass
class PreparedBatch:
    """A cleaned batch before it belongs to a run: its rows lack `run_id` and the run's time.

    What `prepare_inputs` returns from a worker process; `stage_prepared` makes the rows
    the run's and writes them. A batch cleaned ahead of its run (`flows.ingest.clean_ahead`)
    crosses from the worker to the flow in this form.
    """

    articles: list[dict]
    children: dict[str, list[dict]]
    rejects: list[dict]
    deferred: int
    seconds: dict[str, float]


def prepare_inputs(batch: list[PlannedInput], settings: Settings, on_page: Callable[[], object] | None = None) -> PreparedBatch:
    """Read, decode, clean and extract a batch of inputs into rows (see `PreparedBatch`)."""
    version = extractor_version(settings.fast)
    cleaned: list[tuple[InputItem, str, CleanedPage]] = []
    markup: list[ExtractedFields] = []  # fields read from each page's HTML, which is then let go
    rejects = []
    deferred = 0
    seconds: Counter[str] = Counter()
    with InputReader(settings.max_input_bytes) as reader:
        for planned in batch:
            item = planned.item
            clock = time.perf_counter()
            try:
                raw = reader.read(item)
                seconds["read"] += time.perf_counter() - clock
                clock = time.perf_counter()
                if input_id(raw.data) != planned.input_id:
                    # Changed between planning and cleaning: the next run sees a settled file.
                    deferred += 1
                    continue
                with page_time_limit(settings.page_seconds):
                    page = clean_page(
                        raw.data,
                        item.kind,
                        url=raw.url or item.url,
                        charset=raw.charset,
                        min_chars=settings.min_text_chars,
                        language_min_chars=settings.language_min_chars,
                        fast=settings.fast,
                    )
                    seconds["clean"] += time.perf_counter() - clock
                    clock = None  # the markup extractors time themselves
                    fields = extract_markup(page, ExtractedFields(), seconds)
                cleaned.append((item, planned.input_id, page, raw.fetched_at))
                markup.append(fields)
            except Rejected as rejected:
                rejects.append(reject_row(item.source, planned.input_id, rejected, None, None))
            except PageTimeout:
                detail = f"cleaning took longer than {settings.page_seconds:g} s (page_seconds)"
                rejects.append(reject_row(item.source, planned.input_id, Rejected("clean", "too_slow", detail), None, None))
            except Exception as exc:  # a page that breaks the extractor must not break the run
                rejected = Rejected("clean", "extractor_error", f"{type(exc).__name__}: {exc}")
                rejects.append(reject_row(item.source, planned.input_id, rejected, None, None))
            finally:
                if clock is not None:
                    seconds["clean"] += time.perf_counter() - clock
                if on_page is not None:
                    on_page()
    extracted = extract_fields(
        [page for _, _, page, _ in cleaned], settings.spacy_model, settings.ner_min_chars, settings.entities, seconds, markup
    )
    clock = time.perf_counter()
    articles = []
    children: dict[str, list[dict]] = {table: [] for table in CHILD_SCHEMAS}
    for (item, id_, page, fetched_at), fields in zip(cleaned, extracted, strict=True):
        articles.append(article_row(item, id_, page, None, None, fields, fetched_at, version))
        for table, rows in child_rows(id_, fields, None, version).items():
            children[table].extend(rows)
    seconds["write"] += time.perf_counter() - clock
    return PreparedBatch(articles, children, rejects, deferred, dict(seconds))


def stage_prepared(prepared: PreparedBatch, part: int, settings: Settings, run_id: str, started: datetime) -> dict:
    """Give a prepared batch's rows to the run and stage them as Parquet part `part`.

    Returns counts by outcome: {"loaded": n, "rejected": {reason: n}, "deferred": n}, and the
    seconds spent per stage under "seconds".
    """
    clock = time.perf_counter()
    for row in prepared.articles:
        row.update(run_id=run_id, ingested_at=started)
    for rows in prepared.children.values():
        for row in rows:
            row["run_id"] = run_id
    for row in prepared.rejects:
        row.update(run_id=run_id, rejected_at=started)
    folder = staging_dir(settings.warehouse, run_id)
    if prepared.articles:
        write_parquet(prepared.articles, ARTICLES_SCHEMA, folder / "articles" / f"part-{part:05d}.parquet")
        # Written even when empty: every articles part has its child parts (reprocess compares them).
        for table, rows in prepared.children.items():
            write_parquet(rows, CHILD_SCHEMAS[table], folder / table / f"part-{part:05d}.parquet")
    if prepared.rejects:
        write_parquet(prepared.rejects, REJECTS_SCHEMA, folder / "rejects" / f"part-{part:05d}.parquet")
    seconds = Counter(prepared.seconds)
    seconds["write"] += time.perf_counter() - clock
    return {
        "loaded": len(prepared.articles),
        "rejected": dict(Counter(r["reason"] for r in prepared.rejects)),
        "deferred": prepared.deferred,
        "seconds": dict(seconds),
    }


def clean_inputs(
    batch: list[PlannedInput],
    part: int,
    settings: Settings,
    run_id: str,
    started: datetime,
    on_page: Callable[[], object] | None = None,
) -> dict:
    """Read, decode and clean a batch of inputs; stage articles and rejects as Parquet.

    Runs in a worker process (see `flows.pool`) or in a thread of the flow; `on_page` is
    called after each input (the progress bar of a single-process run).

    Returns counts by outcome: {"loaded": n, "rejected": {reason: n}, "deferred": n}, and the
    seconds spent per stage under "seconds".
    """
    return stage_prepared(prepare_inputs(batch, settings, on_page), part, settings, run_id, started)
