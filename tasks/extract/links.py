"""Links inside the article's main content, from the page's HTML (lxml).

trafilatura gives the main text but drops its links; a link counts as main content when
the block it sits in (paragraph, list item, cell, heading) is a paragraph of the cleaned
text. That keeps links in the body and leaves out navigation, teasers and footers.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError

from tasks.records import Link

_BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt", "figcaption", "pre"}
_SPACE_RE = re.compile(r"\s+")


def _fold(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_page(html: str):
    """The page's lxml tree, or None when there is no markup to parse.

    An XML declaration is dropped first: lxml refuses str input that declares an encoding,
    and the text is already decoded.
    """
    try:
        return lxml.html.fromstring(_XML_DECLARATION_RE.sub("", html, count=1))
    except (ParserError, ValueError):
        return None


def extract_links(html: str, text: str, base_url: str | None) -> list[Link]:
    """Every link of the main content: absolute href, anchor text, and whether it leaves the site."""
    root = parse_page(html)
    return [] if root is None else links_in(root, text, base_url)


def links_in(root, text: str, base_url: str | None) -> list[Link]:
    """`extract_links` on a page already parsed with `parse_page`."""
    body_text = _fold(text)
    base = root.xpath("string(//base/@href)") or base_url
    own_host = _host(base_url) if base_url else None
    links: list[Link] = []
    seen: set[tuple[str, str]] = set()
    in_body: dict = {}  # block -> whether it is a paragraph of the text (a block often holds many links)
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        block = anchor.getparent()
        while block is not None and block.tag not in _BLOCKS:
            block = block.getparent()
        if block is None:
            continue
        if block not in in_body:
            block_text = _fold(block.text_content())
            in_body[block] = len(block_text) >= 20 and block_text in body_text
        if not in_body[block]:
            continue
        absolute = urljoin(base, href) if base else href
        if urlsplit(absolute).scheme not in ("http", "https"):
            continue
        anchor_text = _fold(anchor.text_content())
        if (absolute, anchor_text) in seen:
            continue
        seen.add((absolute, anchor_text))
        external = None if own_host is None else _host(absolute) != own_host
        links.append(Link(absolute, anchor_text, external))
    return links
