"""Read inputs into bytes, with hard limits: local files (gzip capped) and WARC records.

`scan_inputs` walks the inputs once to fingerprint them (a WARC file becomes one input per
record); `InputReader` reads single inputs again later, in batches.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

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


def scan_inputs(items: Iterable[InputItem], max_bytes: int, cache: ScanCache | None = None) -> Iterator[ScannedInput]:
    """Read every input once and fingerprint it; WARC files expand into their records.

    Memory stays flat: each page is hashed and dropped; only ids and positions are kept.
    With a `cache`, a WARC file unchanged on disk since an earlier scan is not read again.
    """
    for item in items:
        if item.kind == "warc":
            if cache is None:
                yield from _scan_warc(item, max_bytes)
                continue
            scanned = cache.get(item, max_bytes)
            if scanned is None:
                before = _identity(item.location)
                scanned = list(_scan_warc(item, max_bytes))
                cache.put(item, max_bytes, before, scanned)
            yield from scanned
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


# Bump when `_scan_warc` would give a different result for the same bytes: older scans are then ignored.
SCAN_FORMAT = 1


def _identity(path: str) -> dict | None:
    """What says a file is the same file with the same bytes: device, inode, size, mtime and
    ctime in nanoseconds (ctime moves on every write, rename and `touch`, and cannot be set back)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return {"dev": info.st_dev, "ino": info.st_ino, "size": info.st_size, "mtime_ns": info.st_mtime_ns, "ctime_ns": info.st_ctime_ns}


def _item_json(item: InputItem) -> dict:
    fields = asdict(item)
    fields["fetched_at"] = fields["fetched_at"].isoformat() if fields["fetched_at"] else None
    return fields


def _to_json(entry: ScannedInput) -> dict:
    rejected = entry.rejected
    return {
        "item": _item_json(entry.item),
        "input_id": entry.input_id,
        "rejected": [rejected.stage, rejected.reason, rejected.detail] if rejected else None,
        "skip_reason": entry.skip_reason,
    }


def _from_json(row: dict) -> ScannedInput:
    item = dict(row["item"])
    item["fetched_at"] = datetime.fromisoformat(item["fetched_at"]) if item["fetched_at"] else None
    rejected = Rejected(*row["rejected"]) if row["rejected"] else None
    return ScannedInput(InputItem(**item), row["input_id"], rejected, row["skip_reason"])


class ScanCache:
    """Scans of WARC files kept between runs, so that a re-run does not read unchanged archives.

    Scanning decompresses and hashes every record (about 1.5 s for a 1,900-page archive); a
    re-run of the same archive only needs the ids it found. A scan is kept as one JSON file
    per archive, with the archive's identity on disk (`_identity`) and the settings that
    shape a scan; it is used only while all of them are the same. A scan is not kept when the
    file changed while it was read, or was written in the last `settle_seconds` (it may still
    be being written). Nothing depends on the cache: a missing, stale or damaged file means
    the archive is read again. `prune` drops scans unused for 30 days (a scan is ~0.4 kB per
    record), so a folder of daily crawls does not keep every archive's scan forever.
    """

    def __init__(self, folder: Path, settle_seconds: float = 2.0) -> None:
        self.folder = Path(folder)
        self.settle_seconds = settle_seconds
        self.hits = 0

    def _file(self, location: str) -> Path:
        return self.folder / f"{hashlib.sha256(location.encode()).hexdigest()[:32]}.json"

    def _key(self, item: InputItem, max_bytes: int, identity: dict | None) -> dict:
        return {"format": SCAN_FORMAT, "item": _item_json(item), "max_bytes": max_bytes, "file": identity}

    def get(self, item: InputItem, max_bytes: int) -> list[ScannedInput] | None:
        """The kept scan of this archive, if the archive has not changed since; else None."""
        identity = _identity(item.location)
        if identity is None:
            return None
        kept_file = self._file(item.location)
        try:
            kept = json.loads(kept_file.read_text(encoding="utf-8"))
            if kept.get("key") != self._key(item, max_bytes, identity):
                return None
            scanned = [_from_json(row) for row in kept["scanned"]]
        except (OSError, ValueError, TypeError, KeyError):
            return None
        self.hits += 1
        with suppress(OSError):
            os.utime(kept_file)  # used: `prune` keeps it
        return scanned

    def prune(self, max_age_days: float = 30) -> int:
        """Delete the scans not used or written for `max_age_days` (archives gone or never re-run)."""
        cutoff = time.time() - max_age_days * 86400
        removed = 0
        with suppress(OSError):
            for kept in self.folder.glob("*.json"):
                with suppress(OSError):
                    if kept.stat().st_mtime < cutoff:
                        kept.unlink()
                        removed += 1
        return removed

    def put(self, item: InputItem, max_bytes: int, before: dict | None, scanned: list[ScannedInput]) -> None:
        """Keep a scan made of the archive as it was at `before` (its identity before reading)."""
        if before is None or _identity(item.location) != before:
            return  # gone, or changed while it was read
        if time.time_ns() - max(before["mtime_ns"], before["ctime_ns"]) < self.settle_seconds * 1e9:
            return  # written just now: a writer may not be done with it
        target = self._file(item.location)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_text(
                json.dumps({"key": self._key(item, max_bytes, before), "scanned": [_to_json(e) for e in scanned]}),
                encoding="utf-8",
            )
            os.replace(temporary, target)
        except OSError:
            with suppress(OSError):  # a cache that cannot be written only costs time
                temporary.unlink(missing_ok=True)
