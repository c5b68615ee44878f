"""WARC archives through the real flow: every record accounted for, damage rejected, re-runs idle."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_ingest import query, run
from tests.warc_factory import gzip_whole, news_records, write_warc

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
