"""WARC archives through the real flow: every record accounted for, damage rejected, re-runs idle."""

from __future__ import annotations

import json
import time

import pytest

from tests.integration.test_ingest import query, run
from tests.warc_factory import gzip_whole, news_records, page, write_warc

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_warc_records_become_articles_with_url_and_crawl_date(tmp_path, warehouse):
    archive = write_warc(tmp_path / "crawl.warc.gz", news_records())
    report = run([archive], warehouse)
    assert (report.counts.inputs, report.counts.loaded, report.counts.rejected) == (7, 3, 0)
    assert report.counts.skipped_by_reason == {"warc_request": 1, "warc_metadata": 1, "not_html": 1, "warc_revisit": 1}
    rows = query(warehouse, "select url, title, source, fetched_at is not null from articles order by url")
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("https://news.example/a", "Harbour reopens", True),
        ("https://news.example/b", "Café Zürich schließt", True),
        ("https://news.example/c", "Ferry timetable changes", True),
    ]
    assert all(r[2].startswith(f"{archive}#offset=") for r in rows)
    again = run([archive], warehouse)
    assert (again.counts.loaded, again.counts.skipped_by_reason["unchanged"]) == (0, 3)
    assert query(warehouse, "select count(*) from articles") == [(3,)]


def test_damaged_archives_are_processed_up_to_the_damage(tmp_path, warehouse):
    plain = write_warc(tmp_path / "plain.warc", news_records(), gzip_records=False)
    whole = gzip_whole(plain, tmp_path / "whole.warc.gz")
    cut = tmp_path / "cut.warc.gz"
    data = write_warc(tmp_path / "full.warc.gz", news_records()).read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.9)])
    (tmp_path / "full.warc.gz").unlink()
    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"this is not a web archive\n" * 10)

    report = run([plain, whole, cut, junk], warehouse)

    rejects = query(warehouse, "select source, reason from rejects order by source")
    assert [(s.rsplit("/", 1)[1], r) for s, r in rejects] == [
        ("cut.warc.gz#offset=" + rejects[0][0].rsplit("=", 1)[1], "truncated_record"),
        ("junk.warc", "corrupt_archive"),
    ]
    # plain and whole hold the same pages (duplicates of each other); cut lost its last page
    assert report.counts.loaded == 3
    assert report.counts.skipped_by_reason["duplicate"] == 3 + 2
    [(inputs, by_reason)] = query(warehouse, "select inputs, skipped_by_reason from runs")
    assert inputs == 7 + 7 + 7 + 1 and json.loads(by_reason)["warc_request"] == 3


def test_a_rerun_takes_unchanged_archives_from_the_scan_cache_with_the_same_outcome(tmp_path, warehouse):
    good = write_warc(tmp_path / "good.warc.gz", news_records())
    cut = tmp_path / "cut.warc"
    data = write_warc(tmp_path / "cut.warc", news_records(), gzip_records=False).read_bytes()
    cut.write_bytes(data[: data.index(b"Ferry timetable") + 40])
    time.sleep(2.1)  # a file written in the last 2 s may still be growing: its scan is not kept
    first = run([good, cut], warehouse)
    assert first.archives_cached == 0 and (first.counts.loaded, first.counts.rejected) == (3, 1)
    again = run([good, cut], warehouse)
    assert again.archives_cached == 2
    assert (again.counts.inputs, again.counts.loaded, again.counts.rejected) == (first.counts.inputs, 0, 0)
    assert again.counts.skipped_by_reason["unchanged"] == 3 + 1  # the reject too: unchanged, not doubled
    assert query(warehouse, "select count(*) from articles") == [(3,)]
    assert query(warehouse, "select count(*) from rejects") == [(1,)]
    write_warc(good, news_records()[1:2] + [("response", "https://news.example/d", page("New pier", "The pier opens in May"), "text/html")])
    grown = run([good, cut], warehouse)  # a rewritten archive is read again at once
    assert grown.archives_cached == 1 and grown.counts.loaded == 1


def _records_match_their_sources(warehouse) -> bool:
    """Every article whose record is still in its file names that record in its source."""
    from flows.reprocess import item_from_source
    from tasks.read import InputReader
    from tasks.records import input_id

    rows = query(warehouse, "select source, article_id, input_kind from articles where source not like '%#gone-%'")
    with InputReader(10_000_000) as reader:
        return all(input_id(reader.read(item_from_source(source, kind)).data) == article_id for source, article_id, kind in rows)


def test_a_rewritten_archive_moves_replaces_and_keeps_without_doubling(tmp_path, warehouse):
    """A crawler rewrites its archive under the same name: records move behind a changed one."""
    from tests.warc_factory import page

    records = news_records()
    archive = write_warc(tmp_path / "crawl.warc.gz", records)
    run([archive], warehouse)
    old_ids = dict(query(warehouse, "select url, article_id from articles"))

    longer = page("Harbour reopens", "The harbour reopened on Monday after the storm, and the ferries run again")
    rewritten = [records[0], ("response", "https://news.example/a", longer, "text/html; charset=utf-8"), *records[2:6]]
    write_warc(archive, rewritten)  # page a changed (everything after it moved), page c is gone
    report = run([archive], warehouse)

    counts = report.counts
    assert (counts.loaded, counts.rejected, counts.skipped_by_reason.get("unchanged")) == (1, 0, 1)
    assert counts.loaded + counts.rejected + counts.skipped + counts.deferred == counts.inputs
    rows = query(warehouse, "select url, article_id, source from articles order by url")
    assert [url for url, _, _ in rows] == ["https://news.example/a", "https://news.example/b", "https://news.example/c"]
    a, b, c = rows
    assert a[1] != old_ids["https://news.example/a"] and b[1] == old_ids["https://news.example/b"]
    assert c[2] == f"{archive}#gone-" + c[2].rsplit("#gone-", 1)[1]  # its record left the file; the article stays
    assert _records_match_their_sources(warehouse)
    again = run([archive], warehouse)
    assert (again.counts.loaded, again.counts.skipped_by_reason.get("unchanged")) == (0, 2)
    assert query(warehouse, "select count(*) from articles") == [(3,)]


def test_a_changed_page_with_a_canonical_url_replaces_its_version_in_a_rewritten_archive(tmp_path, warehouse):
    """Pages that declare a canonical URL are paired by it once cleaned, not by the record's URI."""
    from tests.warc_factory import page

    def story(slug: str, text: str) -> tuple:
        html = page(f"Story {slug}", text).replace(
            b"</title>", f"</title><link rel='canonical' href='https://news.example/stories/{slug}'>".encode()
        )
        return ("response", f"https://news.example/{slug}?utm=feed", html, "text/html; charset=utf-8")

    first = [story("one", "The council met on Monday to debate the budget"), story("two", "The river rose overnight after the rain")]
    archive = write_warc(tmp_path / "crawl.warc.gz", first)
    run([archive], warehouse)
    rewritten = [story("one", "The council met on Monday to debate the budget, and approved it late at night"),
                 story("two", "The river rose overnight after the rain, and the bridge was closed in the morning")]
    write_warc(archive, rewritten)  # both changed; the second also moved
    report = run([archive], warehouse)

    assert (report.counts.loaded, report.replaced) == (2, 2)
    rows = query(warehouse, "select url, source, text from articles order by url")
    assert [url for url, _, _ in rows] == ["https://news.example/stories/one", "https://news.example/stories/two"]
    (_, source_one, text_one), (_, source_two, text_two) = rows
    assert "approved" in text_one and "bridge" in text_two
    assert "#offset=" in source_one and "#offset=" in source_two
    assert _records_match_their_sources(warehouse)


def test_cleaning_ahead_of_a_rewritten_archive_plans_what_the_flow_plans(tmp_path, warehouse):
    """The read-only head start sees moved records, rejected ones too, as the flow does after relocating them."""
    from flows.ingest import clean_ahead
    from flows.pool import start_pool, stop_pool
    from tests.warc_factory import page

    html = "text/html; charset=utf-8"
    a = ("response", "https://news.example/a", page("Harbour reopens", "The harbour reopened on Monday after the storm"), html)
    empty = ("response", "https://news.example/empty", b"<html><body><p>Soon.</p></body></html>", html)
    b = ("response", "https://news.example/b", page("Ferry timetable changes", "The ferry to the island runs twice a day"), html)
    archive = write_warc(tmp_path / "crawl.warc.gz", [a, empty, b])
    first = run([archive], warehouse, workers=1, entities=False)
    assert (first.counts.loaded, first.counts.rejected) == (2, 1)

    longer = page("Harbour reopens", "The harbour reopened on Monday after the storm, and the ferries run again")
    d = ("response", "https://news.example/d", page("Bridge works start", "Works on the old bridge start in May"), html)
    write_warc(archive, [(*a[:2], longer, html), empty, b, d])  # a changed: the rejected page and b moved
    start_pool(2, None)
    try:
        assert clean_ahead([str(archive)], warehouse=str(warehouse), batch_size=1, workers=2, entities=False) == 2
        report = run([archive], warehouse, batch_size=1, workers=2, entities=False)
    finally:
        stop_pool()
    assert report.batches_ahead == 2  # a and d: the moved reject is unchanged, not cleaned again
    assert (report.counts.loaded, report.counts.rejected, report.counts.skipped_by_reason.get("unchanged")) == (2, 0, 2)
    assert _records_match_their_sources(warehouse)
