"""Property-based tests: the pure parsing and cleaning functions never raise on any input.

The only exception they may raise is Rejected (a reason for the `rejects` table).
"""

from __future__ import annotations

import gzip
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.clean import clean_page, detect_language, parse_published
from tasks.decode import decode_document
from tasks.records import Rejected
from tasks.warc import decode_http_body, iter_warc

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTROL = {chr(c) for c in range(32) if c not in (9, 10, 12, 13, 27)} | {"\x7f"}

html_fragments = st.lists(
    st.sampled_from(
        ["<html>", "<body>", "<p>", "</p>", "<div>", "</div>", "<script>", "</script>", "<!--", "-->",
         "<article>", "<h1>", "</h1>", "<meta charset='utf-8'>", "<meta charset='koi8-r'>", "&amp;", "&#0;",
         "<title>", "</title>", "<![CDATA[", "]]>", "<?xml version='1.0' encoding='latin-1'?>", "\x00", "\ufeff"]
    )
    | st.text(min_size=0, max_size=40),
    max_size=60,
).map("".join)


@FAST
@given(st.binary(max_size=4096))
def test_decode_never_raises_and_strips_controls(data):
    try:
        text = decode_document(data)
    except Rejected as rejected:
        assert rejected.reason in {"empty", "binary", "undecodable"}
        return
    assert not CONTROL & set(text)
    text.encode("utf-8")  # always valid UTF-8 for Parquet and DuckDB


@FAST
@given(html_fragments, st.sampled_from(["utf-8", "cp1252", "utf-16", "koi8-r"]), st.sampled_from(["html", "text"]))
def test_clean_page_never_raises(markup, codec, kind):
    data = markup.encode(codec, errors="replace")
    try:
        page = clean_page(data, kind, url="https://example.org/a")
    except Rejected:
        return
    assert page.text and not CONTROL & set(page.text)
    assert page.published_at is None or datetime(1990, 1, 1) <= page.published_at


@FAST
@given(st.text(max_size=30))
def test_parse_published_never_raises(value):
    parsed = parse_published(value)
    assert parsed is None or parsed.year >= 1990


@FAST
@given(st.text(max_size=500), st.none() | st.text(max_size=5))
def test_detect_language_never_raises(text, declared):
    result = detect_language(text, declared)
    assert result is None or isinstance(result, str)


@FAST
@given(st.binary(max_size=2048), st.sampled_from([None, "chunked"]), st.sampled_from([None, "gzip", "deflate", "br", "zstd"]))
def test_http_body_decoding_never_raises(body, transfer, coding):
    try:
        decode_http_body(body, transfer, coding, 1 << 16)
    except Rejected as rejected:
        assert rejected.reason == "too_large"


@FAST
@given(st.binary(max_size=3000), st.booleans())
def test_warc_reader_never_raises_on_junk(tmp_path_factory, data, compress):
    path = tmp_path_factory.mktemp("warc") / "junk.warc"
    head = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 40\r\n\r\n"
    path.write_bytes(gzip.compress(head + data) if compress else head + data)
    try:
        for entry in iter_warc(path, 1 << 16):
            assert entry.payload is None or len(entry.payload) <= 1 << 16
    except Rejected as rejected:
        assert rejected.reason in {"corrupt_archive", "empty_archive"}
