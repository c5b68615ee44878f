"""A sharded backfill on a real Prefect server with two real workers equals a single-process run.

Starts `prefect server start` and two `prefect worker start` processes: about 1.5 minutes on a
busy 2-core machine.
"""

from __future__ import annotations

import random
import signal
import subprocess
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest
from tests.integration.prefect_processes import BIN, clean_env, free_port, stop, wait_healthy
from tests.warc_factory import page, write_warc

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("prefect_server")]

PAGES_PER_WARC = 110


def make_warc_set(folder: Path) -> Path:
    """Two WARC files of distinct article pages, plus a few inputs that are rejected."""
    folder.mkdir()
    for part in range(2):
        records = []
        for n in range(PAGES_PER_WARC):
            number = part * PAGES_PER_WARC + n
            body = page(
                f"Council report {number}",
                f"The council of district {number} voted {number * 7 % 31} to {number % 5} on the harbour budget, the clerk said",
            )
            records.append(("response", f"https://news.example/{number}", body, "text/html; charset=utf-8"))
        write_warc(folder / f"crawl-{part}.warc.gz", records)
    for n in range(5):
        (folder / f"junk-{n}.html").write_bytes(random.Random(n).randbytes(3000))
    return folder


def snapshot(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        return {
            "article_ids": con.execute("select article_id, source from articles order by article_id").fetchall(),
            "rejects": con.execute("select input_id, reason from rejects order by input_id").fetchall(),
            "runs": con.execute("select inputs, loaded, rejected, skipped, deferred, status from runs").fetchall(),
        }


def test_sharded_backfill_on_two_workers_equals_a_single_process_run(tmp_path):
    inputs = make_warc_set(tmp_path / "inputs")
    single = tmp_path / "single"
    state = ingest(sources=[str(inputs)], warehouse=str(single), workers=1, batch_size=50, return_state=True)
    assert state.is_completed(), state.message

    port = free_port()
    env = clean_env(tmp_path / "prefect-home") | {"PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
    logs = tmp_path / "logs"
    logs.mkdir()
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=(logs / "server.log").open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    workers = []
    try:
        wait_healthy(env["PREFECT_API_URL"], server)
        # --limit 1: a worker takes one shard at a time, as one machine would
        worker_env = env | {"PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_LOGGING_LEVEL": "INFO"}
        for name in ("worker-a", "worker-b"):
            workers.append(subprocess.Popen(
                [str(BIN / "prefect"), "worker", "start", "--pool", "newsroom", "--type", "process", "--limit", "1", "--name", name],
                env=worker_env, stdout=(logs / f"{name}.log").open("w"), stderr=subprocess.STDOUT, start_new_session=True,
            ))
        sharded = tmp_path / "sharded"
        result = subprocess.run(
            [str(BIN / "newsroom"), "backfill", str(inputs), "--shards", "2", "--pool", "newsroom",
             "--warehouse", str(sharded), "--batch-size", "50"],
            env=env, capture_output=True, text=True, timeout=240, check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    finally:
        for worker in workers:
            stop(worker, signal.SIGINT, seconds=10)  # a process worker can hang in its graceful shutdown
        stop(server)
    for name in ("worker-a", "worker-b"):  # each worker cleaned one shard
        assert "submitting flow run" in (logs / f"{name}.log").read_text(), name
    expected, got = snapshot(single), snapshot(sharded)
    assert len(expected["article_ids"]) == 2 * PAGES_PER_WARC and len(expected["rejects"]) == 5
    assert got == expected
    assert not (sharded / "staging").exists() or not any((sharded / "staging").iterdir())


def test_backfill_without_a_server_or_workers_says_what_to_start(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "a.txt").write_text("Headline\n\nA body long enough to be an article, with a few words more.\n")
    env = clean_env(tmp_path / "prefect-home")
    port = free_port()
    result = subprocess.run(
        [str(BIN / "newsroom"), "backfill", str(inputs), "--port", str(port), "--warehouse", str(tmp_path / "wh")],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 1
    assert f"No Prefect server answers at http://127.0.0.1:{port}/api" in result.stderr
    assert "prefect server start" in result.stderr and "Traceback" not in result.stderr
