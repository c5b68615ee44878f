"""The published snapshot: a read-only copy of the warehouse for analysts, BI tools and search.

DuckDB lets one process write a database file, and a process that merely reads it blocks the
writer. So readers never open the pipeline's file: after each load the pipeline checkpoints
it, copies it to a temporary file beside the snapshot, checks the copy, and renames it over
`published/news.duckdb`. The rename is atomic: a new connection sees the old or the new
snapshot, whole; a connection already open keeps reading the file it opened.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from tasks.warehouse import WarehouseError, load_sql


def publish_snapshot(con: duckdb.DuckDBPyConnection, database: Path, published: Path) -> int:
    """Replace the published snapshot with the current state of `database`; return its size in bytes.

    `con` must be the open writing connection to `database`: holding it keeps other writers
    out while the file is copied, and its checkpoint puts every committed row into the file.
    """
    con.execute("checkpoint")
    expected = con.execute(load_sql("publish/snapshot_fingerprint.sql")).fetchone()
    published.parent.mkdir(parents=True, exist_ok=True)
    # Copies left by a publisher killed mid-copy; holding `con` makes this the only publisher.
    for stale in published.parent.glob(f".{published.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(database, tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        with duckdb.connect(str(tmp), read_only=True) as copy:
            actual = copy.execute(load_sql("publish/snapshot_fingerprint.sql")).fetchone()
        if actual != expected:
            raise WarehouseError(f"The snapshot copy of {database} does not match it ({actual} != {expected}).")
        os.replace(tmp, published)
    finally:
        tmp.unlink(missing_ok=True)
    directory = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return published.stat().st_size
