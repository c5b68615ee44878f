"""The `ingest` flow over the web: real Prefect, real DuckDB, real HTTP servers on loopback."""

from __future__ import annotations

import json
import threading

import duckdb
import pytest

from flows.ingest import ingest
from flows.reprocess import reprocess
from tests.integration.local_web import LocalSite, Reply, article_page, with_etag

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture(autouse=True)
def fast_polite_settings(monkeypatch):
    for name, value in {
        "HOST_DELAY_SECONDS": "0.05",
        "RETRY_BACKOFF_SECONDS": "0.05",
        "FETCH_TIMEOUT_SECONDS": "3",
        "CONNECT_TIMEOUT_SECONDS": "1",
    }.items():
        monkeypatch.setenv(f"NEWSROOM_{name}", value)


def run(warehouse, **kwargs):
    state = ingest(warehouse=str(warehouse), return_state=True, **({"sources": []} | kwargs))
    assert state.is_completed(), state.message
    report = state.result()
    assert report.counts.balanced()
    return report


def query(warehouse, sql, params=None):
    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def feed_of(site, names):
    items = "".join(f"<item><title>{n}</title><link>/news/{n}</link></item>" for n in names)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_feed_run_loads_articles_with_their_urls_and_rerun_changes_nothing(warehouse):
    with LocalSite("127.0.0.1") as site:
        names = ["one", "two", "three"]
        site.routes["/feed.xml"] = with_etag(Reply(200, feed_of(site, names), {"Content-Type": "application/rss+xml"}), '"f1"')
        for n, name in enumerate(names):
            site.routes[f"/news/{name}"] = Reply(200, article_page(n), {"Content-Type": "text/html; charset=utf-8"})
        site.routes["/news/two"] = with_etag(Reply(200, article_page(1)), '"two"')
        first = run(warehouse, feeds=[site.url("/feed.xml")], allow_private_networks=True)
        assert (first.counts.inputs, first.counts.loaded) == (3, 3)
        rows = query(warehouse, "select source, title, input_kind from articles order by source")
        assert rows == [(site.url(f"/news/{n}"), f"Story {i}", "html") for i, n in sorted(enumerate(names), key=lambda x: x[1])]
        fetch_rows = query(warehouse, "select url, purpose, status, outcome, warc_file from fetches where purpose <> 'robots' order by url")
        assert {(r[1], r[2], r[3]) for r in fetch_rows} == {("feed", 200, "fetched"), ("page", 200, "fetched")}
        assert all((warehouse / r[4]).is_file() for r in fetch_rows)
        requests_before = len(site.requests)

        second = run(warehouse, feeds=[site.url("/feed.xml")], allow_private_networks=True)
        assert (second.counts.inputs, second.counts.loaded, second.counts.skipped) == (1, 0, 1)
        assert second.counts.skipped_by_reason == {"unchanged": 1}  # the feed answered 304
        later = site.requests[requests_before:]
        assert [s.path for s in later] == ["/robots.txt", "/feed.xml"]
        assert later[1].headers.get("if-none-match") == '"f1"'
        assert query(warehouse, "select count(*) from articles") == [(3,)]

        third = run(warehouse, sources=[site.url("/news/two")], allow_private_networks=True)
        assert third.counts.skipped_by_reason == {"unchanged": 1}
        assert site.requests[-1].headers.get("if-none-match") == '"two"'

    # Re-extraction reads the pages from the raw archive: no request (the server is gone anyway).
    state = reprocess(warehouse=str(warehouse), return_state=True)
    assert state.is_completed(), state.message
    again = state.result()
    assert (again.counts.inputs, again.counts.skipped_by_reason) == (3, {"unchanged": 3})


def test_server_dying_halfway_defers_the_rest_and_next_run_fetches_only_those(warehouse):
    names = [f"n{k}" for k in range(6)]
    site = LocalSite("127.0.0.1").start()
    port = site.port

    def serve_all(target):
        target.routes["/feed.xml"] = Reply(200, feed_of(target, names), {"Content-Type": "application/rss+xml"})
        for n, name in enumerate(names):
            target.routes[f"/news/{name}"] = Reply(200, article_page(n))

    serve_all(site)

    def die(seen):
        threading.Thread(target=site.stop).start()
        return Reply(200, article_page(99), {"Content-Type": "text/html", "Content-Length": "100000"})

    site.routes["/news/n3"] = die  # promises 100 kB, sends a little, and the server goes away
    try:
        first = run(warehouse, feeds=[site.url("/feed.xml")], allow_private_networks=True)
    finally:
        site.stop()
    assert (first.counts.inputs, first.counts.loaded, first.counts.deferred, first.counts.rejected) == (6, 3, 3, 0)
    assert query(warehouse, "select deferred from runs") == [(3,)]
    deferred = query(warehouse, "select url from fetches where outcome = 'deferred' order by url")
    assert [u for (u,) in deferred] == [site.url(f"/news/{n}") for n in names[3:]]

    revived = LocalSite("127.0.0.1", port).start()
    try:
        serve_all(revived)
        second = run(warehouse, feeds=[revived.url("/feed.xml")], allow_private_networks=True)
    finally:
        revived.stop()
    pages = sorted(p for p in revived.paths() if p.startswith("/news/"))
    assert pages == [f"/news/{n}" for n in names[3:]]  # only the deferred ones were fetched
    assert (second.counts.loaded, second.counts.deferred) == (3, 0)
    assert second.counts.skipped_by_reason == {"already_fetched": 3}
    assert query(warehouse, "select count(*), count(distinct source) from articles") == [(6, 6)]

    third = run(warehouse, sources=[])  # nothing deferred any more: nothing fetched
    assert third.counts.inputs == 0


def test_private_addresses_refused_by_default_with_a_reason(warehouse):
    with LocalSite("127.0.0.1") as site:
        site.routes["/story"] = Reply(200, article_page(1))
        report = run(warehouse, sources=[site.url("/story"), "file:///etc/passwd"])
        assert site.requests == []
    assert report.counts.rejected_by_reason == {"private_address": 1, "unsupported_scheme": 1}
    rows = query(warehouse, "select stage, reason from rejects order by reason")
    assert rows == [("fetch", "private_address"), ("fetch", "unsupported_scheme")]
    arguments = json.loads(query(warehouse, "select arguments from runs")[0][0])
    assert arguments["settings"]["allow_private_networks"] is False


def test_url_list_file_and_local_files_in_one_run(warehouse, inputs, tmp_path):
    with LocalSite("127.0.0.1") as site:
        site.routes["/a"] = Reply(200, article_page(11))
        site.routes["/b"] = Reply(200, b"%PDF-1.7 ...", {"Content-Type": "application/pdf"})
        # Header and meta both claim UTF-8; the bytes are windows-1252.
        words = "Bürgermeisterin Müller über Fähre und Straßenbahn für Köln"
        lying = article_page(12).replace(b"harbour council", words.encode("cp1252"))
        site.routes["/c"] = Reply(200, lying, {"Content-Type": "text/html; charset=utf-8"})
        listing = tmp_path / "urls.txt"
        listing.write_text(f"# news\n{site.url('/a')}\n\n{site.url('/b')}\n{site.url('/a')}\n{site.url('/c')}\n")
        report = run(warehouse, sources=[str(inputs)], url_files=[str(listing)], allow_private_networks=True)
    assert (report.counts.inputs, report.counts.loaded, report.counts.rejected) == (6, 5, 1)
    assert report.counts.rejected_by_reason == {"unsupported_type": 1}
    [(text,)] = query(warehouse, "select text from articles where source = $s", {"s": site.url("/c")})
    assert "Bürgermeisterin Müller über Fähre und Straßenbahn für Köln" in text and "\ufffd" not in text
