"""Health of named (scheduled) sources: one `source_runs` row per run, and when to call a human.

Two things need a human rather than another retry: a source whose runs keep failing, and a
run that rejects most of what it read (a site changed its layout, a feed now serves errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from tasks.warehouse import load_sql

# Below this many new inputs a reject rate says little (one bad file of two is 50%).
MIN_INPUTS_FOR_REJECT_RATE = 10


@dataclass(frozen=True)
class SourceRun:
    """The outcome of one run of a named source, as recorded in `source_runs`."""

    source_name: str
    run_id: str
    flow_run_id: str | None
    finished_at: datetime
    status: str  # completed | failed
    inputs: int | None = None
    loaded: int | None = None
    rejected: int | None = None
    message: str | None = None

    @property
    def reject_rate(self) -> float | None:
        """Share of the new inputs (loaded or rejected) that were rejected."""
        attempted = (self.loaded or 0) + (self.rejected or 0)
        return (self.rejected or 0) / attempted if attempted else None


def judge_reject_rate(source_name: str, loaded: int, rejected: int, max_rate: float) -> str | None:
    """One sentence if the run rejected too large a share of its new inputs, else None."""
    attempted = loaded + rejected
    if attempted < MIN_INPUTS_FOR_REJECT_RATE or rejected / attempted <= max_rate:
        return None
    return (
        f"Source {source_name!r} rejected {rejected} of {attempted} new inputs ({rejected / attempted:.0%}, "
        f"limit {max_rate:.0%}): check the rejects table for this run."
    )


def record_source_run(con: duckdb.DuckDBPyConnection, run: SourceRun) -> int:
    """Store a source run and return how many of the source's latest runs failed in a row."""
    con.execute(
        load_sql("report/insert_source_run.sql"),
        {
            "source_name": run.source_name,
            "run_id": run.run_id,
            "flow_run_id": run.flow_run_id,
            "finished_at": run.finished_at,
            "status": run.status,
            "inputs": run.inputs,
            "loaded": run.loaded,
            "rejected": run.rejected,
            "reject_rate": run.reject_rate,
            "message": run.message,
        },
    )
    return con.execute(load_sql("report/source_failure_streak.sql"), {"source_name": run.source_name}).fetchone()[0]


def explain_streak(source_name: str, streak: int, limit: int, message: str) -> str:
    """The message of a failed run: the cause, and a call for a human once failures repeat."""
    if streak >= limit:
        return f"Source {source_name!r} failed {streak} runs in a row and needs a human. Last failure: {message}"
    return message
