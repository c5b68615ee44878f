"""Scheduled-source runs: health records, failing loudly for a human, run artifacts, parallel cleaning."""

from __future__ import annotations

import random

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from flows.ingest import ingest

pytestmark = pytest.mark.usefixtures("prefect_server")


def query(warehouse, sql, params=None):
    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def artifacts(key):
    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))


def test_too_many_rejects_fail_the_run_with_one_sentence_but_keep_what_loaded(inputs, warehouse):
    for n in range(12):
        (inputs / f"junk{n:02d}.html").write_bytes(random.Random(n).randbytes(5000))
    state = ingest(sources=[str(inputs)], warehouse=str(warehouse), source_name="junk-drop", return_state=True)
    assert state.is_failed()
    assert state.message == (
        "Source 'junk-drop' rejected 12 of 15 new inputs (80%, limit 50%): check the rejects table for this run."
    )
    assert query(warehouse, "select count(*) from articles") == [(3,)]
    [(status, rate, message)] = query(warehouse, "select status, reject_rate, message from source_runs")
    assert (status, rate, message) == ("failed", 0.8, state.message)
    [artifact] = artifacts("newsroom-junk-drop")
    assert "Status: **failed**" in artifact.data and "| rejected | 12 | binary 12 |" in artifact.data


def test_a_source_failing_again_and_again_calls_for_a_human_until_it_recovers(inputs, tmp_path, warehouse):
    missing = tmp_path / "not-mounted"
    messages = []
    for _ in range(3):
        state = ingest(sources=[str(missing)], warehouse=str(warehouse), source_name="nfs-drop", return_state=True)
        assert state.is_failed()
        messages.append(state.message)
    assert messages[0] == f"Source not found: {missing}"
    assert messages[2] == f"Source 'nfs-drop' failed 3 runs in a row and needs a human. Last failure: Source not found: {missing}"
    state = ingest(sources=[str(inputs)], warehouse=str(warehouse), source_name="nfs-drop", return_state=True)
    assert state.is_completed(), state.message
    rows = query(warehouse, "select status, loaded from source_runs where source_name = 'nfs-drop' order by finished_at")
    assert rows == [("failed", 0)] * 3 + [("completed", 3)]
    [artifact] = [a for a in artifacts("newsroom-nfs-drop") if "Status: **completed**" in a.data]
    assert state.result().run_id in artifact.data and "## Top sites" in artifact.data
    # the seed article quotes Gen. Brown three times
    assert "## Top speakers" in artifact.data and "| Charles Q. Brown Jr. | 3 |" in artifact.data


def test_cleaning_in_processes_gives_the_same_warehouse_and_the_cache_holds_across_processes(inputs, tmp_path):
    parallel, single = tmp_path / "parallel", tmp_path / "single"
    state = ingest(sources=[str(inputs)], warehouse=str(parallel), batch_size=1, workers=2, return_state=True)
    assert state.is_completed(), state.message
    state = ingest(sources=[str(inputs)], warehouse=str(single), batch_size=1, workers=1, return_state=True)
    assert state.is_completed(), state.message
    same = "select article_id, source, title, text from articles order by article_id"
    assert query(parallel, same) == query(single, same) and len(query(parallel, same)) == 3
    # the batches ran in other processes; a new run there re-extracts nothing
    again = ingest(sources=[str(inputs)], warehouse=str(parallel), batch_size=1, workers=2, return_state=True).result()
    assert (again.counts.skipped, again.counts.loaded) == (3, 0)
