"""Find article URLs in RSS/Atom feeds and XML sitemaps (pure: bytes in, entries out).

XML from the web is hostile input: it is parsed by lxml with entity resolution, DTD
loading and network access off and huge-tree support off, after a size check; documents that
declare entities are refused outright (billion laughs, XXE). Item counts are capped.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree

from tasks.records import Rejected

MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemaps protocol's own limit, uncompressed
MAX_ENTRIES = 50_000  # ditto, per sitemap; feeds never come close
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Entry:
    """One URL a feed or sitemap lists; `is_sitemap` for the children of a sitemap index."""

    url: str
    updated: datetime | None = None
    is_sitemap: bool = False


@dataclass(frozen=True)
class Discovery:
    """What a feed or sitemap document holds."""

    kind: str  # "feed", "sitemap" or "sitemap_index"
    entries: list[Entry]
    truncated: bool = False  # more than MAX_ENTRIES entries; the rest were ignored


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False, dtd_validation=False
    )


def _local(tag) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def sniff_document(data: bytes) -> str | None:
    """Name the kind of XML document in `data` ("feed", "sitemap", "sitemap_index") from its
    root element, without parsing it; None for anything else (an HTML page, say)."""
    if data[:2] == GZIP_MAGIC:
        return "sitemap"  # only sitemaps are served gzipped as files
    head = data[:2048].lstrip().lower()
    if not head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf", b"<urlset", b"<sitemapindex", b"\xef\xbb\xbf")):
        return None
    for marker, kind in ((b"<sitemapindex", "sitemap_index"), (b"<urlset", "sitemap"), (b"<rss", "feed"),
                         (b"<feed", "feed"), (b"<rdf:rdf", "feed")):
        if marker in head:
            return kind
    return None


def _gunzip(data: bytes) -> bytes:
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(data, MAX_XML_BYTES + 1)
    except zlib.error as exc:
        raise Rejected("discover", "corrupt_gzip", f"gzip sitemap is damaged: {exc}") from None
    if len(out) > MAX_XML_BYTES:
        raise Rejected("discover", "too_large", f"sitemap is larger than {MAX_XML_BYTES:,} bytes uncompressed")
    if not inflater.eof:
        raise Rejected("discover", "corrupt_gzip", "gzip sitemap is truncated")
    return out


def _parse_xml(data: bytes) -> etree._Element:
    if data[:2] == GZIP_MAGIC:
        data = _gunzip(data)
    if len(data) > MAX_XML_BYTES:
        raise Rejected("discover", "too_large", f"XML document is larger than {MAX_XML_BYTES:,} bytes")
    if not data.strip():
        raise Rejected("discover", "broken_feed", "the document is empty")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise Rejected("discover", "broken_feed", f"not well-formed XML: {exc}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise Rejected("discover", "xml_entities", "the document declares XML entities (refused: entity expansion/XXE)")
    return root


def parse_date(value: str | None) -> datetime | None:
    """A feed or sitemap date (RFC 822 or ISO 8601) as naive UTC, or None when unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _child_text(element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def _feed_entries(root, base_url: str) -> list[Entry]:
    entries = []
    for element in root.iter():
        name = _local(element.tag)
        if name not in ("item", "entry"):
            continue
        link = None
        for child in element:
            child_name = _local(child.tag)
            if child_name == "link":
                href = child.get("href")
                if href is not None:  # Atom: prefer rel="alternate" (the default)
                    if child.get("rel", "alternate") == "alternate" and link is None:
                        link = href.strip()
                elif child.text and child.text.strip() and link is None:
                    link = child.text.strip()
        if link is None:
            guid = next((c for c in element if _local(c.tag) == "guid"), None)
            if guid is not None and guid.get("isPermaLink", "true") == "true" and guid.text:
                link = guid.text.strip()
        if not link:
            continue
        # Atom's xml:base and relative links resolve against the item, then the feed URL.
        base = element.base or root.base or base_url
        url = urljoin(urljoin(base_url, base), link)
        updated = parse_date(_child_text(element, "updated", "published", "pubdate", "date", "modified"))
        entries.append(Entry(url, updated))
        if len(entries) > MAX_ENTRIES:
            break
    return entries


def _sitemap_entries(root, base_url: str, child_tag: str, is_sitemap: bool) -> list[Entry]:
    entries = []
    for element in root:
        if _local(element.tag) != child_tag:
            continue
        loc = _child_text(element, "loc")
        if not loc:
            continue
        entries.append(Entry(urljoin(base_url, loc), parse_date(_child_text(element, "lastmod")), is_sitemap))
        if len(entries) > MAX_ENTRIES:
            break
    return entries


def parse_discovery(data: bytes, base_url: str) -> Discovery:
    """Entries of a feed (RSS 0.9x/1.0/2.0, Atom) or sitemap/sitemap index, links made absolute.

    Raises Rejected (stage "discover") for broken, oversized, entity-declaring or unknown XML.
    """
    root = _parse_xml(data)
    name = _local(root.tag)
    if name in ("rss", "feed", "rdf"):
        kind, entries = "feed", _feed_entries(root, base_url)
    elif name == "urlset":
        kind, entries = "sitemap", _sitemap_entries(root, base_url, "url", False)
    elif name == "sitemapindex":
        kind, entries = "sitemap_index", _sitemap_entries(root, base_url, "sitemap", True)
    else:
        raise Rejected("discover", "not_a_feed", f"root element <{name}> is not a feed or sitemap")
    truncated = len(entries) > MAX_ENTRIES
    return Discovery(kind, entries[:MAX_ENTRIES], truncated)


def select_entries(entries: list[Entry], since: datetime | None, limit: int | None) -> list[Entry]:
    """Entries updated at or after `since` (undated entries are kept), at most `limit`,
    in document order (feeds list the newest first), without repeated URLs."""
    seen: set[str] = set()
    chosen = []
    for entry in entries:
        if entry.url in seen or (since is not None and entry.updated is not None and entry.updated < since):
            continue
        seen.add(entry.url)
        chosen.append(entry)
        if limit is not None and len(chosen) >= limit:
            break
    return chosen

