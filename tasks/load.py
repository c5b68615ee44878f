"""Stage rows as Parquet, then load a whole run into DuckDB in one transaction.

Layout under the warehouse folder:
  staging/<run_id>/<table>/part-NNNNN.parquet   written by batches, not yet loaded
  parquet/<table>/run_id=<run_id>/part-NNNNN.parquet   loaded: the permanent Parquet history
  staging/<run_id>/run.json   the run's complete `runs` row, written when its staging is done
  quarantine/<run_id>/<table>/part-NNNNN.parquet(.reason)   staged files that could not be read
A run's staging folder moves to parquet/ only after its transaction committed, so Parquet
readers never see rows the database does not have. A staging folder with a run.json is a
run whose load is pending (deferred because the warehouse was busy): `recover_staging`
loads it first thing on the next run, or `newsroom load` does.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tasks.records import ARTICLES_SCHEMA, CHILD_SCHEMAS, FETCHES_SCHEMA, REJECTS_SCHEMA, RUNS_SCHEMA
from tasks.warehouse import load_sql

MANIFEST = "run.json"
REASON_SUFFIX = ".reason"

TABLES = ("articles", "rejects", "fetches", "runs")
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


@dataclass(frozen=True)
class Quarantined:
    """A staged Parquet file moved aside instead of being loaded, and why."""

    path: Path
    reason: str


def quarantine_dir(warehouse: Path, run_id: str) -> Path:
    """Where a run's unreadable staged files are kept for inspection."""
    return Path(warehouse) / "quarantine" / run_id


def check_parquet(path: Path, schema: pa.Schema) -> str | None:
    """Why a staged Parquet file cannot be loaded (unreadable, or not the table's columns), or None."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        return f"unreadable Parquet: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    missing = [name for name in schema.names if name not in table.schema.names]
    if missing:
        return f"Parquet file lacks columns {missing}"
    return None


def _move_aside(warehouse: Path, run_id: str, path: Path, reason: str) -> Quarantined:
    target = quarantine_dir(warehouse, run_id) / path.parent.name / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, target)
    target.with_name(target.name + REASON_SUFFIX).write_text(reason + "\n", encoding="utf-8")
    return Quarantined(target, reason)


def quarantine_staging(warehouse: Path, run_id: str) -> list[Quarantined]:
    """Move every unreadable staged file of a run to quarantine/, with a `.reason` file beside it.

    An articles part and its child parts (same part name) go together: loading one without
    the other would leave articles without their entities or orphan child rows. The inputs of
    quarantined parts are not in the warehouse, so the next run processes them again.
    """
    schemas = {"articles": ARTICLES_SCHEMA, "rejects": REJECTS_SCHEMA, "fetches": FETCHES_SCHEMA, **CHILD_SCHEMAS}
    bad: dict[Path, str] = {}
    for table, schema in schemas.items():
        for name in staged_files(warehouse, run_id, table):
            reason = check_parquet(Path(name), schema)
            if reason:
                bad[Path(name)] = reason
    staging = staging_dir(warehouse, run_id)
    for path in list(bad):
        if path.parent.name in ("articles", *CHILD_TABLES):
            for table in ("articles", *CHILD_TABLES):
                sibling = staging / table / path.name
                if sibling.exists() and sibling not in bad:
                    bad[sibling] = f"moved with {path.parent.name}/{path.name}: {bad[path]}"
    return [_move_aside(warehouse, run_id, path, reason) for path, reason in sorted(bad.items())]


def _rows(files: list[str]) -> int:
    return sum(pq.read_metadata(name).num_rows for name in files)


@dataclass
class LoadResult:
    """What one load transaction did."""

    loaded: int = 0
    replaced: int = 0
    rejected: int = 0
    duplicates: int = 0  # staged articles whose id arrived meanwhile from another run
    quarantined: list[Quarantined] = field(default_factory=list)
    lost_articles: int = 0  # articles in quarantined parts: not loaded, processed again next run
    lost_rejects: int = 0  # rejects in quarantined parts: ditto


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


def write_manifest(warehouse: Path, run_id: str, run_row: dict) -> Path:
    """Write a run's complete `runs` row beside its staged Parquet: from now on its load is pending."""
    path = staging_dir(warehouse, run_id) / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {name: run_row.get(name) for name in RUNS_SCHEMA.names}
    text = json.dumps(values, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v), indent=1)
    tmp = path.with_name(MANIFEST + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_manifest(warehouse: Path, run_id: str) -> dict | None:
    """The `runs` row a run staged for its pending load, or None when it has none."""
    path = staging_dir(warehouse, run_id) / MANIFEST
    if not path.is_file():
        return None
    row = json.loads(path.read_text(encoding="utf-8"))
    for name in ("started_at", "finished_at"):
        row[name] = datetime.fromisoformat(row[name]) if row.get(name) else None
    return row


def load_run(con, warehouse: Path, run_id: str, run_row: dict) -> LoadResult:
    """Load a run's staged Parquet and write its complete `runs` row in one transaction.

    `run_row` holds every `runs` column; its counts are corrected for rows that turned out
    to be duplicates at load time, and for rows in staged files that could not be read
    (quarantined: their inputs count as deferred and are processed again by the next run).
    Raises duckdb.Error; the transaction is then rolled back.
    """
    quarantined = quarantine_staging(warehouse, run_id)
    articles = staged_files(warehouse, run_id, "articles")
    rejects = staged_files(warehouse, run_id, "rejects")
    fetches = staged_files(warehouse, run_id, "fetches")
    result = LoadResult(quarantined=quarantined)
    row = {name: run_row.get(name) for name in RUNS_SCHEMA.names}
    if quarantined:
        result.lost_articles = max((row["loaded"] or 0) - _rows(articles), 0)
        result.lost_rejects = max((row["rejected"] or 0) - _rows(rejects), 0)
        row["loaded"] = (row["loaded"] or 0) - result.lost_articles
        row["rejected"] = (row["rejected"] or 0) - result.lost_rejects
        row["deferred"] = (row["deferred"] or 0) + result.lost_articles + result.lost_rejects
        note = f"{len(quarantined)} staged file(s) unreadable, moved to {quarantine_dir(warehouse, run_id)}"
        row["message"] = f"{row['message']} {note}" if row.get("message") else note
    con.execute("begin transaction")
    try:
        if articles:
            con.execute(load_sql("load/select_replaced_articles.sql"), {"files": articles})
            for table in CHILD_TABLES:
                con.execute(load_sql(f"load/delete_replaced_{table}.sql"))
            result.replaced = con.execute(load_sql("load/delete_replaced_articles.sql")).fetchone()[0]
            con.execute("drop table replaced_articles")
            result.loaded = con.execute(load_sql("load/insert_articles.sql"), {"files": articles}).fetchone()[0]
            for table in CHILD_TABLES:
                files = staged_files(warehouse, run_id, table)
                if files:
                    con.execute(load_sql(f"load/insert_{table}.sql"), {"files": files, "run_id": run_id})
        if rejects:
            result.rejected = con.execute(load_sql("load/insert_rejects.sql"), {"files": rejects}).fetchone()[0]
        if fetches:
            con.execute(load_sql("load/insert_fetches.sql"), {"files": fetches})
        result.duplicates = (row["loaded"] or 0) - result.loaded
        if result.duplicates:
            skipped_by_reason = json.loads(row["skipped_by_reason"])
            skipped_by_reason["duplicate"] = skipped_by_reason.get("duplicate", 0) + result.duplicates
            row["skipped_by_reason"] = json.dumps(skipped_by_reason, sort_keys=True)
            row["loaded"] -= result.duplicates
            row["skipped"] += result.duplicates
        con.execute(load_sql("load/delete_run.sql"), {"run_id": run_id})
        con.execute(load_sql("load/insert_run_row.sql"), row)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def publish_staging(con, warehouse: Path, run_id: str) -> None:
    """Move a loaded run's staged files into the Parquet history, and export its runs row."""
    staging = staging_dir(warehouse, run_id)
    for table in ("articles", "rejects", "fetches", *CHILD_TABLES):
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
    """Finish what earlier runs left in staging/, oldest first; return the run ids it loaded.

    - already loaded (the process stopped before tidying up): publish its Parquet files;
    - staged completely (run.json present) but not loaded, because the warehouse was busy
      or the process stopped: load it now, exactly as its own run would have;
    - anything else died before its staging was complete: nothing of it is in the database,
      so the next run processes its inputs again. Its `runs` row is marked `crashed`.
    Folders of runs still alive (lock held) are left alone.
    """
    root = Path(warehouse) / "staging"
    loaded: list[str] = []
    if not root.is_dir():
        return loaded
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if _alive(folder):
            continue
        run_id = folder.name
        status = con.execute(load_sql("load/run_status.sql"), {"run_id": run_id}).fetchone()
        if status and status[0] in ("completed", "deferred"):
            publish_staging(con, warehouse, run_id)
            continue
        manifest = read_manifest(warehouse, run_id)
        if manifest is not None:
            load_run(con, warehouse, run_id, manifest)
            publish_staging(con, warehouse, run_id)
            loaded.append(run_id)
            continue
        if status and status[0] == "running":
            con.execute(load_sql("load/mark_crashed.sql"), {"run_id": run_id})
        shutil.rmtree(folder, ignore_errors=True)
    return loaded


def load_reprocessed(con, warehouse: Path, run_id: str, changed_at) -> tuple[int, int]:
    """Load a reprocess run's staged batches, one transaction per batch.

    Only articles whose fields or child rows (entities, quotes, citations, links) changed
    are replaced, with their child rows; each changed field becomes an `article_changes`
    row. Returns (articles changed, change rows). A crash between batches loses nothing:
    the batches already loaded are simply unchanged on the next reprocess.
    """
    changed_articles = change_rows = 0
    for part in staged_files(warehouse, run_id, "articles"):
        articles = [part]
        children = {table: str(Path(part).parent.parent / table / Path(part).name) for table in CHILD_TABLES}
        params = {"articles": articles, "run_id": run_id, "changed_at": changed_at}
        con.execute("begin transaction")
        try:
            rows = con.execute(load_sql("load/insert_article_changes.sql"), {"files": articles, "run_id": run_id, "changed_at": changed_at}).fetchone()[0]
            for table, file in children.items():
                rows += con.execute(load_sql(f"load/insert_{table}_changes.sql"), params | {"files": [file]}).fetchone()[0]
            for table in CHILD_TABLES:
                con.execute(load_sql(f"load/delete_changed_{table}.sql"), {"articles": articles, "run_id": run_id})
            replaced = con.execute(load_sql("load/delete_changed_articles.sql"), {"files": articles, "run_id": run_id}).fetchone()[0]
            con.execute(load_sql("load/insert_articles.sql"), {"files": articles})
            for table, file in children.items():
                con.execute(load_sql(f"load/insert_{table}.sql"), {"files": [file], "run_id": run_id})
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        change_rows += rows
        changed_articles += replaced
    rejects = staged_files(warehouse, run_id, "rejects")
    if rejects:
        con.execute(load_sql("load/insert_rejects.sql"), {"files": rejects})
    return changed_articles, change_rows
