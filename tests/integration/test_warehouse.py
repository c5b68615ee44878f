"""The analyst side of the warehouse on a real run: search, duplicates, quality checks, views, BI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from flows.ingest import ingest
from tasks.quality import check_files, run_checks
from tasks.records import ARTICLES_SCHEMA
from tasks.search import load_fts, search_articles
from tasks.warehouse import SQL_DIR
from tests.conftest import DATA, ROOT, SEED
from tests.integration.local_web import LocalSite, Reply, article_page

NEWSROOM = [sys.executable, "-m", "flows.cli"]
UPDATE = "\n\nUpdate: the Pentagon later said no decision on trainers had been taken.\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, prefect_server) -> Path:
    """A warehouse after two runs over the test pages plus a copy, an updated version and a reject."""
    root = tmp_path_factory.mktemp("corpus")
    inputs = root / "inputs"
    inputs.mkdir()
    seed = SEED.read_text(encoding="utf-8")
    (inputs / "seed.txt").write_text(seed, encoding="utf-8")
    (inputs / "seed_copy.txt").write_text(seed.replace("\n\n", "\n\n\n"), encoding="utf-8")  # same text, other bytes
    shutil.copy(DATA / "harbour_article.html", inputs)
    (inputs / "empty.html").write_bytes(b"")
    warehouse = root / "warehouse"
    for _ in range(2):
        state = ingest(sources=[str(inputs)], warehouse=str(warehouse), return_state=True)
        assert state.is_completed() and state.result().status == "completed"
        # second run: an updated version of the story and a German page arrive
        (inputs / "seed_updated.txt").write_text(seed + UPDATE, encoding="utf-8")
        shutil.copy(DATA / "wahl_artikel.html", inputs)
    return warehouse


def published(corpus: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(corpus / "published" / "news.duckdb"), read_only=True)


def newsroom(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")} | {"COLUMNS": "200"}
    return subprocess.run([*NEWSROOM, *args], input=stdin, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_search_ranks_the_matching_article_first_with_a_snippet(corpus):
    result = newsroom("search", "nato trainers", "--warehouse", str(corpus))
    assert result.returncode == 0, result.stderr
    first = result.stdout.split("\n2. ")[0]
    assert first.startswith("1. NATO is One Step Away") and "**NATO**" in first
    assert "Port of" not in result.stdout  # the harbour story does not mention them
    with published(corpus) as con:
        hits = search_articles(con, "harbour night shifts")
    assert hits[0].title.startswith("Port of") and "**night** **shifts**" in hits[0].snippet.lower()
    assert all(a.score >= b.score for a, b in pairwise(hits))


def test_search_index_follows_each_load(corpus):
    # the German page arrived with the second run; the index built then finds it
    with published(corpus) as con:
        [hit] = search_articles(con, "Fährverbindung")
    assert hit.title == "Stadtrat beschließt neue Fährverbindung" or "Fährverbindung" in hit.snippet


def test_duplicates_are_clustered_and_one_version_is_kept(corpus):
    with published(corpus) as con:
        clusters = con.execute(
            "select a.source, c.kind, c.similarity, c.cluster_id from duplicate_clusters c join articles a using (article_id) order by 1"
        ).fetchall()
        [(total,)] = con.execute("select count(*) from articles").fetchall()
        kept = con.execute("select source from articles_deduplicated where title like 'NATO%'").fetchall()
        [(deduplicated,)] = con.execute("select count(*) from articles_deduplicated").fetchall()
    names = {Path(source).name: (kind, similarity) for source, kind, similarity, _ in clusters}
    assert set(names) == {"seed.txt", "seed_copy.txt", "seed_updated.txt"}
    assert len({cluster for *_, cluster in clusters}) == 1
    assert sorted(kind for kind, _ in names.values()) == ["exact", "exact", "near"]
    assert 0.8 <= names["seed_updated.txt"][1] < 1.0
    assert total == 5 and deduplicated == 3
    assert [Path(s).name for (s,) in kept] == ["seed_updated.txt"]  # the latest version wins


@pytest.mark.parametrize("check", [p.stem for p in check_files()])
def test_every_check_passes_on_a_real_warehouse(corpus, check):
    with published(corpus) as con:
        assert run_checks(con)[check] == []


BROKEN = {
    "articles_without_text": "insert into articles select * replace ('' as text, 0 as word_count, 'x' as article_id, 'x' as source) from articles limit 1",
    "articles_future_published": "update articles set published_at = current_timestamp::timestamp + interval 30 day where title like 'Port%'",
    "articles_duplicate_ids": "insert into articles select * replace ('elsewhere' as source) from articles limit 1",
    "articles_duplicate_sources": "insert into articles select * replace ('other-id' as article_id) from articles limit 1",
    "articles_orphan_runs": "update articles set run_id = 'no-such-run' where title like 'Port%'",
    "rejects_orphan_runs": "update rejects set run_id = 'no-such-run'",
    "runs_unbalanced": "update runs set loaded = loaded + 1",
    "duplicate_clusters_orphans": "insert into duplicate_clusters values ('gone', 'gone', 1.0, 'exact')",
    "entities_offsets": "update entities set start_char = start_char + 1 where label = 'GPE'",
    "quotes_offsets": "update quotes set end_char = 10000000",
    "quotes_speaker_entities": "update quotes set speaker_entity_name = 'Nobody At All' where speaker_entity_name is not null",
    "citations_offsets": "update citations set start_char = -5",
    "child_rows_orphaned": "insert into entities select * replace ('gone' as article_id) from entities limit 1",
    "links_not_absolute": "insert into links select 'x', '/relative', 'anchor', false, run_id, extractor_version from runs limit 1",
    "quotes_without_speaker": "update quotes set speaker = ' ' where speaker = 'Emmanuel Macron'",
    "fetches_orphan_runs": "insert into fetches (run_id, url, purpose, attempt, fetched_at, elapsed_ms, outcome) "
    "values ('no-such-run', 'https://example.org/a', 'page', 1, current_timestamp::timestamp, 5, 'fetched')",
    "fetches_unknown_values": "insert into fetches (run_id, url, purpose, attempt, fetched_at, elapsed_ms, outcome) "
    "select run_id, 'https://example.org/a', 'page', 1, started_at, 5, 'lost' from runs limit 1",
}


def test_every_check_has_a_broken_row_it_catches():
    assert sorted(BROKEN) == sorted(p.stem for p in check_files())


@pytest.mark.parametrize("check", sorted(BROKEN))
def test_a_broken_row_is_caught(corpus, tmp_path, check):
    database = tmp_path / "broken.duckdb"
    shutil.copy(corpus / "news.duckdb", database)
    with duckdb.connect(str(database)) as con:
        con.execute(BROKEN[check])
        failures = {name: len(rows) for name, rows in run_checks(con).items() if rows}
    assert check in failures


def test_run_metrics_record_quality_per_run(corpus):
    with published(corpus) as con:
        runs = [r for (r,) in con.execute("select run_id from runs order by started_at").fetchall()]
        metrics = {
            (m, s): v
            for m, s, v in con.execute(
                "select metric, subject, value from run_metrics where run_id = $r", {"r": runs[0]}
            ).fetchall()
        }
        [(measured,)] = con.execute("select count(distinct run_id) from run_metrics").fetchall()
        latest = dict(
            con.execute("select subject, value from run_metrics where metric = 'rows' and run_id = $r", {"r": runs[-1]}).fetchall()
        )
        tables = ("entities", "quotes", "citations", "links", "fetches")
        totals = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}  # noqa: S608 - fixed names
        first_run = {t: con.execute(f"select count(*) from {t} where run_id = $r", {"r": runs[0]}).fetchone()[0] for t in tables}  # noqa: S608
    assert measured == 2
    assert metrics[("run_rows", "articles")] == 3 and metrics[("run_rows", "rejects")] == 1
    assert {t: latest[t] for t in tables} == totals and {t: metrics[("run_rows", t)] for t in tables} == first_run
    assert first_run["quotes"] > 0 and first_run["entities"] > 0 and first_run["fetches"] == 0  # local files: no fetch
    assert metrics[("reject_rate", "empty")] == pytest.approx(1 / 4)
    assert {s for m, s in metrics if m == "null_rate"} == {f"articles.{c}" for c in ARTICLES_SCHEMA.names}
    assert metrics[("null_rate", "articles.text")] == 0
    assert metrics[("null_rate", "articles.url")] == pytest.approx(2 / 3)  # only the HTML page has one
    assert metrics[("null_rate", "articles.authors")] == pytest.approx(2 / 3)  # the text files have no byline
    assert {s for m, s in metrics if m == "check_failures"} == {p.stem for p in check_files()}
    assert sum(v for (m, _), v in metrics.items() if m == "check_failures") == 0


@pytest.mark.parametrize("view", [p.stem for p in sorted((SQL_DIR / "views").glob("*.sql"))])
def test_every_view_is_documented_and_answers(corpus, view):
    text = (SQL_DIR / "views" / f"{view}.sql").read_text(encoding="utf-8")
    assert text.startswith(f"-- {view}: ")
    assert re.search(rf"create or replace view {view} as", text)
    with published(corpus) as con:
        assert con.execute(f"select count(*) from {view}").fetchone()[0] > 0  # noqa: S608 - names from sql/views


def readme_queries() -> list[tuple[str, str]]:
    """The (question, SQL) pairs of the README's "Ask the warehouse" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Ask the warehouse\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\d+\. \*\*(.+?)\*\*\n+```sql\n(.*?)```", section, flags=re.DOTALL | re.MULTILINE)


def test_readme_has_at_least_ten_questions():
    assert len(readme_queries()) >= 10


@pytest.mark.parametrize("question,query", readme_queries(), ids=[q for q, _ in readme_queries()])
def test_readme_question_is_answered(corpus, question, query):
    with published(corpus) as con:
        load_fts(con)
        rows = con.execute(query).fetchall()
    assert rows, question


def test_sql_writes_parquet(corpus, tmp_path):
    target = tmp_path / "out" / "overview.parquet"
    result = newsroom("sql", "select article_id, title, copies from article_overview order by 1", "--format", "parquet", "--output", str(target), "--warehouse", str(corpus))
    assert result.returncode == 0, result.stderr
    table = pq.read_table(target)
    assert table.num_rows == 5 and table.column_names == ["article_id", "title", "copies"]


def test_shell_opens_the_published_warehouse_with_search(corpus):
    result = newsroom(
        "shell", "--warehouse", str(corpus),
        stdin="select count(*) as n from articles_deduplicated;\n"
        "select count(*) as hits from articles where fts_main_articles.match_bm25(article_id, 'harbour') is not null;\n",
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"│\s+3\s+│", result.stdout) and re.search(r"│\s+1\s+│", result.stdout)
    # read-only: the shell cannot change the published snapshot
    result = newsroom("shell", "--warehouse", str(corpus), stdin="delete from articles;\n")
    assert "read-only" in (result.stdout + result.stderr)


def test_sqlalchemy_duckdb_engine_reads_the_published_warehouse(corpus):
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    # the connection string the README tells BI users to paste
    url = f"duckdb:///{corpus / 'published' / 'news.duckdb'}?access_mode=read_only"
    assert url.startswith("duckdb:////")
    engine = create_engine(url)
    with engine.connect() as con:
        with pytest.raises(DBAPIError, match="read-only"):
            con.execute(text("delete from articles"))
        con.rollback()
        rows = con.execute(text("select site, articles from source_health where articles > :n order by site"), {"n": 0}).fetchall()
    engine.dispose()
    assert ("The Coastal Ledger", 1) in [tuple(r) for r in rows]


def test_article_overview_counts_what_the_extractors_found(corpus):
    with published(corpus) as con:
        overview = {
            row[0]: row[1:]
            for row in con.execute("select article_id, language, input_kind, entities, quotes, citations, links from article_overview").fetchall()
        }
        found = {
            table: dict(con.execute(f"select article_id, count(*) from {table} group by all").fetchall())  # noqa: S608 - fixed names
            for table in ("entities", "quotes", "citations", "links")
        }
    assert len(overview) == 5
    for article_id, (language, input_kind, *counts) in overview.items():
        expected = [found[t].get(article_id, 0) for t in ("entities", "quotes", "citations")]
        # the English NER, quote and citation extractors do not run on the German page
        assert counts[:3] == (expected if language == "en" else [None, None, None])
        # links come from HTML markup; a text file has none to give
        assert counts[3] == (found["links"].get(article_id, 0) if input_kind == "html" else None)
    seed_counts = [c for (language, kind, *c) in overview.values() if kind == "text"]
    assert len(seed_counts) == 3 and all(e > 0 and q > 0 and c > 0 for e, q, c, _ in seed_counts)


def test_quotes_by_speaker_counts_each_story_once(corpus):
    with published(corpus) as con:
        view = {row[0]: row[1:] for row in con.execute("select * from quotes_by_speaker").fetchall()}
        rows = con.execute(
            "select q.speaker, q.article_id, q.quote, q.direct from quotes q join articles_deduplicated using (article_id)"
        ).fetchall()
        [(seed_copies,)] = con.execute("select count(distinct article_id) from quotes where speaker = 'Charles Q. Brown Jr.'").fetchall()
    expected = {}
    for speaker, article_id, quote, direct in rows:
        entry = expected.setdefault(speaker, {"quotes": 0, "direct": 0, "articles": set(), "said": set()})
        entry["quotes"] += 1
        entry["direct"] += direct
        entry["articles"].add(article_id)
        entry["said"].add(quote)
    assert set(view) == set(expected)
    for speaker, (label, quotes, direct, articles, _first, _last, example) in view.items():
        assert (quotes, direct, articles) == (expected[speaker]["quotes"], expected[speaker]["direct"], len(expected[speaker]["articles"]))
        assert example in expected[speaker]["said"]
    assert seed_copies == 3  # the seed story is in the warehouse three times ...
    label, quotes, direct, articles, *_ = view["Charles Q. Brown Jr."]
    assert (label, quotes, direct, articles) == ("PERSON", 3, 3, 1)  # ... and counts once


def test_entity_mentions_daily_dates_each_mention_once(corpus):
    with published(corpus) as con:
        days = con.execute("select day, dated_by, name, label, mentions, articles from entity_mentions_daily").fetchall()
        [(kept_mentions,)] = con.execute("select count(*) from entities join articles_deduplicated using (article_id)").fetchall()
        [(harbour_day,)] = con.execute("select cast(published_at as date) from articles where title like 'Port of%'").fetchall()
        [(seed_loaded, ukraine)] = con.execute(
            "select cast(any_value(a.ingested_at) as date), count(*) from articles_deduplicated a join entities e using (article_id) "
            "where a.title like 'NATO%' and e.name = 'Ukraine'"
        ).fetchall()
    assert sum(row[4] for row in days) == kept_mentions
    by_name = {(name, dated_by): (day, mentions, articles) for day, dated_by, name, _label, mentions, articles in days}
    # the harbour page is dated; the seed text file is not, so it counts on the day it was loaded
    assert by_name[("Tomasz Nowak", "published")][0] == harbour_day
    assert ukraine > 1 and by_name[("Ukraine", "ingested")] == (seed_loaded, ukraine, 1)


def test_citations_by_outlet_lists_the_cited_pieces(corpus):
    with published(corpus) as con:
        rows = con.execute("select outlet, citations, articles, sites, cited_titles from citations_by_outlet").fetchall()
        [(kept,)] = con.execute("select count(*) from citations join articles_deduplicated using (article_id)").fetchall()
    assert sum(r[1] for r in rows) == kept
    [nyt] = [r for r in rows if r[0] == "New York Times"]
    assert nyt[2:] == (1, 1, ["As Russia Advances, NATO Considers Sending Trainers Into Ukraine"])


def test_readme_ukraine_question_names_speakers_and_the_outlet_they_came_through(corpus):
    [query] = [sql for question, sql in readme_queries() if "quoted about Ukraine" in question]
    with published(corpus) as con:
        rows = con.execute(query).fetchall()
        quoted = {s for (s,) in con.execute(
            "select distinct q.speaker from quotes q join articles_deduplicated a using (article_id) where a.title like 'NATO%'"
        ).fetchall()}
    assert {speaker for speaker, *_ in rows} == quoted and {"Charles Q. Brown Jr.", "Emmanuel Macron"} <= quoted
    assert all(title.startswith("NATO") for *_, title, _published in rows)  # one copy of the story; no harbour news
    by_quote = {quote: (with_quote, article) for _speaker, quote, with_quote, article, *_ in rows}
    # "… to the New York Times: “Such development is ultimately inevitable”"
    assert by_quote["Such development is ultimately inevitable"] == (["New York Times"], ["New York Times"])


def test_source_health_counts_fetches_per_site(prefect_server, tmp_path, monkeypatch):
    for name, value in {"HOST_DELAY_SECONDS": "0.05", "RETRY_BACKOFF_SECONDS": "0.05", "FETCH_TIMEOUT_SECONDS": "3",
                        "CONNECT_TIMEOUT_SECONDS": "1"}.items():
        monkeypatch.setenv(f"NEWSROOM_{name}", value)
    dead = LocalSite("127.0.0.2").start()
    dead.stop()  # nothing listens there any more: its page is deferred
    warehouse = tmp_path / "warehouse"
    named = article_page(1).replace(b"<title>", b"<meta property='og:site_name' content='Loopback Ledger'><title>")
    with LocalSite("127.0.0.1") as site:
        items = "".join(f"<item><title>{p}</title><link>{site.url(p)}</link></item>" for p in ("/a", "/b", "/gone"))
        site.routes["/feed.xml"] = Reply(200, f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode(),
                                         {"Content-Type": "application/rss+xml"})
        site.routes["/a"] = Reply(200, named)
        site.routes["/b"] = Reply(200, article_page(2))  # declares no site name: its host's name is used
        state = ingest(sources=[dead.url("/story")], feeds=[site.url("/feed.xml")], warehouse=str(warehouse),
                       allow_private_networks=True, return_state=True)
    assert state.is_completed() and state.result().status == "completed"
    with published(warehouse) as con:
        health = {r[0]: r[1:] for r in con.execute(
            "select site, articles, rejected, top_reject_reason, fetched, failed, last_fetched from source_health"
        ).fetchall()}
        [(last_ok,)] = con.execute(
            "select max(fetched_at) from fetches where url like $u and outcome = 'fetched'", {"u": site.url("/%")}
        ).fetchall()
        outcomes = dict(con.execute("select url, outcome from fetches where purpose <> 'robots' and outcome <> 'retry'").fetchall())
    assert outcomes == {
        site.url("/feed.xml"): "fetched", site.url("/a"): "fetched", site.url("/b"): "fetched", site.url("/gone"): "rejected",
        dead.url("/story"): "deferred",  # its robots.txt cannot be fetched: the host's pages wait for the next run
    }
    # feed + two pages fetched, the 404 failed (and is the site's one reject)
    assert health["Loopback Ledger"] == (2, 1, "not_found", 3, 1, last_ok)
    assert health[f"127.0.0.2:{dead.port}"] == (0, 0, None, 0, 1, None)
    assert len(health) == 2
