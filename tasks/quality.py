"""Quality checks and per-run metrics, so the warehouse's quality over time is itself queryable.

Each file in `sql/checks/` is a query returning offending rows (none when all is well).
After each load the checks run and `run_metrics` gets rows per table, null rates per column,
reject rates per reason and the number of failures per check.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from tasks.warehouse import SQL_DIR, load_sql

METRICS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("measured_at", pa.timestamp("us")),
        ("metric", pa.string()),
        ("subject", pa.string()),
        ("value", pa.float64()),
    ]
)


def check_files() -> list[Path]:
    """Every quality check, in name order."""
    return sorted((SQL_DIR / "checks").glob("*.sql"))


def run_checks(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Run every check; map its name (file stem) to the offending rows it returned."""
    return {path.stem: con.execute(load_sql(f"checks/{path.name}")).fetchall() for path in check_files()}


def measure_run(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str, float]]:
    """The metrics of one loaded run as (metric, subject, value), checks included."""
    params = {"run_id": run_id}
    rows = con.execute(load_sql("metrics/table_rows.sql")).fetchall()
    rows += con.execute(load_sql("metrics/run_rows.sql"), params).fetchall()
    rows += con.execute(load_sql("metrics/null_rates.sql"), params).fetchall()
    rows += con.execute(load_sql("metrics/reject_rates.sql"), params).fetchall()
    rows += [("check_failures", name, float(len(bad))) for name, bad in run_checks(con).items()]
    return [(metric, subject, float(value)) for metric, subject, value in rows]


def record_run_metrics(con: duckdb.DuckDBPyConnection, run_id: str, measured_at: datetime) -> dict[str, int]:
    """Measure a run and store its metrics (replacing earlier ones); return failing checks by name."""
    metrics = measure_run(con, run_id)
    table = pa.Table.from_pylist(
        [
            {"run_id": run_id, "measured_at": measured_at, "metric": m, "subject": s, "value": v}
            for m, s, v in metrics
        ],
        schema=METRICS_SCHEMA,
    )
    con.execute("begin transaction")
    try:
        con.execute(load_sql("metrics/delete_run_metrics.sql"), {"run_id": run_id})
        con.register("new_metrics", table)
        con.execute(load_sql("metrics/insert_run_metrics.sql"))
        con.unregister("new_metrics")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return {s: int(v) for m, s, v in metrics if m == "check_failures" and v}


def record_stage_seconds(con: duckdb.DuckDBPyConnection, run_id: str, measured_at: datetime, seconds: dict[str, float]) -> None:
    """Store where a run spent its time as `stage_seconds` metrics, one row per stage.

    Stages run inside batches (read, clean, each extractor, write) are summed over the batches,
    so with several workers they add up to more than the wall time.
    """
    table = pa.Table.from_pylist(
        [
            {"run_id": run_id, "measured_at": measured_at, "metric": "stage_seconds", "subject": stage, "value": float(value)}
            for stage, value in sorted(seconds.items())
        ],
        schema=METRICS_SCHEMA,
    )
    con.register("new_metrics", table)
    try:
        con.execute(load_sql("metrics/insert_run_metrics.sql"))
    finally:
        con.unregister("new_metrics")
