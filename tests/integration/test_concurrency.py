"""Readers never block the pipeline and never see half a run (real processes, real DuckDB files)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest, load_pending
from flows.progress import SilentProgress, report_to
from tasks.load import staging_dir
from tasks.settings import Settings
from tasks.warehouse import load_sql
from tests.conftest import SEED

pytestmark = pytest.mark.usefixtures("prefect_server")

# A separate process that opens a DuckDB file read-only (as an analyst's shell would) and keeps
# it open until its stdin closes.
HOLDER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    con.execute("select count(*) from articles").fetchall()
    print("holding", flush=True)
    sys.stdin.read()
    con.close()
    """
)

# A separate process that, like a dashboard, opens the published snapshot again and again and
# checks that every run it sees is whole: each completed run has exactly the articles it loaded.
LOOPER = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    violations, snapshots, queries = [], set(), 0
    deadline = time.monotonic() + 120
    while not os.path.exists(stop) and time.monotonic() < deadline:
        try:
            con = duckdb.connect(path, read_only=True)
        except duckdb.IOException:
            time.sleep(0.01)  # not published yet
            continue
        with con:
            rows = con.execute(
                "select r.run_id, r.status, r.loaded, count(a.article_id) "
                "from runs r left join articles a using (run_id) group by all"
            ).fetchall()
            strays = con.execute(
                "select count(*) from articles where run_id not in (select run_id from runs where status = 'completed')"
            ).fetchone()[0]
        queries += 1
        if queries == 1:
            print("reading", flush=True)
        snapshots.add(tuple(sorted(r[0] for r in rows)))
        violations += [list(r) for r in rows if r[1] != "completed" or r[2] != r[3]]
        if strays:
            violations.append(["articles of an unfinished run", strays])
        time.sleep(0.005)
    print(json.dumps({"violations": violations, "snapshots": len(snapshots), "queries": queries}))
    """
)


def hold(database: Path) -> subprocess.Popen:
    """Start a process holding `database` open read-only; returns once it holds the lock."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def release(holder: subprocess.Popen) -> None:
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0


def run(sources, warehouse):
    state = ingest(sources=[str(s) for s in sources], warehouse=str(warehouse), return_state=True)
    assert state.is_completed(), state.message
    report = state.result()
    assert report.counts.balanced()
    return report


def query(database: Path, sql: str, params=None):
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


@pytest.fixture
def impatient(monkeypatch):
    """Runs give up waiting for the warehouse lock after one second."""
    monkeypatch.setenv("NEWSROOM_LOCK_WAIT_SECONDS", "1")


class HoldDuringCleaning(SilentProgress):
    """Starts a reader process on the warehouse when the run begins cleaning (after planning)."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.holder: subprocess.Popen | None = None

    def phase(self, name: str, total: int | None = None) -> None:
        if name == "Cleaning":
            self.holder = hold(self.database)


def test_reader_during_a_run_defers_the_load_and_loses_nothing(inputs, tmp_path, impatient):
    first = tmp_path / "first"
    run([SEED], first)  # the warehouse exists, as it would for an analyst to open
    sink = HoldDuringCleaning(first / "news.duckdb")
    with report_to(sink):
        report = run([inputs], first)
    try:
        assert report.status == "deferred"
        # the seed is unchanged (skipped); the two new pages wait, staged, with their runs row
        assert (report.counts.skipped, report.counts.deferred, report.counts.loaded) == (1, 2, 0)
        staged = first / "staging" / report.run_id
        assert json.loads((staged / "run.json").read_text())["loaded"] == 2
        assert len(list(staged.glob("articles/part-*.parquet"))) == 1
        published = first / "published" / "news.duckdb"
        assert query(published, "select count(*) from articles") == [(1,)]  # readers still see the last load
    finally:
        release(sink.holder)

    assert load_pending(Settings(warehouse=first)) == [report.run_id]

    # the same inputs loaded in one go without any reader give the same warehouse
    reference = tmp_path / "reference"
    run([SEED], reference)
    run([inputs], reference)
    for database in (first / "news.duckdb", first / "published" / "news.duckdb"):
        assert query(database, "select source, title, word_count from articles order by 1") == query(
            reference / "news.duckdb", "select source, title, word_count from articles order by 1"
        )
    assert query(first / "news.duckdb", "select status, inputs, loaded, skipped, deferred from runs where run_id = $r", {"r": report.run_id}) == [
        ("completed", 3, 2, 1, 0)
    ]
    assert not list((first / "staging").iterdir())
    assert query(first / "news.duckdb", "select count(*) from run_metrics where run_id = $r", {"r": report.run_id})[0][0] > 0


def test_reader_holding_the_warehouse_at_the_start_defers_the_whole_run(inputs, warehouse, impatient):
    run([SEED], warehouse)
    holder = hold(warehouse / "news.duckdb")
    try:
        report = run([inputs], warehouse)
        assert report.status == "deferred"
        assert (report.counts.inputs, report.counts.deferred) == (3, 3)
    finally:
        release(holder)
    # the next scheduled run, with nobody reading, records the deferred run and takes its inputs
    following = run([inputs], warehouse)
    assert following.status == "completed"
    assert (following.counts.loaded, following.counts.skipped) == (2, 1)
    rows = query(warehouse / "news.duckdb", "select run_id, status, inputs, deferred from runs order by started_at")
    assert [r[1:] for r in rows] == [("completed", 1, 0), ("deferred", 3, 3), ("completed", 3, 0)]
    assert rows[1][0] == report.run_id
    assert query(warehouse / "published" / "news.duckdb", "select count(*) from articles") == [(3,)]


def test_readers_in_a_loop_never_see_a_partial_run(tmp_path, warehouse):
    published = warehouse / "published" / "news.duckdb"
    batches = []
    for n in range(3):
        folder = tmp_path / f"batch{n}"
        folder.mkdir()
        for i in range(12):
            (folder / f"story_{n}_{i}.txt").write_text(
                f"Story {n}-{i}\n\n" + f"Report number {i} of batch {n} says the council met again. " * (5 + i),
                encoding="utf-8",
            )
        batches.append(folder)
    run([batches[0]], warehouse)
    stop = tmp_path / "stop"
    looper = subprocess.Popen([sys.executable, "-c", LOOPER, str(published), str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        assert looper.stdout.readline().strip() == "reading"
        for folder in batches[1:]:
            run([folder], warehouse)
        time.sleep(0.5)
        stop.touch()
        seen = json.loads(looper.communicate(timeout=120)[0])
    finally:
        looper.kill()
    assert seen["violations"] == []
    assert seen["queries"] > 20
    assert seen["snapshots"] >= 2  # it really read while runs were published
    assert query(published, "select count(*) from articles") == [(36,)]


def test_cli_run_while_an_analyst_holds_the_warehouse_defers_quietly_and_catches_up(inputs, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSROOM_"))}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect-home"), "COLUMNS": "200", "NEWSROOM_LOCK_WAIT_SECONDS": "1"}
    warehouse = tmp_path / "wh"

    def newsroom(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flows.cli", *args, "--warehouse", str(warehouse)],
                              env=env, capture_output=True, text=True, timeout=300, check=False)

    run([SEED], warehouse)
    holder = hold(warehouse / "news.duckdb")
    try:
        deferred = newsroom("run", str(inputs))
        assert deferred.returncode == 0, deferred.stderr
        assert re.search(r"│ deferred\s+│\s+3 │ The warehouse was busy .*: nothing was processed", deferred.stdout)
        for word in ("Traceback", "ERROR", "WARNING", "Exception"):
            assert word not in deferred.stdout + deferred.stderr
        # analysts keep reading the published snapshot meanwhile
        assert newsroom("sql", "select count(*) as n from articles", "-f", "csv").stdout.split() == ["n", "1"]
        busy = newsroom("load")
        assert busy.returncode == 1 and "in use by another program" in busy.stderr
    finally:
        release(holder)
    caught_up = newsroom("load")  # records the deferred run
    assert caught_up.returncode == 0 and "Loaded 1 deferred run(s)" in caught_up.stdout
    assert run([inputs], warehouse).counts.loaded == 2  # the next run takes the deferred inputs
    statuses = newsroom("sql", "select status, inputs, loaded, deferred from latest_runs order by started_at", "-f", "csv")
    assert statuses.stdout.split() == ["status,inputs,loaded,deferred", "completed,1,1,0", "deferred,3,0,3", "completed,3,2,0"]


def test_a_run_that_died_before_staging_was_complete_is_marked_crashed_and_redone(inputs, warehouse):
    run([SEED], warehouse)
    dead = "20000101T000000Z-dead00"
    with duckdb.connect(str(warehouse / "news.duckdb")) as con:
        con.execute(
            load_sql("load/insert_run.sql"),
            {"run_id": dead, "started_at": datetime(2000, 1, 1), "arguments": "{}", "versions": "{}",
             "extractor_version": "test", "flow_run_id": None},
        )
    partial = staging_dir(warehouse, dead) / "articles"
    partial.mkdir(parents=True)
    shutil.copy(next((warehouse / "parquet" / "articles").glob("*/part-*.parquet")), partial / "part-00001.parquet")

    report = run([inputs], warehouse)

    assert report.counts.loaded == 2
    assert query(warehouse / "news.duckdb", "select status from runs where run_id = $r", {"r": dead}) == [("crashed",)]
    assert not staging_dir(warehouse, dead).exists()
    assert query(warehouse / "news.duckdb", "select count(*), count(distinct source) from articles") == [(3, 3)]
