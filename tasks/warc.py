"""Read WARC archives: one input per record, streamed, with damage reported, never hidden.

FastWARC is the reader (measured on 1,867 real pages, 354 MB of payload: 0.55 s against
1.31 s for warcio; it also reads files gzipped as one stream instead of per record, and
prints nothing). Records are addressed by their byte offset, so batches can re-read their
records with a seek. Files compressed as one gzip stream cannot be seeked: their records
are addressed by index and read by a forward scan.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator

from tasks.records import Rejected

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass
class WarcEntry:
    """One WARC record: where it is, what it is, and (for pages) its decoded payload."""

    index: int  # position in the file, from 0
    offset: int | None  # byte offset of the record; None when the file cannot be seeked
    record_type: str
    url: str | None
    date: datetime | None
    content_type: str | None = None
    charset: str | None = None
    status: int | None = None
    payload: bytes | None = None  # set for pages (HTML response/resource records)
    problem: Rejected | None = None  # why this record cannot be a page, if it cannot

    @property
    def is_page(self) -> bool:
        """True for a response or resource record that carries an HTML (or text) page."""
        return self.payload is not None or self.problem is not None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _dechunk(body: bytes) -> bytes:
    """Undo HTTP chunked transfer coding; raises ValueError on a malformed body."""
    out, pos = bytearray(), 0
    while True:
        end = body.index(b"\r\n", pos)
        size = int(body[pos:end].split(b";")[0].strip() or b"x", 16)
        if size == 0:
            return bytes(out)
        start = end + 2
        if start + size > len(body):
            raise ValueError("chunk runs past the end of the body")
        out += body[start : start + size]
        pos = start + size + 2


def _decompress(body: bytes, coding: str, limit: int) -> bytes:
    if coding in ("gzip", "x-gzip", "deflate"):
        wbits = 47 if coding != "deflate" else zlib.MAX_WBITS
        inflater = zlib.decompressobj(wbits)
        try:
            data = inflater.decompress(body, limit + 1)
        except zlib.error:
            if coding != "deflate":
                raise
            data = zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, limit + 1)
    elif coding == "br":
        data = _unbrotli(body, limit)
    else:
        return body
    if len(data) > limit:
        raise Rejected("read", "too_large", f"the page is larger than {limit:,} bytes after {coding} decoding")
    return data


def _unbrotli(body: bytes, limit: int) -> bytes:
    import brotli

    inflater = brotli.Decompressor()
    try:
        data = inflater.process(body, output_buffer_limit=limit + 1)
    except brotli.error as exc:
        raise ValueError(str(exc)) from None
    return data


def decode_http_body(body: bytes, transfer_encoding: str | None, content_encoding: str | None, limit: int) -> bytes:
    """The page bytes of an HTTP body as archived: chunked and gzip/deflate/br undone.

    Crawlers differ in what they store (Common Crawl stores decoded bodies, wget raw ones),
    so a coding that does not fit the bytes is left as it is rather than failing the page.
    """
    if transfer_encoding and "chunked" in transfer_encoding.lower():
        try:
            body = _dechunk(body)
        except ValueError:
            pass  # body was stored already de-chunked (or the chunking is broken): keep raw
    coding = (content_encoding or "").strip().lower()
    if coding and coding != "identity":
        try:
            body = _decompress(body, coding, limit)
        except (zlib.error, OSError, gzip.BadGzipFile, ValueError):
            pass  # stored decoded already; decoding the page later shows whether it is text
    return body


def _is_page_type(content_type: str | None) -> bool:
    return content_type is None or content_type.split(";")[0].strip().lower() in HTML_TYPES


def _entry(record, index: int, offset: int | None, limit: int) -> WarcEntry:
    kind = str(record.record_type)  # "response", "request", "metadata", ...
    headers = record.headers
    entry = WarcEntry(
        index=index,
        offset=offset,
        record_type=kind,
        url=(headers.get("WARC-Target-URI") or "").strip("<> ") or None,
        date=_parse_date(headers.get("WARC-Date")),
    )
    if kind not in ("response", "resource"):
        record.reader.consume()
        return entry
    if kind == "response":
        if not record.is_http:
            record.reader.consume()
            entry.content_type = headers.get("Content-Type")
            return entry
        http = record.http_headers
        entry.status = http.status_code
        entry.content_type = http.get("Content-Type")
        entry.charset = record.http_charset
    else:
        entry.content_type = headers.get("Content-Type")
    if not _is_page_type(entry.content_type) or (entry.status is not None and not 200 <= entry.status < 300):
        record.reader.consume()
        return entry
    # With the HTTP headers parsed, content_length is what remains of the block: the body.
    body = record.reader.read(limit + 1)
    if len(body) > limit:
        record.reader.consume()
        entry.problem = Rejected("read", "too_large", f"the record's page is larger than {limit:,} bytes")
        return entry
    if len(body) < record.content_length:
        entry.problem = Rejected(
            "read", "truncated_record", f"the record holds {len(body):,} of its {record.content_length:,} bytes"
        )
        return entry
    http = record.http_headers if kind == "response" else None
    entry.payload = decode_http_body(
        body,
        http.get("Transfer-Encoding") if http else None,
        http.get("Content-Encoding") if http else None,
        limit,
    )
    return entry


def iter_warc(path: str | Path, limit: int) -> Iterator[WarcEntry]:
    """Every record of a WARC file, in order; pages come with their decoded payload.

    Raises Rejected("read", "corrupt_archive") when the file stops being a WARC, after the
    records before the damage were yielded. A file with no record at all is rejected too.
    """
    index, offsets, pending = 0, [], None
    try:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle, parse_http=True):
                offsets.append(record.stream_pos)
                if pending is not None:
                    yield pending
                pending = _entry(record, index, record.stream_pos, limit)
                index += 1
    except OSError as exc:
        if pending is not None:
            yield pending
        raise Rejected("read", "corrupt_archive", f"not readable as WARC after {index} record(s): {exc}") from None
    if pending is None:
        raise Rejected("read", "empty_archive", "no WARC record in the file")
    unread = _bytes_after_last_member(path, offsets[-1]) if seekable(offsets) else 0
    if unread is None and pending.problem is None:
        pending.payload = None
        pending.problem = Rejected("read", "truncated_record", "the file ends inside this record's gzip member")
    yield pending
    if unread:
        raise Rejected("read", "corrupt_archive", f"{unread:,} bytes after record {index - 1} are not a readable record")


def _bytes_after_last_member(path: str | Path, offset: int) -> int | None:
    """Bytes left after the gzip member that starts at `offset` (0 for uncompressed files),
    or None when the file ends inside that member.

    FastWARC ends quietly when a per-record gzip file is cut inside a member; this finds
    such a silent stop, so the damage is reported instead of hidden.
    """
    with open(path, "rb") as handle:
        handle.seek(offset)
        if handle.read(2) != b"\x1f\x8b":
            return 0
        handle.seek(offset)
        inflater = zlib.decompressobj(31)
        while not inflater.eof:
            chunk = handle.read(1 << 16)
            if not chunk:
                return None
            try:
                inflater.decompress(chunk, 1 << 16)
                while inflater.unconsumed_tail and not inflater.eof:
                    inflater.decompress(inflater.unconsumed_tail, 1 << 16)
            except zlib.error:
                return 0
        rest = inflater.unused_data + handle.read()
    return len(rest.strip(b"\x00\r\n\t "))


def seekable(offsets: list[int]) -> bool:
    """True when record offsets are distinct gzip members or plain positions (seek works)."""
    return all(b > a for a, b in zip(offsets, offsets[1:], strict=False))


@dataclass
class _Scan:
    handle: BinaryIO
    records: Iterator
    position: int = -1


class WarcRecordReader:
    """Re-reads chosen records of WARC files: by seeking, or by a forward scan when needed.

    Use one per batch as a context manager and ask for records in file order; a forward
    scan then costs one pass over the file.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._scans: dict[str, _Scan] = {}

    def read(self, path: str, offset: int | None, index: int) -> WarcEntry:
        """The record at `offset` (or, when None, the `index`-th record) of the file."""
        if offset is not None:
            with open(path, "rb") as handle:
                handle.seek(offset)
                try:
                    record = next(iter(ArchiveIterator(handle, parse_http=True)))
                except (StopIteration, OSError):
                    raise Rejected("read", "corrupt_archive", f"no readable record at offset {offset}") from None
                return _entry(record, index, offset, self.limit)
        return self._scan_to(path, index)

    def _scan_to(self, path: str, index: int) -> WarcEntry:
        scan = self._scans.get(path)
        if scan is None or scan.position >= index:
            if scan is not None:
                scan.handle.close()
            handle = open(path, "rb")  # noqa: SIM115 - kept open across calls, closed on exit
            scan = self._scans[path] = _Scan(handle, iter(ArchiveIterator(handle, parse_http=True)))
        try:
            for record in scan.records:
                scan.position += 1
                if scan.position == index:
                    return _entry(record, index, None, self.limit)
                record.reader.consume()
        except OSError:
            pass
        raise Rejected("read", "corrupt_archive", f"record {index} can no longer be read from the file")

    def __enter__(self) -> WarcRecordReader:
        return self

    def __exit__(self, *exc) -> None:
        for scan in self._scans.values():
            scan.handle.close()
        self._scans.clear()
