"""The DuckDB warehouse: connections, schema, and the statements kept in `sql/`."""

from __future__ import annotations

import errno
import json
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
LOCK_WAIT_SECONDS = 30.0


class WarehouseError(Exception):
    """The warehouse cannot be used (locked, read-only, damaged): the run cannot proceed."""


class WarehouseBusy(WarehouseError):
    """Another process held the warehouse's lock for longer than we were willing to wait."""


_STORAGE_PROBLEMS = (
    (errno.ENOSPC, "no space left", "has no disk space left"),
    (errno.EDQUOT, "quota exceeded", "is over its disk quota"),
    (errno.EROFS, "read-only file system", "is on a read-only file system"),
)


def explain_storage_error(exc: BaseException, warehouse: Path) -> str | None:
    """One sentence for a write that failed because the disk is full or read-only, else None.

    DuckDB reports these as its own exceptions with the system's message inside, Python as
    OSError with an errno; both mean the same to the user, and the transaction was rolled back.
    """
    text = str(exc).lower()
    for code, words, meaning in _STORAGE_PROBLEMS:
        if (isinstance(exc, OSError) and exc.errno == code) or words in text:
            return (
                f"The warehouse {warehouse} {meaning}: this run changed nothing and the data already "
                "loaded is intact; make room (or make it writable) and run again."
            )
    return None


@cache
def load_sql(name: str) -> str:
    """The text of one statement file under `sql/`, e.g. `load/plan_inputs.sql`."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def _explain(exc: duckdb.Error, path: Path) -> str:
    message = str(exc)
    if "lock" in message.lower():
        return (
            f"The warehouse {path} is in use by another program (for example a DuckDB shell); "
            "close it and run again."
        )
    if "read-only" in message.lower() or "permission" in message.lower():
        return f"The warehouse {path} cannot be written: {message.splitlines()[0]}"
    return f"The warehouse {path} cannot be opened: {message.splitlines()[0]}"


@contextmanager
def connect(path: Path, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS):
    """Open the warehouse database, waiting a while if another process holds its lock.

    Keep connections short: DuckDB lets one process write, and a writer blocks readers in
    other processes. Raises WarehouseError with one readable sentence.
    """
    path = Path(path)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"The warehouse folder {path.parent} cannot be created: {exc.strerror}.") from None
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise WarehouseError(_explain(exc, path)) from None
            if time.monotonic() >= deadline:
                raise WarehouseBusy(_explain(exc, path)) from None
            time.sleep(0.5)
        except duckdb.Error as exc:
            raise WarehouseError(_explain(exc, path)) from None
    try:
        yield con
    finally:
        con.close()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table in `sql/schema/` that does not exist yet, then every view in `sql/views/`.

    Views are replaced each time, so a changed view file takes effect on the next run.
    """
    for ddl in sorted((SQL_DIR / "schema").glob("*.sql")):
        con.execute(ddl.read_text(encoding="utf-8"))
    for view in sorted((SQL_DIR / "views").glob("*.sql")):
        con.execute(view.read_text(encoding="utf-8"))


def relocate_rewritten_records(con: duckdb.DuckDBPyConnection, files: dict[str, list[tuple[str, str, str | None]]]) -> int:
    """Point the rows of WARC records at where the records are now, when their file was rewritten.

    A WARC record's `source` is its file and byte offset (or index). A crawler that rewrites
    its archive under the same name moves every record that follows a changed one. Without
    this step the moved, unchanged pages would count as duplicates of themselves and keep
    sources that point at other records, and a changed page would load next to its old
    version instead of replacing it.

    `files` maps each WARC file scanned completely (no damage) to its current records as
    (source, input_id, url). Each stored article of the file whose (source, article_id) is
    not among them moves to: the record with the same content (then it is unchanged); else
    the only record with its URL, when only one stored article has that URL (the changed
    page; the usual replace-on-change then loads the new version in its place); else its
    own source if a record with other content stands there now (replaced as usual); else
    `<file>#gone-<offset=n>`: its record is no longer in the file, the article stays, and
    `reprocess` counts its raw input as missing. A new article of this run from the same
    file with its URL replaces a gone one at load (`load/select_replaced_articles.sql`):
    pages that declare a canonical URL are known by it only once cleaned.

    Rejects move with their content. Returns the number of rows moved; the caller commits.
    """
    moves: list[dict] = []
    for path, records in files.items():
        prefix = f"{path}#"
        current = {(source, input_id) for source, input_id, _ in records}
        stored = con.execute(load_sql("load/select_file_records.sql"), {"prefix": prefix}).fetchall()
        stale = [(source, article_id, url) for source, article_id, url in stored if (source, article_id) not in current]
        claimed = {source for source, article_id, _ in stored if (source, article_id) in current}
        by_content: dict[str, str] = {}
        for source, input_id, _ in records:
            if source not in claimed and input_id is not None:
                by_content.setdefault(input_id, source)
        unmatched = []
        for source, article_id, url in stale:
            target = by_content.pop(article_id, None)
            if target is not None:
                claimed.add(target)
                moves.append({"target": "articles", "old_source": source, "new_source": target, "input_id": None})
            else:
                unmatched.append((source, url))
        free = [(source, url) for source, _, url in records if source not in claimed and url]
        free_urls = Counter(url for _, url in free)
        stale_urls = Counter(url for _, url in unmatched if url)
        free_by_url = dict((url, source) for source, url in free)
        targets: dict[str, str] = {}
        for source, url in unmatched:  # first the changed pages that moved
            if url and free_urls[url] == 1 and stale_urls[url] == 1:
                targets[source] = free_by_url[url]
                claimed.add(free_by_url[url])
        free_sources = {source for source, _, _ in records} - claimed
        for source, _ in unmatched:  # then those changed where they stood, then the rest
            if source not in targets:
                targets[source] = source if source in free_sources else f"{prefix}gone-{source[len(prefix):]}"
        moves += [{"target": "articles", "old_source": old, "new_source": new, "input_id": None} for old, new in targets.items()]
        by_input = {input_id: source for source, input_id, _ in records if input_id is not None}
        for source, input_id in con.execute(load_sql("load/select_file_rejects.sql"), {"prefix": prefix}).fetchall():
            if (source, input_id) not in current and input_id in by_input:
                moves.append({"target": "rejects", "old_source": source, "new_source": by_input[input_id], "input_id": input_id})
    moves = [m for m in moves if m["old_source"] != m["new_source"]]
    if moves:
        con.register("relocations", pa.Table.from_pylist(moves, schema=_RELOCATIONS))
        try:
            con.execute(load_sql("load/relocate_records.sql"))
        finally:
            con.unregister("relocations")
    return len(moves)


_RELOCATIONS = pa.schema(
    [("target", pa.string()), ("old_source", pa.string()), ("new_source", pa.string()), ("input_id", pa.string())]
)


def plan_inputs(con: duckdb.DuckDBPyConnection, candidates: pa.Table) -> dict[tuple[str, str], str]:
    """Map each (source, input_id) in `candidates` to new, unchanged or duplicate."""
    con.register("candidates", candidates)
    try:
        rows = con.execute(load_sql("load/plan_inputs.sql")).fetchall()
    finally:
        con.unregister("candidates")
    return {(source, input_id): decision for source, input_id, decision in rows}


def rejected_in_same_file(con: duckdb.DuckDBPyConnection, files: dict[str, list[tuple[str, str, str | None]]]) -> set[tuple[str, str]]:
    """(source, input_id) of WARC records whose content was rejected from another record of their file.

    `files` as for `relocate_rewritten_records`. Read-only: what relocation would make
    unchanged, for a plan that must not write.
    """
    rows = [(source, input_id, path) for path, records in files.items() for source, input_id, _ in records if input_id]
    if not rows:
        return set()
    records = pa.table(
        {"source": [r[0] for r in rows], "input_id": [r[1] for r in rows], "file": [r[2] for r in rows]},
        schema=pa.schema([("source", pa.string()), ("input_id", pa.string()), ("file", pa.string())]),
    )
    con.register("records", records)
    try:
        return set(con.execute(load_sql("load/rejected_in_same_file.sql")).fetchall())
    finally:
        con.unregister("records")


def last_completed_run_of(con: duckdb.DuckDBPyConnection, sources: list[str]) -> datetime | None:
    """Start (naive UTC) of the newest completed run of exactly these sources that deferred nothing."""
    for started_at, arguments in con.execute(load_sql("load/completed_runs.sql")).fetchall():
        try:
            if json.loads(arguments or "{}").get("sources") == list(sources):
                return started_at
        except (ValueError, AttributeError):
            continue
    return None
