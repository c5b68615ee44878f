"""A full disk and a read-only warehouse: one clear sentence, the previous data intact.

Both are real filesystems: a size-limited tmpfs mounted for the test (filled to the last
byte), then remounted read-only. Tests run as root here, where chmod would not stop a write,
so only a mount gives a real read-only warehouse; without the right to mount they are skipped.
"""

from __future__ import annotations

import errno
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tasks.quality import run_checks
from tests.conftest import DATA
from tests.integration.test_ingest import run
from tests.reliability.test_crash_recovery import Newsroom

pytestmark = pytest.mark.usefixtures("prefect_server")
SCARY = ("Traceback", "ERROR", "Exception")


@pytest.fixture
def small_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path) -> Path:
    """Write a file until the filesystem has no byte left."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as out:
        for block in (1 << 20, 4096, 1):
            try:
                while True:
                    out.write(b"\0" * block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return filler


def state_of(warehouse: Path) -> tuple:
    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        failures = {name: rows for name, rows in run_checks(con).items() if rows}
        rows = con.execute("select article_id, content_hash from articles order by 1").fetchall()
    return rows, failures


def one_sentence(output: str) -> None:
    text = " ".join(output.split())  # the terminal wraps long lines
    assert text.startswith("Run failed: The warehouse ") and text.endswith("."), output
    assert text.count("The warehouse") == 1 and not any(word in output for word in SCARY), output


def test_full_disk_and_read_only_warehouse_fail_clearly_and_keep_the_data(inputs, small_disk, tmp_path):
    warehouse = small_disk / "warehouse"
    run([inputs], warehouse)
    before = state_of(warehouse)
    assert len(before[0]) == 3 and before[1] == {}
    more = tmp_path / "more"
    more.mkdir()
    shutil.copy(DATA / "ferry_quotes.html", more / "ferry_quotes.html")
    newsroom = Newsroom([str(inputs), str(more), "--warehouse", str(warehouse)], tmp_path)

    filler = fill(small_disk)
    full = newsroom.start()
    output = full.communicate(timeout=300)[0].decode()
    assert full.returncode == 1
    one_sentence(output)
    assert "no disk space left" in output, output
    filler.unlink()
    assert state_of(warehouse) == before

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        readonly = newsroom.start()
        output = readonly.communicate(timeout=300)[0].decode()
        assert readonly.returncode == 1
        one_sentence(output)
        assert "read-only" in output.lower(), output
        assert state_of(warehouse) == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)

    # Space and write access back: the next run loads the new page and keeps the rest.
    newsroom.complete()
    rows, failures = state_of(warehouse)
    assert failures == {} and set(before[0]) < set(rows) and len(rows) == 4
