"""`newsroom serve` as a first-time user runs it: no Prefect server configured, a folder on a schedule.

Starts a real Prefect server (in a subprocess of `newsroom serve`): about a minute on a busy machine.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request

import duckdb
import pytest

from tests.integration.prefect_processes import BIN, clean_env, free_port, is_healthy, stop

pytestmark = pytest.mark.server


def completed_runs(database) -> list[tuple]:
    """The source's completed runs, or [] while the warehouse is missing or busy."""
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            return con.execute("select run_id, loaded from source_runs where status = 'completed'").fetchall()
    except duckdb.Error:
        return []


def test_serve_starts_a_server_runs_the_schedule_and_stops_cleanly_on_sigterm(inputs, tmp_path):
    port = free_port()
    config = tmp_path / "newsroom.toml"
    config.write_text(f'warehouse = "wh"\n\n[sources.local-drop]\npaths = ["{inputs}"]\ninterval_seconds = 3\n')
    serve = subprocess.Popen(
        [str(BIN / "newsroom"), "serve", "--config", str(config), "--port", str(port)],
        env=clean_env(tmp_path / "prefect-home"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        while not (runs := completed_runs(tmp_path / "wh" / "news.duckdb")):
            assert serve.poll() is None, serve.communicate()
            assert time.monotonic() < deadline, "no scheduled run completed in 180 s"
            time.sleep(1)
        assert runs[0][1] == 3  # the first run loads the folder; later runs skip it
        api = f"http://127.0.0.1:{port}/api"
        with urllib.request.urlopen(f"{api}/deployments/name/ingest/local-drop", timeout=10) as response:  # noqa: S310
            deployment = json.load(response)
        assert deployment["global_concurrency_limit"]["limit"] == 1
        assert deployment["parameters"]["source_name"] == "local-drop"
    finally:
        code = stop(serve, signal.SIGTERM, seconds=60)
    out, err = serve.communicate()
    assert code == 0, err
    assert f"Prefect UI: http://127.0.0.1:{port} (started here)" in out
    assert out.rstrip().endswith("Stopped.")
    assert "Traceback" not in err and "ERROR" not in err, err
    assert not is_healthy(f"http://127.0.0.1:{port}/api")  # the server it started is gone


def test_serve_refuses_a_bad_schedule_with_one_sentence(tmp_path):
    config = tmp_path / "newsroom.toml"
    config.write_text('[sources.a]\npaths = ["x"]\n')
    result = subprocess.run(
        [str(BIN / "newsroom"), "serve", "--config", str(config)],
        env=clean_env(tmp_path / "prefect-home"), capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 2
    assert "exactly one of cron or interval_seconds" in result.stderr and "Traceback" not in result.stderr
