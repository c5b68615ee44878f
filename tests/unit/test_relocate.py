"""Rows of WARC records follow their records when a crawler rewrites the archive (real DuckDB file)."""

from __future__ import annotations

import duckdb

from tasks.warehouse import ensure_schema, relocate_rewritten_records

F = "/data/crawl.warc.gz"


def warehouse(tmp_path, articles: list[tuple[str, str, str]], rejects: list[tuple[str, str]] = ()):
    con = duckdb.connect(str(tmp_path / "news.duckdb"))
    ensure_schema(con)
    for source, article_id, url in articles:
        con.execute(
            "insert into articles (article_id, source, url, text, word_count, content_hash, input_kind, run_id,"
            " ingested_at, extractor_version) values (?, ?, ?, 'text', 1, 'h', 'html', 'r1', now(), 'v')",
            [article_id, source, url],
        )
    for source, input_id in rejects:
        con.execute(
            "insert into rejects (run_id, source, input_id, stage, reason, rejected_at, extractor_version)"
            " values ('r1', ?, ?, 'clean', 'too_short', now(), 'v')",
            [source, input_id],
        )
    return con


def sources(con, table: str = "articles", key: str = "article_id") -> dict[str, str]:
    return dict(con.execute(f"select {key}, source from {table}").fetchall())


def test_records_that_swapped_places_follow_their_content(tmp_path):
    con = warehouse(tmp_path, [(f"{F}#offset=0", "A", "u/a"), (f"{F}#offset=100", "B", "u/b")])
    moved = relocate_rewritten_records(con, {F: [(f"{F}#offset=0", "B", "u/b"), (f"{F}#offset=100", "A", "u/a")]})
    assert moved == 2
    assert sources(con) == {"A": f"{F}#offset=100", "B": f"{F}#offset=0"}


def test_a_changed_page_that_moved_takes_the_place_of_its_old_version(tmp_path):
    con = warehouse(tmp_path, [(f"{F}#offset=0", "A", "u/a"), (f"{F}#offset=100", "B", "u/b")])
    # a grew, so b moved; a's new version is new content at a's old offset... and b's old
    # offset now holds nothing: b followed by content, a stays where its URL is
    relocate_rewritten_records(con, {F: [(f"{F}#offset=0", "A2", "u/a"), (f"{F}#offset=130", "B", "u/b")]})
    assert sources(con) == {"A": f"{F}#offset=0", "B": f"{F}#offset=130"}
    # the next rewrite moves the changed page itself: it is paired by URL
    relocate_rewritten_records(con, {F: [(f"{F}#offset=0", "Z", "u/z"), (f"{F}#offset=90", "A3", "u/a"), (f"{F}#offset=200", "B", "u/b")]})
    assert sources(con) == {"A": f"{F}#offset=90", "B": f"{F}#offset=200"}


def test_a_page_gone_from_the_file_keeps_its_article_under_a_gone_source(tmp_path):
    con = warehouse(tmp_path, [(f"{F}#offset=0", "A", "u/a"), (f"{F}#offset=100", "B", "u/b"), ("/data/other.html", "C", "u/c")])
    relocate_rewritten_records(con, {F: [(f"{F}#offset=0", "B", "u/b")]})
    assert sources(con) == {"A": f"{F}#gone-offset=0", "B": f"{F}#offset=0", "C": "/data/other.html"}
    # gone sources are not the file's records any more: a later rewrite leaves them alone
    assert relocate_rewritten_records(con, {F: [(f"{F}#offset=0", "B", "u/b")]}) == 0


def test_two_stored_pages_with_one_url_are_not_guessed(tmp_path):
    con = warehouse(tmp_path, [(f"{F}#offset=0", "A", "u/a"), (f"{F}#offset=100", "A1", "u/a")])
    relocate_rewritten_records(con, {F: [(f"{F}#offset=50", "A2", "u/a")]})
    assert sources(con) == {"A": f"{F}#gone-offset=0", "A1": f"{F}#gone-offset=100"}


def test_rejects_of_moved_records_move_with_them(tmp_path):
    con = warehouse(tmp_path, [(f"{F}#offset=0", "A", "u/a")], rejects=[(f"{F}#offset=100", "R")])
    relocate_rewritten_records(con, {F: [(f"{F}#offset=0", "A2", "u/a"), (f"{F}#offset=140", "R", "u/r")]})
    assert sources(con, "rejects", "input_id") == {"R": f"{F}#offset=140"}


def test_rejects_move_also_in_a_file_that_has_no_articles(tmp_path):
    con = warehouse(tmp_path, [], rejects=[(f"{F}#offset=0", "R1"), (f"{F}#offset=50", "R2")])
    relocate_rewritten_records(con, {F: [(f"{F}#offset=0", "N", "u/n"), (f"{F}#offset=70", "R1", "u/r1"), (f"{F}#offset=140", "R2", "u/r2")]})
    assert sources(con, "rejects", "input_id") == {"R1": f"{F}#offset=70", "R2": f"{F}#offset=140"}
