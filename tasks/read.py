"""Read inputs into bytes, with hard limits: local files (gzip capped) and WARC records.

`scan_inputs` walks the inputs once to fingerprint them (a WARC file becomes one input per
record); `InputReader` reads single inputs again later, in batches.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from tasks.records import InputItem, Rejected, input_id
from tasks.warc import WarcEntry, WarcRecordReader, iter_warc, seekable

GZIP_MAGIC = b"\x1f\x8b"


def _read_capped(stream, limit: int, what: str) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise Rejected("read", "too_large", f"{what} is larger than the {limit:,}-byte limit")
    return data


def read_file(item: InputItem, max_bytes: int) -> bytes:
    """Return the content of a local file (gunzipped when it is gzip), or raise Rejected.

    Only one gzip layer is opened: a `.gz` whose content is gzip again is rejected as
    binary later, so nested bombs cost nothing. A `.gz` file that is not gzip is read
    as it is (the name lied, the content decides).
    """
    if item.kind == "unsupported":
        raise Rejected(
            "read", "unsupported_type", "not an .html, .htm, .xhtml, .txt (optionally .gz) or .warc(.gz) file"
        )
    try:
        with open(item.location, "rb") as raw:
            if raw.read(2) == GZIP_MAGIC:
                raw.seek(0)
                with gzip.GzipFile(fileobj=raw) as unzipped:
                    return _read_capped(unzipped, max_bytes, "the decompressed file")
            raw.seek(0)
            return _read_capped(raw, max_bytes, "the file")
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise Rejected("read", "corrupt_gzip", f"gzip data is damaged: {exc or 'truncated'}") from None
    except OSError as exc:
        raise Rejected("read", "unreadable", exc.strerror or str(exc)) from None


def file_id(path: str) -> str | None:
    """Id of a file's on-disk bytes, for inputs rejected before their content was read.

    Salted, so it never equals the content id of another input (a gzip holding this file).
    """
    digest = hashlib.sha256(b"newsroom-file:")
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()[:32]


@dataclass
class ScannedInput:
    """An input after its first read: its id, and why it is rejected or skipped, if it is."""

    item: InputItem
    input_id: str | None
    rejected: Rejected | None = None
    skip_reason: str | None = None  # e.g. "warc_request", "not_html": nothing to extract


def record_source(path: str, entry: WarcEntry) -> str:
    """The `source` of a WARC record: the file and the record's offset (or index)."""
    return f"{path}#offset={entry.offset}" if entry.offset is not None else f"{path}#record={entry.index}"


def _skip_reason(entry: WarcEntry) -> str:
    if entry.record_type in ("response", "resource"):
        if entry.status is not None and not 200 <= entry.status < 300:
            return "http_status"
        return "not_html"
    return f"warc_{entry.record_type}"


def _scan_warc(item: InputItem, max_bytes: int) -> Iterator[ScannedInput]:
    entries: list[tuple[InputItem, WarcEntry, str | None]] = []
    offsets: list[int] = []
    try:
        for entry in iter_warc(item.location, max_bytes):
            offsets.append(entry.offset)
            record = replace(
                item,
                source=record_source(item.location, entry),
                kind="html",
                record_index=entry.index,
                record_offset=entry.offset,
                url=entry.url,
                fetched_at=entry.date,
            )
            payload_id = input_id(entry.payload) if entry.payload is not None else None
            entries.append((record, entry, payload_id))
        damage = None
    except Rejected as rejected:
        damage = rejected
    can_seek = seekable(offsets)
    whole_file_id = file_id(item.location) if damage or any(e.problem for _, e, _ in entries) else None
    for record, entry, payload_id in entries:
        if not can_seek:
            record = replace(record, source=f"{item.location}#record={entry.index}", record_offset=None)
        if entry.problem is not None:
            yield ScannedInput(record, payload_id or f"{whole_file_id}:{entry.index}", rejected=entry.problem)
        elif entry.payload is None:
            yield ScannedInput(record, None, skip_reason=_skip_reason(entry))
        else:
            yield ScannedInput(record, payload_id)
    if damage is not None:
        # What follows the damage cannot be read: one reject stands for it, keyed by the
        # file's bytes so that re-running the same damaged file adds nothing.
        suffix = f"#after-record={len(entries) - 1}" if entries else ""
        yield ScannedInput(replace(item, source=item.location + suffix), whole_file_id, rejected=damage)


def _scan_record(item: InputItem, max_bytes: int) -> ScannedInput:
    """Fingerprint an input that is one known record of a WARC file (a page the fetch stage archived)."""
    try:
        entry = WarcRecordReader(max_bytes).read(item.location, item.record_offset, item.record_index or 0)
    except Rejected as rejected:
        return ScannedInput(item, None, rejected=rejected)
    if entry.problem is not None:
        return ScannedInput(item, None, rejected=entry.problem)
    if entry.payload is None:
        return ScannedInput(item, None, skip_reason=_skip_reason(entry))
    return ScannedInput(item, input_id(entry.payload))


def scan_inputs(items: Iterable[InputItem], max_bytes: int) -> Iterator[ScannedInput]:
    """Read every input once and fingerprint it; WARC files expand into their records.

    Memory stays flat: each page is hashed and dropped; only ids and positions are kept.
    """
    for item in items:
        if item.kind == "warc":
            yield from _scan_warc(item, max_bytes)
            continue
        if item.record_offset is not None:
            yield _scan_record(item, max_bytes)
            continue
        try:
            yield ScannedInput(item, input_id(read_file(item, max_bytes)))
        except Rejected as rejected:
            yield ScannedInput(item, file_id(item.location), rejected=rejected)


@dataclass
class RawInput:
    """An input's bytes, with what its transport said about them."""

    data: bytes
    charset: str | None = None  # declared by HTTP (WARC records)
    url: str | None = None  # the WARC record's target URI
    fetched_at: datetime | None = None  # the WARC record's date


class InputReader:
    """Reads single inputs again (files, WARC records) for a batch; use as a context manager."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._warc = WarcRecordReader(max_bytes)

    def read(self, item: InputItem) -> RawInput:
        """The input's bytes and what its transport declared, or raise Rejected."""
        if item.record_index is None and item.record_offset is None:
            return RawInput(read_file(item, self.max_bytes))
        entry = self._warc.read(item.location, item.record_offset, item.record_index or 0)
        if entry.problem is not None:
            raise entry.problem
        if entry.payload is None:
            raise Rejected("read", "corrupt_archive", "the record is no longer a page")
        return RawInput(entry.payload, entry.charset, entry.url, entry.date)

    def __enter__(self) -> InputReader:
        return self

    def __exit__(self, *exc) -> None:
        self._warc.__exit__(*exc)
