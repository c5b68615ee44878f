"""Feed and sitemap parsing: relative links, dates, filters, and hostile XML."""

from __future__ import annotations

import gzip
from datetime import datetime

import pytest

from tasks import discover
from tasks.discover import Entry, parse_date, parse_discovery, select_entries, sniff_document
from tasks.records import Rejected

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/section/">
  <title>Example</title>
  <entry><title>A</title><link rel="self" href="/api/a"/><link href="a.html"/><updated>2026-11-24T10:00:00+01:00</updated></entry>
  <entry xml:base="https://other.example/"><title>B</title><link href="b.html"/></entry>
</feed>"""


def test_atom_links_resolve_against_xml_base_and_prefer_alternate():
    discovery = parse_discovery(ATOM, "https://news.example/feed.atom")
    assert discovery.kind == "feed"
    assert discovery.entries == [
        Entry("https://news.example/section/a.html", datetime(2026, 11, 24, 9, 0)),
        Entry("https://other.example/b.html", None),
    ]


def test_rss_1_0_rdf_items_are_found():
    rdf = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <item rdf:about="https://x.example/1"><link>https://x.example/1</link><dc:date>2026-01-02</dc:date></item></rdf:RDF>"""
    assert parse_discovery(rdf, "https://x.example/rss").entries == [Entry("https://x.example/1", datetime(2026, 1, 2))]


def test_sitemap_and_gzip_sitemap_and_index():
    urlset = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://s.example/p</loc>
      <lastmod>2026-11-01</lastmod></url></urlset>"""
    for data in (urlset, gzip.compress(urlset)):
        assert parse_discovery(data, "https://s.example/sitemap.xml").entries == [Entry("https://s.example/p", datetime(2026, 11, 1))]
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc></sitemap></sitemapindex>"""
    discovery = parse_discovery(index, "https://s.example/index.xml")
    assert discovery.kind == "sitemap_index" and discovery.entries == [Entry("https://s.example/s1.xml", None, True)]


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "broken_feed"),
        (b"<rss><channel><item><link>x</link>", "broken_feed"),
        (b"<html><body>hello</body></html>", "not_a_feed"),
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
         b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rss><channel><item><link>&c;</link></item></channel></rss>',
         "xml_entities"),
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         b"<rss><channel><item><link>&x;</link></item></channel></rss>", "xml_entities"),
        (gzip.compress(b"<urlset>")[:-6], "corrupt_gzip"),
    ],
)
def test_hostile_or_broken_xml_is_rejected_with_a_reason(data, reason):
    with pytest.raises(Rejected) as caught:
        parse_discovery(data, "https://x.example/feed")
    assert caught.value.reason == reason and caught.value.stage == "discover"


def test_gzip_bomb_sitemap_is_refused():
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024) + b"</urlset>")
    with pytest.raises(Rejected) as caught:
        parse_discovery(bomb, "https://x.example/sitemap.xml.gz")
    assert caught.value.reason == "too_large"


def test_feed_with_many_items_is_capped(monkeypatch):
    monkeypatch.setattr(discover, "MAX_ENTRIES", 500)  # the real cap is 50,000; same code path, faster
    items = b"".join(b"<item><link>https://x.example/%d</link></item>" % n for n in range(510))
    discovery = parse_discovery(b"<rss><channel>" + items + b"</channel></rss>", "https://x.example/")
    assert discovery.truncated and len(discovery.entries) == 500


def test_select_entries_filters_by_date_keeps_undated_and_limits():
    entries = [Entry("a", datetime(2026, 11, 24)), Entry("b", datetime(2026, 1, 1)), Entry("c"), Entry("a"), Entry("d")]
    assert [e.url for e in select_entries(entries, datetime(2026, 6, 1), None)] == ["a", "c", "d"]
    assert [e.url for e in select_entries(entries, None, 2)] == ["a", "b"]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Tue, 24 Nov 2026 10:00:00 +0100", datetime(2026, 11, 24, 9)),
        ("2026-11-24T10:00:00Z", datetime(2026, 11, 24, 10)),
        ("2026-11-24", datetime(2026, 11, 24)),
        ("yesterday", None),
        ("", None),
        ("2026-02-30", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_sniff_document_names_feeds_and_sitemaps_only():
    assert sniff_document(b'<?xml version="1.0"?>\n<rss version="2.0">') == "feed"
    assert sniff_document(b"<feed xmlns='http://www.w3.org/2005/Atom'>") == "feed"
    assert sniff_document(b"<?xml version='1.0'?><sitemapindex>") == "sitemap_index"
    assert sniff_document(b"<!doctype html><html>") is None
