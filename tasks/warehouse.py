"""The DuckDB warehouse: connections, schema, and the statements kept in `sql/`."""

from __future__ import annotations

import errno
import time
from contextlib import contextmanager
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


def plan_inputs(con: duckdb.DuckDBPyConnection, candidates: pa.Table) -> dict[tuple[str, str], str]:
    """Map each (source, input_id) in `candidates` to new, unchanged or duplicate."""
    con.register("candidates", candidates)
    try:
        rows = con.execute(load_sql("load/plan_inputs.sql")).fetchall()
    finally:
        con.unregister("candidates")
    return {(source, input_id): decision for source, input_id, decision in rows}
