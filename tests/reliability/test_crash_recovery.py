"""SIGKILL the real `newsroom run` process at four points, run again, and lose nothing.

Each kill is decided from outside, by watching what the run leaves behind: a request held
by a loopback server that stalls (fetching), a staged Parquet part (cleaning), the DuckDB
file locked by the run while its articles are still staged (inside the load transaction),
and the snapshot's temporary copy (publishing). No test hook exists in the production code.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tasks.quality import run_checks
from tests.integration.local_web import LocalSite, Reply, Seen, article_page
from tests.integration.test_ingest import query, run

pytestmark = pytest.mark.usefixtures("prefect_server")

PAGES = 240
BATCH = 20
WEB_PAGES = 3
BODY = (
    "<p>Report {n}: the harbour council met on day {n} and voted on plan {m}, after residents had argued "
    "for weeks about ferries, parking and the old fish market in the town centre.</p>"
)


def write_pages(folder: Path) -> Path:
    folder.mkdir()
    for n in range(PAGES):
        body = "".join(BODY.format(n=n, m=n * 7 + p) for p in range(12))
        (folder / f"report{n:04d}.html").write_text(
            f"<html><head><title>Report {n}</title></head><body><article><h1>Report {n}</h1>{body}</article></body></html>"
        )
    (folder / "empty.html").write_text("")  # a reject must not be lost or doubled either
    return folder


def locked_by(pid: int, path: Path) -> bool:
    """True when process `pid` holds a POSIX lock on `path` (DuckDB locks its file while open)."""
    try:
        inode = path.stat().st_ino
    except FileNotFoundError:
        return False
    with open("/proc/locks") as locks:
        return any(f" {pid} " in line and line.split()[5].endswith(f":{inode}") for line in locks)


class Newsroom:
    """`python -m flows.cli run …` in its own process group, against the session's Prefect API."""

    def __init__(self, args: list[str], tmp_path: Path) -> None:
        from prefect.settings import PREFECT_API_URL

        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSROOM_"))}
        env |= {"PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_HOME": str(tmp_path / "prefect-home"),
                "NEWSROOM_HOST_DELAY_SECONDS": "0", "COLUMNS": "200"}
        self.args, self.env = [sys.executable, "-m", "flows.cli", "run", *args], env

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(self.args, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def kill_when(self, condition: Callable[[int], bool], timeout: float = 120) -> str:
        """Start a run and SIGKILL its process group as soon as `condition(pid)` holds."""
        process = self.start()
        deadline = time.monotonic() + timeout
        while not condition(process.pid):
            if process.poll() is not None:
                raise AssertionError(f"the run ended before the kill point:\n{process.stdout.read().decode()}")
            assert time.monotonic() < deadline, "kill point not reached"
            time.sleep(0.001)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL
        return "killed"

    def complete(self) -> str:
        process = self.start()
        output = process.communicate(timeout=300)[0].decode()
        assert process.returncode == 0, output
        return output


def test_sigkill_at_four_stages_loses_and_doubles_nothing(tmp_path):
    pages = write_pages(tmp_path / "pages")
    release = threading.Event()
    stalling = threading.Event()

    def stall_once(seen: Seen) -> Reply:
        if not release.is_set():
            stalling.set()
            release.wait(60)  # hold the request until the test has killed the run
        return Reply(200, article_page(0))

    site = LocalSite("127.0.0.1").start()
    try:
        site.routes = {"/story/0": stall_once} | {f"/story/{n}": Reply(200, article_page(n)) for n in range(1, WEB_PAGES)}
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(site.url(f"/story/{n}") + "\n" for n in range(WEB_PAGES)))
        reference = tmp_path / "reference"
        release.set()
        run([pages], reference, batch_size=BATCH, url_files=[str(urls)], allow_private_networks=True)
        release.clear()

        warehouse = tmp_path / "warehouse"
        newsroom = Newsroom([str(pages), "--urls", str(urls), "--allow-private-networks",
                            "--warehouse", str(warehouse), "--batch-size", str(BATCH)], tmp_path)
        database, staging = warehouse / "news.duckdb", warehouse / "staging"
        published = warehouse / "published"

        def staged_articles() -> list[Path]:
            return list(staging.glob("*/articles/part-*.parquet")) if staging.is_dir() else []

        kills = {
            "fetching": lambda pid: stalling.is_set(),
            "writing Parquet": lambda pid: bool(staged_articles()),
            "load transaction": lambda pid: bool(staged_articles()) and locked_by(pid, database),
            "publishing snapshot": lambda pid: published.is_dir() and any(p.name.endswith(".tmp") for p in published.iterdir()),
        }
        outcomes = {}
        for stage, condition in kills.items():
            outcomes[stage] = newsroom.kill_when(condition)
            release.set()  # after the first kill the server answers at once
        newsroom.complete()
    finally:
        release.set()
        site.stop()

    ids = "select article_id from articles order by 1"
    assert query(warehouse, ids) == query(reference, ids)
    assert len(query(warehouse, ids)) == PAGES + WEB_PAGES
    assert query(warehouse, "select source, reason from rejects") == query(reference, "select source, reason from rejects")
    with duckdb.connect(str(database)) as con:
        assert {name: rows for name, rows in run_checks(con).items() if rows} == {}
    # The Parquet history holds each loaded article exactly once too.
    parquet = duckdb.sql(f"select count(*), count(distinct article_id) from read_parquet('{warehouse}/parquet/articles/*/*.parquet')")
    assert parquet.fetchone() == (PAGES + WEB_PAGES, PAGES + WEB_PAGES)
    statuses = [s for (s,) in query(warehouse, "select status from runs order by started_at")]
    assert statuses.count("crashed") >= 2 and statuses[-1] == "completed", statuses
    assert not list(staging.iterdir()) and outcomes == dict.fromkeys(kills, "killed")
    with duckdb.connect(str(published / "news.duckdb"), read_only=True) as snapshot:
        assert snapshot.execute("select count(*) from articles").fetchone()[0] == PAGES + WEB_PAGES
    assert [p.name for p in published.iterdir()] == ["news.duckdb"]  # the killed publisher's copy is gone


def cleaning_workers(pid: int) -> list[int]:
    """The cleaning worker processes of the run `pid`.

    Children of its fork server (`flows.pool`), or its own children where workers are spawned.
    """
    parents, cmdlines = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat, cmdline = (entry / "stat").read_text(), (entry / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        cmdlines[int(entry.name)] = cmdline
    servers = {p for p, parent in parents.items() if parent == pid and b"multiprocessing.forkserver" in cmdlines[p]}
    return [
        p for p, parent in parents.items()
        if parent in servers or (parent == pid and b"spawn_main" in cmdlines[p])
    ]


def test_a_cleaning_worker_killed_mid_run_fails_the_run_in_one_sentence_and_a_rerun_completes_it(tmp_path):
    pages = write_pages(tmp_path / "pages")
    warehouse = tmp_path / "warehouse"
    newsroom = Newsroom([str(pages), "--warehouse", str(warehouse), "--batch-size", "10", "--workers", "2"], tmp_path)
    process = newsroom.start()
    deadline = time.monotonic() + 120
    while not (list((warehouse / "staging").glob("*/articles/part-*.parquet")) and cleaning_workers(process.pid)):
        assert process.poll() is None, f"the run ended before a worker was killed:\n{process.stdout.read().decode()}"
        assert time.monotonic() < deadline, "no batch was staged"
        time.sleep(0.01)
    os.kill(cleaning_workers(process.pid)[0], signal.SIGKILL)
    output = process.communicate(timeout=120)[0].decode()

    assert process.returncode == 1, output
    assert "A cleaning worker process died" in output and "Traceback" not in output and "ERROR" not in output, output
    assert query(warehouse, "select count(*) from articles") == [(0,)]
    newsroom.complete()
    assert query(warehouse, "select count(*), count(distinct article_id) from articles") == [(PAGES, PAGES)]
    assert query(warehouse, "select source like '%empty.html', reason from rejects") == [(True, "empty")]
    assert [s for (s,) in query(warehouse, "select status from runs order by started_at")] == ["failed", "completed"]
    with duckdb.connect(str(warehouse / "news.duckdb")) as con:
        assert {name: rows for name, rows in run_checks(con).items() if rows} == {}
