"""A truncated or corrupt Parquet file in staging is quarantined with its reason; the rest loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.ingest import load_pending
from tasks.load import history_dir, quarantine_dir, staging_dir, write_manifest
from tasks.quality import run_checks
from tasks.settings import Settings
from tests.integration.test_ingest import query, run

pytestmark = pytest.mark.usefixtures("prefect_server")

BODY = "<p>The harbour council met on Tuesday to discuss the new ferry timetable for island {n}.</p>" * 4


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(12):
        (folder / f"page{n:02d}.html").write_text(
            f"<html><head><title>Ferry news {n}</title></head><body><article><h1>Ferry news {n}</h1>"
            f"{BODY.format(n=n)}</article></body></html>"
        )
    (folder / "empty.html").write_text("")
    return folder


def restage(source: Path, target: Path) -> str:
    """Turn the first run of `source` back into a pending staged run of `target`: its real
    Parquet parts and its `runs` row as the manifest, as a run killed before its load leaves them."""
    [(run_id,)] = query(source, "select run_id from runs")
    with duckdb.connect(str(source / "news.duckdb"), read_only=True) as con:
        cursor = con.execute("select * from runs where run_id = ?", [run_id])
        row = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
    for folder in (source / "parquet").iterdir():
        loaded = history_dir(source, folder.name, run_id)
        if folder.name != "runs" and loaded.is_dir():
            shutil.copytree(loaded, staging_dir(target, run_id) / folder.name)
    write_manifest(target, run_id, row)
    return run_id


def test_corrupt_staged_files_are_quarantined_and_the_rest_loads(pages, tmp_path):
    reference, warehouse = tmp_path / "reference", tmp_path / "warehouse"
    first = run([pages], reference, batch_size=4, workers=1)  # one worker: every part holds 4 pages
    assert (first.counts.loaded, first.counts.rejected) == (12, 1)
    run_id = restage(reference, warehouse)
    staged = staging_dir(warehouse, run_id)
    truncated = staged / "articles" / "part-00002.parquet"
    truncated.write_bytes(truncated.read_bytes()[:-100])  # cut mid-footer, as a full disk leaves it
    [garbage] = (staged / "rejects").glob("*.parquet")
    garbage.write_bytes(b"PAR1 this is not parquet at all PAR1")

    assert load_pending(Settings(warehouse=warehouse)) == [run_id]

    moved = quarantine_dir(warehouse, run_id)
    reasons = {p.relative_to(moved).as_posix(): p.read_text() for p in moved.rglob("*.reason")}
    assert set(reasons) >= {"articles/part-00002.parquet.reason", f"rejects/{garbage.name}.reason",
                            "entities/part-00002.parquet.reason"}
    assert "unreadable Parquet" in reasons["articles/part-00002.parquet.reason"]
    assert "moved with articles/part-00002.parquet" in reasons["entities/part-00002.parquet.reason"]
    assert (moved / "articles" / "part-00002.parquet").is_file() and not staged.exists()
    # The other parts loaded; the run row says where the missing rows went.
    assert query(warehouse, "select count(*) from articles")[0][0] == 8
    [(loaded, rejected, deferred, message)] = query(warehouse, "select loaded, rejected, deferred, message from runs")
    assert (loaded, rejected, deferred) == (8, 0, 5) and "quarantine" in message
    with duckdb.connect(str(warehouse / "news.duckdb")) as con:
        assert {name: rows for name, rows in run_checks(con).items() if rows} == {}

    # The quarantined inputs are not in the warehouse, so the next run processes them again.
    again = run([pages], warehouse, batch_size=4)
    assert (again.counts.loaded, again.counts.rejected, again.counts.skipped) == (4, 1, 8)
    ids = "select article_id from articles order by 1"
    assert query(warehouse, ids) == query(reference, ids)
