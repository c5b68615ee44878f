"""`reprocess`: re-extraction from raw inputs (files and WARC records), with changes recorded."""

from __future__ import annotations

import duckdb
import pytest

from flows.reprocess import item_from_source, reprocess
from tests.integration.test_ingest import query, run
from tests.warc_factory import news_records, write_warc

pytestmark = pytest.mark.usefixtures("prefect_server")


def run_reprocess(warehouse, **kwargs):
    state = reprocess(warehouse=str(warehouse), return_state=True, **kwargs)
    assert state.is_completed(), state.message
    report = state.result()
    assert report.counts.balanced()
    return report


@pytest.fixture
def loaded(inputs, tmp_path, warehouse):
    write_warc(inputs / "crawl.warc.gz", news_records())
    report = run([inputs], warehouse)
    assert report.counts.loaded == 6
    return inputs


def test_unchanged_extractor_over_unchanged_input_changes_nothing(loaded, warehouse):
    before = query(warehouse, "select * from articles order by article_id")
    report = run_reprocess(warehouse)
    assert (report.counts.inputs, report.counts.loaded, report.counts.skipped_by_reason) == (6, 0, {"unchanged": 6})
    assert query(warehouse, "select * from articles order by article_id") == before
    assert query(warehouse, "select count(*) from article_changes") == [(0,)]


def test_changes_of_a_new_extractor_are_recorded_per_field(loaded, warehouse):
    # what an older extractor left behind: another title on one page, an older version on two
    with duckdb.connect(str(warehouse / "news.duckdb")) as con:
        con.execute(
            "update articles set title = 'Old title', extractor_version = 'newsroom-0' where source like '%harbour_article.html'"
        )
        con.execute("update articles set extractor_version = 'newsroom-0' where url = 'https://news.example/b'")
    report = run_reprocess(warehouse)
    assert (report.counts.loaded, report.counts.skipped_by_reason) == (2, {"unchanged": 4})
    by_field = dict(
        query(warehouse, "select field, count(*) from article_changes where run_id = $r group by field", {"r": report.run_id})
    )
    assert by_field == {"title": 1, "extractor_version": 2}
    [(old, new)] = query(warehouse, "select old_value, new_value from article_changes where field = 'title'")
    assert (old, new) == ("Old title", "Port of Kestrel Bay to close night shifts after budget vote")
    assert query(warehouse, "select count(*) from articles where extractor_version = 'newsroom-0'") == [(0,)]
    assert query(warehouse, "select count(*) from articles") == [(6,)]
    # and once repaired, a second reprocess finds nothing to do
    again = run_reprocess(warehouse)
    assert again.counts.loaded == 0
    assert query(warehouse, "select count(*) from article_changes") == [(3,)]


def test_filters_and_inputs_that_moved_on(loaded, warehouse):
    only_warc = run_reprocess(warehouse, source="*crawl.warc.gz*")
    assert only_warc.counts.inputs == 3
    (loaded / "wahl_artikel.html").unlink()
    harbour = loaded / "harbour_article.html"
    harbour.write_text(harbour.read_text().replace("seven to two", "six to three"))
    report = run_reprocess(warehouse)
    assert report.counts.skipped_by_reason == {"unchanged": 4, "input_missing": 1, "input_changed": 1}
    assert query(warehouse, "select count(*) from articles") == [(6,)]


def test_item_from_source_round_trips():
    item = item_from_source("/data/crawl.warc.gz#offset=1234", "html")
    assert (item.location, item.record_offset, item.record_index) == ("/data/crawl.warc.gz", 1234, None)
    item = item_from_source("/data/whole.warc.gz#record=7", "html")
    assert (item.location, item.record_offset, item.record_index) == ("/data/whole.warc.gz", None, 7)
    item = item_from_source("/data/page.html.gz", "html")
    assert (item.location, item.compressed, item.record_index) == ("/data/page.html.gz", True, None)


def test_child_rows_are_compared_and_replaced(loaded, warehouse):
    # an older extractor that found fewer entities in the seed article
    with duckdb.connect(str(warehouse / "news.duckdb")) as con:
        seed_id = con.execute("select article_id from articles where input_kind = 'text'").fetchone()[0]
        before = con.execute("select count(*) from entities where article_id = $a", {"a": seed_id}).fetchone()[0]
        con.execute("delete from entities where article_id = $a and label = 'GPE'", {"a": seed_id})
    report = run_reprocess(warehouse)
    assert report.counts.loaded == 1
    fields = query(warehouse, "select article_id, field from article_changes where run_id = $r", {"r": report.run_id})
    assert fields == [(seed_id, "entities")]
    assert query(warehouse, "select count(*) from entities where article_id = $a", {"a": seed_id}) == [(before,)]
    assert query(warehouse, "select count(distinct run_id) from entities where article_id = $a", {"a": seed_id}) == [(1,)]
    # the other tables of that article were replaced too, without doubling
    for table in ("quotes", "citations"):
        [(rows, distinct)] = query(warehouse, f"select count(*), count(distinct start_char) from {table} where article_id = $a", {"a": seed_id})
        assert rows == distinct > 0
