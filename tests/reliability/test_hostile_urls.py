"""Hostile URLs in URL lists and feeds, and a feed of 100,000 items, through the real flow.

(The URL rules themselves: tests/unit/test_netguard.py; SSRF, redirects, bombs, slow loris,
XXE and billion laughs in feeds: tests/integration/test_fetch.py and test_web_ingest.py.)
"""

from __future__ import annotations

import pytest

from tasks.netguard import BlockedAddress, check_url, redact_url
from tests.integration.local_web import LocalSite, Reply, article_page
from tests.integration.test_ingest import query
from tests.integration.test_web_ingest import run

pytestmark = pytest.mark.usefixtures("prefect_server")

HOSTILE = {
    "http://editor:hunter2@127.0.0.1/story": "bad_url",
    "file:///etc/passwd": "unsupported_scheme",
    "javascript:alert(document.cookie)": "unsupported_scheme",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==": "unsupported_scheme",
    "https://exаmple.org/news": "bad_url",  # Cyrillic а among Latin letters
    "https://xn--exmple-4nf.org/news": "bad_url",  # the same host, in punycode
    "https://xn--zz-bad-punycode.org/": "bad_url",
    "https://example.org/" + "a" * 5000: "bad_url",
}


@pytest.mark.parametrize(
    "url",
    ["https://пример.рф/news", "https://xn--e1afmkfd.xn--p1ai/news", "https://bücher.de/", "https://a-1.example.com/",
     "https://日本語ドメインabc.jp/", "https://ελληνικά.gr/"],
)
def test_single_script_international_hosts_are_allowed(url):
    assert check_url(url) == url


@pytest.mark.parametrize("url", ["https://pаypal.com/login", "https://gοogle.com/", "https://аpple.com.ru/"])
def test_homoglyph_hosts_are_refused_with_a_reason(url):
    with pytest.raises(BlockedAddress, match="letters \\(a homoglyph look-alike\\)"):
        check_url(url)


@pytest.mark.parametrize(
    "url,shown",
    [("http://u:p@h.org/x", "http://***@h.org/x"), ("https://token@h.org/", "https://***@h.org/"),
     ("https://h.org/a@b", "https://h.org/a@b"), ("file:///etc/passwd", "file:///etc/passwd")],
)
def test_credentials_are_redacted(url, shown):
    assert redact_url(url) == shown


def test_hostile_urls_in_lists_and_feeds_are_rejected_with_reasons(warehouse, tmp_path):
    with LocalSite("127.0.0.1") as site:
        items = "".join(f"<item><title>x</title><link><![CDATA[{url}]]></link></item>" for url in [*HOSTILE, site.url("/ok")])
        site.routes = {
            "/feed.xml": Reply(200, f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode(),
                               {"Content-Type": "application/rss+xml"}),
            "/ok": Reply(200, article_page(1)),
        }
        urls = tmp_path / "urls.txt"
        urls.write_text("\n".join(HOSTILE) + "\n")
        report = run(warehouse, url_files=[str(urls)], feeds=[site.url("/feed.xml")], allow_private_networks=True)
    assert report.counts.loaded == 1
    rejects = query(warehouse, "select source, reason, detail from rejects")
    reasons = {redact_url(url): reason for url, reason in HOSTILE.items()}
    # Each hostile URL is rejected once (the list and the feed name the same URL: one input).
    assert sorted((source, reason) for source, reason, _ in rejects) == sorted(reasons.items())
    details = {source: detail for source, _, detail in rejects}
    assert "homoglyph" in details["https://exаmple.org/news"]
    assert "hunter2" not in str(query(warehouse, "select * from fetches")) + str(rejects)


def test_a_feed_of_100k_items_is_cut_and_the_limit_applies(warehouse):
    with LocalSite("127.0.0.1") as site:
        items = "".join(f"<item><title>Story {n}</title><link>{site.url(f'/s/{n}')}</link></item>" for n in range(100_000))
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>huge</title>{items}</channel></rss>'.encode()
        site.routes = {"/feed.xml": Reply(200, body, {"Content-Type": "application/rss+xml"})}
        site.routes |= {f"/s/{n}": Reply(200, article_page(n)) for n in range(10)}
        report = run(warehouse, feeds=[site.url("/feed.xml")], limit=7, allow_private_networks=True)
        pages = [p for p in site.paths() if p.startswith("/s/")]
    assert len(body) > 8_000_000
    assert report.counts.loaded == 7 and len(pages) == 7
    assert query(warehouse, "select count(*) from articles")[0][0] == 7
