"""Stage rows as Parquet, then load a whole run into DuckDB in one transaction.

Layout under the warehouse folder:
  staging/<run_id>/<table>/part-NNNNN.parquet   written by batches, not yet loaded
  parquet/<table>/run_id=<run_id>/part-NNNNN.parquet   loaded: the permanent Parquet history
A run's staging folder moves to parquet/ only after its transaction committed, so Parquet
readers never see rows the database does not have.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tasks.records import CHILD_SCHEMAS
from tasks.warehouse import load_sql

TABLES = ("articles", "rejects", "runs")
CHILD_TABLES = tuple(CHILD_SCHEMAS)  # replaced and deleted with their article


def staging_dir(warehouse: Path, run_id: str) -> Path:
    """Where a run's batches write their Parquet files until the load."""
    return Path(warehouse) / "staging" / run_id


def history_dir(warehouse: Path, table: str, run_id: str) -> Path:
    """Where a loaded run's Parquet files for one table live."""
    return Path(warehouse) / "parquet" / table / f"run_id={run_id}"


def write_parquet(rows: list[dict], schema: pa.Schema, path: Path) -> Path:
    """Write rows atomically: to a temporary name, read back for a check, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, tmp, compression="zstd")
    if pq.read_metadata(tmp).num_rows != len(rows):
        raise OSError(f"Parquet file {tmp} did not keep its {len(rows)} rows")
    os.replace(tmp, path)
    return path


def staged_files(warehouse: Path, run_id: str, table: str) -> list[str]:
    """The Parquet files a run staged for one table, in batch order."""
    folder = staging_dir(warehouse, run_id) / table
    return sorted(str(p) for p in folder.glob("part-*.parquet"))


@dataclass
class LoadResult:
    """What one load transaction did."""

    loaded: int = 0
    replaced: int = 0
    rejected: int = 0
    duplicates: int = 0  # staged articles whose id arrived meanwhile from another run


@dataclass
class RunCounts:
    """Every input of a run ends in exactly one of these outcomes."""

    inputs: int = 0
    loaded: int = 0
    rejected: int = 0
    skipped: int = 0
    deferred: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    skipped_by_reason: dict[str, int] = field(default_factory=dict)

    def balanced(self) -> bool:
        """True when the outcomes add up to the inputs."""
        return self.inputs == self.loaded + self.rejected + self.skipped + self.deferred


def load_run(con, warehouse: Path, run_id: str, staged_articles: int, finish: dict) -> LoadResult:
    """Load a run's staged Parquet and close its `runs` row in one transaction.

    `finish` holds the `runs` columns to set; its counts are corrected for rows that turned
    out to be duplicates at load time. Raises duckdb.Error; the transaction is then rolled back.
    """
    articles = staged_files(warehouse, run_id, "articles")
    rejects = staged_files(warehouse, run_id, "rejects")
    result = LoadResult()
    con.execute("begin transaction")
    try:
        if articles:
            for table in CHILD_TABLES:
                con.execute(load_sql(f"load/delete_replaced_{table}.sql"), {"articles": articles})
            result.replaced = con.execute(load_sql("load/delete_replaced_articles.sql"), {"files": articles}).fetchone()[0]
            result.loaded = con.execute(load_sql("load/insert_articles.sql"), {"files": articles}).fetchone()[0]
            for table in CHILD_TABLES:
                files = staged_files(warehouse, run_id, table)
                if files:
                    con.execute(load_sql(f"load/insert_{table}.sql"), {"files": files, "run_id": run_id})
        if rejects:
            result.rejected = con.execute(load_sql("load/insert_rejects.sql"), {"files": rejects}).fetchone()[0]
        result.duplicates = staged_articles - result.loaded
        finish = dict(finish)
        if result.duplicates:
            skipped_by_reason = json.loads(finish["skipped_by_reason"])
            skipped_by_reason["duplicate"] = skipped_by_reason.get("duplicate", 0) + result.duplicates
            finish["skipped_by_reason"] = json.dumps(skipped_by_reason, sort_keys=True)
            finish["loaded"] -= result.duplicates
            finish["skipped"] += result.duplicates
        con.execute(load_sql("load/finish_run.sql"), finish)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def publish_staging(con, warehouse: Path, run_id: str) -> None:
    """Move a loaded run's staged files into the Parquet history, and export its runs row."""
    staging = staging_dir(warehouse, run_id)
    for table in ("articles", "rejects", *CHILD_TABLES):
        files = staged_files(warehouse, run_id, table)
        if files:
            target = history_dir(warehouse, table, run_id)
            target.mkdir(parents=True, exist_ok=True)
            for name in files:
                os.replace(name, target / Path(name).name)
    runs_target = history_dir(warehouse, "runs", run_id) / "part-00000.parquet"
    run_rows = con.execute(load_sql("load/select_run.sql"), {"run_id": run_id}).to_arrow_table()
    runs_target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(run_rows, runs_target.with_name("part-00000.parquet.tmp"), compression="zstd")
    os.replace(runs_target.with_name("part-00000.parquet.tmp"), runs_target)
    shutil.rmtree(staging, ignore_errors=True)


def claim_staging(warehouse: Path, run_id: str):
    """Create a run's staging folder and hold its lock for as long as the returned file is open.

    The lock tells `recover_staging` in other processes that this run is alive.
    """
    folder = staging_dir(warehouse, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / ".lock", "w")  # noqa: SIM115 - held open for the run's lifetime
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def _alive(folder: Path) -> bool:
    try:
        with open(folder / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
    except BlockingIOError:
        return True
    except OSError:
        return False


def recover_staging(con, warehouse: Path) -> list[str]:
    """Finish what crashed runs left in staging/: publish loaded runs, drop unloaded ones.

    A run whose process died before its load has nothing in the database, so the next run
    processes its inputs again: nothing is lost, nothing is loaded twice. Its `runs` row is
    marked `crashed`. Folders of runs still alive (lock held) are left alone.
    Returns the run ids it dropped.
    """
    root = Path(warehouse) / "staging"
    dropped: list[str] = []
    if not root.is_dir():
        return dropped
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if _alive(folder):
            continue
        status = con.execute(load_sql("load/run_status.sql"), {"run_id": folder.name}).fetchone()
        if status and status[0] == "completed":
            publish_staging(con, warehouse, folder.name)
            continue
        if status and status[0] == "running":
            con.execute(load_sql("load/mark_crashed.sql"), {"run_id": folder.name})
        shutil.rmtree(folder, ignore_errors=True)
        dropped.append(folder.name)
    return dropped
