"""The `newsroom` command as a first-time user runs it: a fresh Prefect home, no server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

NEWSROOM = [sys.executable, "-m", "flows.cli"]
SCARY = ("Traceback", "ERROR", "WARNING", "Exception", "CancelledError")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSROOM_"))}
    clean["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    clean["COLUMNS"] = "200"
    return clean


def newsroom(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSROOM, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def assert_quiet(result: subprocess.CompletedProcess) -> None:
    output = result.stdout + result.stderr
    for word in SCARY:
        assert word not in output, output


def test_run_twice_is_clean_and_idempotent(inputs, tmp_path, env):
    warehouse = tmp_path / "wh"
    first = newsroom("run", str(inputs), "--warehouse", str(warehouse), env=env)
    assert first.returncode == 0, first.stderr
    assert_quiet(first)
    assert "loaded" in first.stdout and "│ inputs    │" in first.stdout
    assert "newsroom sql" in first.stdout
    second = newsroom("run", str(inputs), "--warehouse", str(warehouse), env=env)
    assert second.returncode == 0, second.stderr
    assert_quiet(second)
    assert "unchanged 3" in second.stdout

    rows = newsroom("sql", "select title, language from articles order by title", "--warehouse", str(warehouse), "-f", "json", env=env)
    assert rows.returncode == 0, rows.stderr
    assert json.loads(rows.stdout) == [
        {"title": "Gemeinderat beschließt neue Fährverbindung", "language": "de"},
        {"title": "NATO is One Step Away from Sending Troops to Ukraine", "language": "en"},
        {"title": "Port of Kestrel Bay to close night shifts after budget vote", "language": "en"},
    ]


def test_run_with_workers_is_clean_and_complete(inputs, tmp_path, env):
    """Two workers, batches of one: the workers boot, and clean ahead, while the temporary server starts."""
    warehouse = tmp_path / "wh"
    args = ("run", str(inputs), "--warehouse", str(warehouse), "--workers", "2", "--batch-size", "1", "--no-entities")
    first = newsroom(*args, env=env)
    assert first.returncode == 0, first.stderr
    assert_quiet(first)
    assert re.search(r"│ loaded\s+│\s+3 │", first.stdout), first.stdout
    second = newsroom(*args, env=env)
    assert second.returncode == 0, second.stderr
    assert "unchanged 3" in second.stdout
    import duckdb

    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        assert con.execute("select count(*), count(distinct run_id) from articles").fetchone() == (3, 1)


def test_a_page_past_the_time_limit_is_rejected_by_its_worker_and_the_run_completes(inputs, tmp_path, env):
    """The workers enforce `page_seconds` (a timer signal in their main thread)."""
    import shutil

    source = tmp_path / "pages"
    shutil.copytree(inputs, source)
    # 180,000 empty elements: several seconds of trafilatura's time, far past a 1 s limit
    (source / "slow.html").write_text("<html><body>" + "<div><span></span><p></p></div>" * 60_000 + "</body></html>")
    warehouse = tmp_path / "wh"
    env = {**env, "NEWSROOM_PAGE_SECONDS": "1"}
    result = newsroom("run", str(source), "--warehouse", str(warehouse), "--workers", "2", "--batch-size", "1", "--no-entities", env=env)
    assert result.returncode == 0, result.stderr
    assert_quiet(result)
    assert re.search(r"│ loaded\s+│\s+3 │", result.stdout), result.stdout
    assert re.search(r"│ rejected\s+│\s+1 │ too_slow 1", result.stdout), result.stdout
    import duckdb

    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        assert con.execute("select reason, detail from rejects").fetchall() == [
            ("too_slow", "cleaning took longer than 1 s (page_seconds)")
        ]
        assert con.execute("select inputs, loaded, rejected, skipped from runs").fetchone() == (4, 3, 1, 0)


def test_missing_source_is_one_clear_sentence(tmp_path, env):
    result = newsroom("run", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "wh"), env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == f"Source not found: {tmp_path / 'nope'}"
    assert_quiet(result)


def test_bad_sql_is_one_clear_sentence(inputs, tmp_path, env):
    warehouse = tmp_path / "wh"
    missing = newsroom("sql", "select 1", "--warehouse", str(warehouse), env=env)
    assert missing.returncode == 1 and "run `newsroom run` first" in missing.stderr
    import duckdb

    (warehouse / "published").mkdir(parents=True)
    duckdb.connect(str(warehouse / "published" / "news.duckdb")).close()
    bad = newsroom("sql", "select nonsense from nowhere", "--warehouse", str(warehouse), env=env)
    assert bad.returncode == 1
    assert bad.stderr.startswith("Query failed:") and len(bad.stderr.strip().splitlines()) == 1
    assert "Traceback" not in bad.stderr


def test_help_lists_the_commands(env):
    result = newsroom("--help", env=env)
    assert result.returncode == 0
    assert "run" in result.stdout and "sql" in result.stdout
    run_help = newsroom("run", "--help", env=env)
    assert "--warehouse" in run_help.stdout and "--batch-size" in run_help.stdout


def test_run_over_a_feed_url_prints_a_clean_summary(tmp_path, env):
    from tests.integration.local_web import LocalSite, Reply, article_page

    env = env | {"NEWSROOM_HOST_DELAY_SECONDS": "0.05"}
    with LocalSite("127.0.0.1") as site:
        feed = b"<rss><channel><item><link>/a</link></item><item><link>/b</link></item></channel></rss>"
        site.routes["/rss"] = Reply(200, feed, {"Content-Type": "application/rss+xml"})
        site.routes["/a"] = Reply(200, article_page(1))
        site.routes["/b"] = Reply(404, b"")
        warehouse = str(tmp_path / "wh")
        result = newsroom("run", "--feed", site.url("/rss"), "--allow-private-networks", "--warehouse", warehouse, env=env)
    assert result.returncode == 0, result.stderr
    assert_quiet(result)
    assert re.search(r"│ loaded\s+│\s+1 │", result.stdout) and "not_found 1" in result.stdout, result.stdout
    # the time is the whole command's (start-up included), not only the flow's
    elapsed = re.search(r"│ elapsed\s+│\s+([\d.]+) s │ ([\d.]+) inputs/s; start-up ([\d.]+) s", result.stdout)
    assert elapsed, result.stdout
    seconds, rate, start_up = map(float, elapsed.groups())
    assert 0 < start_up < seconds and abs(rate - 2 / seconds) < 0.06, elapsed.groups()


RUNTIME_CHECK = """
import threading
from flows.runtime import api_for_flows, configure_prefect, start_early_server

configure_prefect()
server = start_early_server()
assert server is not None
from prefect.settings import get_current_settings

with api_for_flows(server) as used:
    assert used
    seen = []
    thread = threading.Thread(target=lambda: seen.append(get_current_settings().api.url))
    thread.start()
    thread.join()
    # Prefect's background threads must see the run's server, or each starts one of its own
    assert seen == [server.api_url], (seen, server.api_url)
    # no flow-run heartbeats for a server that ends with the command
    assert get_current_settings().flows.heartbeat_frequency is None
assert server.process.poll() is not None, "the temporary server outlived the run"
assert get_current_settings().api.url is None
assert get_current_settings().flows.heartbeat_frequency is not None
print("ok")
"""


def test_the_early_temporary_server_serves_every_thread_and_stops(env):
    result = subprocess.run([sys.executable, "-c", RUNTIME_CHECK], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout + result.stderr
    assert_quiet(result)


def test_a_configured_api_gets_no_temporary_server(env):
    env = env | {"PREFECT_API_URL": "http://127.0.0.1:9/api"}
    check = "from flows.runtime import configure_prefect, start_early_server\nconfigure_prefect()\nprint(start_early_server())"
    result = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout.strip() == "None", result.stdout + result.stderr
