"""The fetch stage against real HTTP servers on loopback addresses: limits, politeness, robots,
retries, discovery, SSRF refusal, and the raw WARC archive. No Prefect here (see test_web_ingest)."""

from __future__ import annotations

import gzip
import json
import time
from collections import defaultdict
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tasks.archive import RawArchive
from tasks.crawl import Crawler, Job, LogEntry
from tasks.read import InputReader
from tasks.settings import Settings
from tests.integration.local_web import LocalSite, Reply, article_page

FAST = {
    "host_delay_seconds": 0.05,
    "retry_backoff_seconds": 0.05,
    "fetch_timeout_seconds": 2.0,
    "connect_timeout_seconds": 1.0,
    "allow_private_networks": True,
}


@pytest.fixture
def site():
    with LocalSite("127.0.0.1") as server:
        yield server


def crawl(tmp_path: Path, jobs: list[Job], log: dict[str, LogEntry] | None = None, **overrides):
    settings = Settings(warehouse=tmp_path / "warehouse", **(FAST | overrides))
    archive_path = tmp_path / "warehouse" / "raw" / "test.warc.gz"
    with RawArchive(archive_path) as archive:
        crawler = Crawler(settings, archive, "test-run", lambda urls: {u: log[u] for u in urls if u in (log or {})},
                          since=overrides.get("since"), limit=overrides.get("limit"))
        result = crawler.run(jobs)
    assert result.inputs == len(jobs) or any(j.purpose != "page" for j in jobs)
    return result, archive_path


def reasons(result) -> dict[str, str]:
    return {source: rejected.reason for source, _, rejected in result.rejects}


def rows_for(result, url: str) -> list[dict]:
    return [row for row in result.fetch_rows if row["url"] == url]


def test_page_is_fetched_archived_and_readable_from_its_warc_record(tmp_path, site):
    site.routes["/story"] = Reply(200, article_page(1), {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'})
    result, warc = crawl(tmp_path, [Job(site.url("/story"), "auto")])
    [item] = result.items
    assert item.source == site.url("/story") and item.kind == "html"
    with InputReader(10_000_000) as reader:
        raw = reader.read(item)
    assert (raw.data, raw.charset, raw.url) == (article_page(1), "utf-8", site.url("/story"))
    [row] = rows_for(result, site.url("/story"))
    assert (row["status"], row["outcome"], row["etag"], row["bytes"]) == (200, "fetched", '"v1"', len(article_page(1)))
    assert row["warc_file"] == "raw/test.warc.gz" and row["warc_offset"] == item.record_offset
    with open(warc, "rb") as handle:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                   for r in ArchiveIterator(handle)]
    types = [(kind, uri) for kind, uri, _ in records]
    assert ("request", site.url("/robots.txt")) in types and ("response", site.url("/story")) in types
    metadata = [json.loads(body) for kind, uri, body in records if kind == "metadata" and uri == site.url("/story")]
    assert metadata == [{"attempt": 1, "detail": None, "outcome": "fetched", "purpose": "auto", "reason": None,
                         "run_id": "test-run", "url": site.url("/story")}]
    user_agent = site.requests[-1].headers["user-agent"]
    assert user_agent.startswith("newsroom/") and "https://" in user_agent


def test_redirects_are_followed_and_loops_and_long_chains_rejected(tmp_path, site):
    site.routes["/story"] = Reply(200, article_page(1))
    site.routes["/old"] = Reply(301, b"", {"Location": "/story"})
    site.routes["/loop-a"] = Reply(302, b"", {"Location": "/loop-b"})
    site.routes["/loop-b"] = Reply(302, b"", {"Location": "/loop-a"})
    for n in range(7):
        site.routes[f"/hop{n}"] = Reply(307, b"", {"Location": f"/hop{n + 1}"})
    site.routes["/hop7"] = Reply(200, article_page(2))
    site.routes["/ftp"] = Reply(302, b"", {"Location": "ftp://127.0.0.1/file"})
    urls = [site.url(p) for p in ("/old", "/loop-a", "/hop0", "/ftp")]
    result, _ = crawl(tmp_path, [Job(u, "auto") for u in urls])
    [item] = result.items
    assert item.source == site.url("/old") and item.url == site.url("/story")
    assert rows_for(result, site.url("/old"))[0]["final_url"] == site.url("/story")
    assert reasons(result) == {
        site.url("/loop-a"): "redirect_loop",
        site.url("/hop0"): "too_many_redirects",
        site.url("/ftp"): "unsupported_scheme",
    }
    assert "/hop6" not in site.paths()  # five redirects followed, the sixth refused
    loop_row = rows_for(result, site.url("/loop-a"))[0]
    assert (loop_row["status"], loop_row["final_url"], loop_row["reason"]) == (302, site.url("/loop-b"), "redirect_loop")


def test_not_modified_page_is_skipped_and_keeps_its_validators(tmp_path, site):
    def conditional(seen):
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304, b"", {})
        return Reply(200, article_page(1), {"Content-Type": "text/html", "ETag": '"v1"'})

    site.routes["/story"] = conditional
    url = site.url("/story")
    log = {url: LogEntry("fetched", datetime_now(), '"v1"', "Tue, 24 Nov 2026 10:00:00 GMT", 0)}
    result, _ = crawl(tmp_path, [Job(url, "auto")], log)
    assert result.items == [] and dict(result.skipped) == {"unchanged": 1}
    [row] = rows_for(result, url)
    assert (row["status"], row["outcome"], row["etag"], row["last_modified"]) == (
        304, "not_modified", '"v1"', "Tue, 24 Nov 2026 10:00:00 GMT")
    assert site.requests[-1].headers["if-modified-since"] == "Tue, 24 Nov 2026 10:00:00 GMT"


def datetime_now():
    from tasks.fetch import utc_now

    return utc_now()


def test_429_waits_for_retry_after_and_500_is_retried_until_success(tmp_path, site):
    answers = {"/busy": [Reply(429, b"slow down", {"Retry-After": "1"})], "/flaky": [Reply(500, b"oops"), Reply(502, b"")]}

    def scripted(seen):
        queue = answers[seen.path]
        return queue.pop(0) if queue else Reply(200, article_page(len(seen.path)))

    site.routes["/busy"] = scripted
    site.routes["/flaky"] = scripted
    result, _ = crawl(tmp_path, [Job(site.url("/busy"), "auto"), Job(site.url("/flaky"), "auto")])
    assert sorted(i.source for i in result.items) == [site.url("/busy"), site.url("/flaky")]
    busy = [s.at for s in site.requests if s.path == "/busy"]
    assert len(busy) == 2 and busy[1] - busy[0] >= 0.95
    assert [r["outcome"] for r in rows_for(result, site.url("/flaky"))] == ["retry", "retry", "fetched"]
    assert [r["status"] for r in rows_for(result, site.url("/flaky"))] == [500, 502, 200]


def test_persistent_5xx_is_deferred_and_404_410_rejected_without_retry(tmp_path, site):
    site.routes["/down"] = Reply(503, b"maintenance")
    site.routes["/gone"] = Reply(410, b"gone")
    result, _ = crawl(tmp_path, [Job(site.url(p), "auto") for p in ("/down", "/gone", "/nothing")])
    assert result.deferred == 1
    assert reasons(result) == {site.url("/gone"): "gone", site.url("/nothing"): "not_found"}
    assert site.paths().count("/down") == 3 and site.paths().count("/gone") == 1
    assert rows_for(result, site.url("/down"))[-1]["outcome"] == "deferred"


def test_slow_loris_is_cut_at_the_total_fetch_time(tmp_path, site):
    site.routes["/trickle"] = Reply(200, b"<html><body>" + b"x" * 5000, trickle_seconds=0.02)
    started = time.monotonic()
    result, _ = crawl(tmp_path, [Job(site.url("/trickle"), "auto")], fetch_timeout_seconds=0.5)
    assert time.monotonic() - started < 2.0
    assert reasons(result) == {site.url("/trickle"): "too_slow"}
    assert site.paths().count("/trickle") == 1  # not retried: it would only trickle again


def test_oversize_bodies_and_compression_bombs_are_rejected(tmp_path, site):
    big = b"<html><body>" + b"a" * (2 * 1024 * 1024)
    site.routes["/big"] = Reply(200, big)
    bomb = gzip.compress(b"<html><body>" + b"\0" * (30 * 1024 * 1024), compresslevel=9)
    site.routes["/bomb"] = Reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    site.routes["/zipped"] = Reply(200, gzip.compress(article_page(3)), {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    jobs = [Job(site.url(p), "auto") for p in ("/big", "/bomb", "/zipped")]
    result, _ = crawl(tmp_path, jobs, max_wire_bytes=1024 * 1024)
    assert reasons(result) == {site.url("/big"): "too_large", site.url("/bomb"): "too_large"}
    [rejected_bomb] = [r for s, _, r in result.rejects if s == site.url("/bomb")]
    assert "compression bomb" in rejected_bomb.detail
    [item] = result.items
    with InputReader(20 * 1024 * 1024) as reader:
        assert reader.read(item).data == article_page(3)  # stored compressed, read back decoded
    assert rows_for(result, site.url("/zipped"))[0]["bytes"] < len(article_page(3))


def test_wrong_content_types_are_rejected_with_the_type(tmp_path, site):
    site.routes["/image"] = Reply(200, b"\x89PNG\r\n\x1a\n....", {"Content-Type": "image/png"})
    site.routes["/json"] = Reply(200, b'{"a": 1}', {"Content-Type": "application/json"})
    result, _ = crawl(tmp_path, [Job(site.url("/image"), "auto"), Job(site.url("/json"), "page")])
    assert reasons(result) == {site.url("/image"): "unsupported_type", site.url("/json"): "unsupported_type"}
    assert "image/png" in next(r.detail for s, _, r in result.rejects if s == site.url("/image"))


def test_robots_disallow_is_honoured_and_the_page_never_requested(tmp_path, site):
    site.routes["/robots.txt"] = Reply(200, b"User-agent: newsroom\nDisallow: /private/\n", {"Content-Type": "text/plain"})
    site.routes["/private/story"] = Reply(200, article_page(1))
    site.routes["/public/story"] = Reply(200, article_page(2))
    result, _ = crawl(tmp_path, [Job(site.url("/private/story"), "auto"), Job(site.url("/public/story"), "auto")])
    assert reasons(result) == {site.url("/private/story"): "robots_disallowed"}
    assert "/private/story" not in site.paths() and "/public/story" in site.paths()
    assert site.paths()[0] == "/robots.txt"


def test_crawl_delay_from_robots_is_respected(tmp_path, site):
    site.routes["/robots.txt"] = Reply(200, b"User-agent: *\nCrawl-delay: 0.3\n", {"Content-Type": "text/plain"})
    for n in range(3):
        site.routes[f"/s{n}"] = Reply(200, article_page(n))
    crawl(tmp_path, [Job(site.url(f"/s{n}"), "auto") for n in range(3)])
    times = [s.at for s in site.requests]
    assert len(times) == 4 and min(b - a for a, b in zip(times, times[1:])) >= 0.29


def test_one_request_per_host_at_a_time_with_delay_while_hosts_run_in_parallel(tmp_path):
    sites = [LocalSite(f"127.0.0.{n}").start() for n in (2, 3, 4)]
    try:
        for s in sites:
            for n in range(4):
                s.routes[f"/p{n}"] = Reply(200, article_page(n))
        jobs = [Job(s.url(f"/p{n}"), "auto") for n in range(4) for s in sites]
        started = time.monotonic()
        result, _ = crawl(tmp_path, jobs, host_delay_seconds=0.2)
        elapsed = time.monotonic() - started
    finally:
        for s in sites:
            s.stop()
    assert len(result.items) == 12
    for s in sites:
        times = [seen.at for seen in s.requests]
        assert min(b - a for a, b in zip(times, times[1:])) >= 0.19
    # Sequentially, 3 hosts x 5 requests x 0.2 s would take 3 s; in parallel about 1 s.
    assert elapsed < 2.0
    by_host = defaultdict(list)
    for row in result.fetch_rows:
        by_host[row["url"].split("/")[2]].append(row["fetched_at"])
    for stamps in by_host.values():
        stamps.sort()
        assert min((b - a).total_seconds() for a, b in zip(stamps, stamps[1:])) >= 0.19


FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour news</title>
<item><title>One</title><link>/news/one</link><pubDate>Tue, 24 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>Two</title><link>news/two</link><pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>Three</title><guid isPermaLink="true">/news/three</guid><pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate></item>
</channel></rss>"""


def _serve_feed(site):
    site.routes["/feeds/main.xml"] = Reply(200, FEED, {"Content-Type": "application/rss+xml"})
    for n, name in enumerate(("one", "two", "three")):
        site.routes[f"/news/{name}"] = Reply(200, article_page(n))
    site.routes["/feeds/news/two"] = Reply(200, article_page(1))


def test_feed_with_relative_links_is_discovered_and_auto_detected(tmp_path, site):
    _serve_feed(site)
    result, _ = crawl(tmp_path, [Job(site.url("/feeds/main.xml"), "auto")])  # auto: detected from the content
    assert sorted(i.source for i in result.items) == sorted(
        [site.url("/news/one"), site.url("/feeds/news/two"), site.url("/news/three")])
    assert result.inputs == 3  # the feed itself became its three entries
    feed_row = rows_for(result, site.url("/feeds/main.xml"))[0]
    assert (feed_row["outcome"], feed_row["reason"]) == ("fetched", "feed")


def test_feed_since_and_limit_filter_entries(tmp_path, site):
    _serve_feed(site)
    from datetime import datetime

    result, _ = crawl(tmp_path, [Job(site.url("/feeds/main.xml"), "feed")], since=datetime(2026, 11, 22))
    assert sorted(i.source for i in result.items) == [site.url("/feeds/news/two"), site.url("/news/one")]
    result, _ = crawl(tmp_path / "second", [Job(site.url("/feeds/main.xml"), "feed")], limit=1)
    assert [i.source for i in result.items] == [site.url("/news/one")]


def test_broken_and_hostile_feeds_are_rejected_with_a_reason(tmp_path, site):
    site.routes["/broken.xml"] = Reply(200, FEED[:150], {"Content-Type": "application/rss+xml"})
    laughs = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss><channel><item><link>&b;</link></item></channel></rss>"""
    site.routes["/laughs.xml"] = Reply(200, laughs, {"Content-Type": "application/rss+xml"})
    site.routes["/page.html"] = Reply(200, article_page(1))
    jobs = [Job(site.url("/broken.xml"), "feed"), Job(site.url("/laughs.xml"), "feed"), Job(site.url("/page.html"), "feed")]
    result, _ = crawl(tmp_path, jobs)
    assert reasons(result) == {
        site.url("/broken.xml"): "broken_feed",
        site.url("/laughs.xml"): "xml_entities",
        site.url("/page.html"): "broken_feed",
    }


def test_sitemap_index_with_gzip_sitemap_is_followed(tmp_path, site):
    index = f"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{site.url('/sitemap-a.xml')}</loc></sitemap><sitemap><loc>/sitemap-b.xml.gz</loc></sitemap>
</sitemapindex>""".encode()
    part_a = f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{site.url('/a1')}</loc><lastmod>2026-11-20</lastmod></url><url><loc>{site.url('/a2')}</loc></url></urlset>""".encode()
    part_b = gzip.compress(f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{site.url('/b1')}</loc></url></urlset>""".encode())
    site.routes["/sitemap.xml"] = Reply(200, index, {"Content-Type": "application/xml"})
    site.routes["/sitemap-a.xml"] = Reply(200, part_a, {"Content-Type": "application/xml"})
    site.routes["/sitemap-b.xml.gz"] = Reply(200, part_b, {"Content-Type": "application/x-gzip"})
    for name in ("a1", "a2", "b1"):
        site.routes[f"/{name}"] = Reply(200, article_page(len(name) + ord(name[0])))
    result, _ = crawl(tmp_path, [Job(site.url("/sitemap.xml"), "sitemap")])
    assert sorted(i.source for i in result.items) == [site.url("/a1"), site.url("/a2"), site.url("/b1")]
    assert result.rejects == [] and result.inputs == 3


def test_private_addresses_are_refused_unless_allowed(tmp_path, site):
    site.routes["/story"] = Reply(200, article_page(1))
    url_by_name = site.url("/story").replace("127.0.0.1", "localhost")
    jobs = [Job(site.url("/story"), "auto"), Job(url_by_name, "auto"), Job("http://169.254.169.254/latest/meta-data/", "auto")]
    result, _ = crawl(tmp_path, jobs, allow_private_networks=False)
    assert set(reasons(result).values()) == {"private_address"} and len(result.rejects) == 3
    assert site.requests == []  # not even robots.txt: refused before connecting
    assert "169.254.169.254" in next(r.detail for s, _, r in result.rejects if "169.254" in s)


def test_dead_host_defers_its_remaining_pages_quickly(tmp_path, site):
    dead = LocalSite("127.0.0.5").start()
    port = dead.port
    dead.stop()
    jobs = [Job(f"http://127.0.0.5:{port}/p{n}", "page") for n in range(10)]
    started = time.monotonic()
    result, _ = crawl(tmp_path, jobs)
    assert result.deferred == 10 and result.items == [] and result.rejects == []
    assert time.monotonic() - started < 3.0
    reasons_ = {r["reason"] for r in result.fetch_rows if r["outcome"] == "deferred"}
    assert reasons_ <= {"robots_unavailable", "host_down", "connection_failed"}


def test_redirect_targets_are_checked_against_their_own_robots_txt(tmp_path, site):
    other = LocalSite("127.0.0.6").start()
    try:
        other.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /closed\n", {"Content-Type": "text/plain"})
        other.routes["/closed"] = Reply(200, article_page(1))
        other.routes["/open"] = Reply(200, article_page(2))
        site.routes["/to-closed"] = Reply(302, b"", {"Location": other.url("/closed")})
        site.routes["/to-open"] = Reply(302, b"", {"Location": other.url("/open")})
        site.routes["/same-site"] = Reply(302, b"", {"Location": "/private/x"})
        site.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
        jobs = [Job(site.url(p), "auto") for p in ("/to-closed", "/to-open", "/same-site")]
        result, _ = crawl(tmp_path, jobs)
    finally:
        other.stop()
    assert reasons(result) == {site.url("/to-closed"): "robots_disallowed", site.url("/same-site"): "robots_disallowed"}
    assert [i.url for i in result.items] == [other.url("/open")]
    assert other.paths().count("/robots.txt") == 1 and "/closed" not in other.paths()
    assert "/private/x" not in site.paths()


def test_long_retry_after_defers_at_once_and_repeated_deferral_gives_up(tmp_path, site):
    site.routes["/later"] = Reply(429, b"", {"Retry-After": "3600"})
    site.routes["/never"] = Reply(503, b"")
    never = site.url("/never")
    log = {never: LogEntry("deferred", datetime_now(), None, None, 4)}  # deferred by four earlier runs
    result, _ = crawl(tmp_path, [Job(site.url("/later"), "auto"), Job(never, "auto")], log, max_deferrals=5)
    assert site.paths().count("/later") == 1 and result.deferred == 1
    assert "/never" not in site.paths()  # the host asked for an hour's rest: not asked again this run
    assert reasons(result) == {never: "unreachable"}
    assert "deferred in 5 runs" in result.rejects[0][2].detail


def slow_page(seen):
    time.sleep(0.3)
    return Reply(200, article_page(len(seen.path)))


def test_entries_of_one_feed_on_many_hosts_are_fetched_in_parallel(tmp_path, site):
    hosts = [LocalSite(f"127.0.0.{n}").start() for n in (7, 8, 9, 10)]
    try:
        items = ""
        for h in hosts:
            for n in range(3):
                h.routes[f"/p{n}"] = slow_page
                items += f"<item><link>{h.url(f'/p{n}')}</link></item>"
        site.routes["/feed"] = Reply(200, f"<rss><channel>{items}</channel></rss>".encode(), {"Content-Type": "application/rss+xml"})
        started = time.monotonic()
        result, _ = crawl(tmp_path, [Job(site.url("/feed"), "feed")])
        elapsed = time.monotonic() - started
    finally:
        for h in hosts:
            h.stop()
    assert len(result.items) == 12
    # Each page takes the server 0.3 s: one at a time, 12 pages would take 3.6 s.
    assert elapsed < 2.5
