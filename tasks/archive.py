"""The raw archive: every HTTP exchange of a run as gzipped WARC records (warcio).

warehouse/raw/<run_id>.warc.gz holds, per fetch attempt and redirect hop, a `request`
record and a `response` record (the body exactly as it came off the wire, content-encoding
included), followed by one `metadata` record (JSON: run id, outcome, reason). Failures with
no response (timeouts, refused connections) still get their request and metadata records.
Each record is its own gzip member, so a record can be read from its offset alone.
"""

from __future__ import annotations

import json
import threading
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# The stored body is de-chunked, so the header that says it is chunked would make it unreadable.
_DROPPED_HEADERS = {"transfer-encoding"}


def raw_archive_path(warehouse: Path, run_id: str) -> Path:
    """The WARC file a run writes its fetches to."""
    return Path(warehouse) / "raw" / f"{run_id}.warc.gz"


class RawArchive:
    """Appends WARC records to one file; safe to share between fetch threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._file = None

    def __enter__(self) -> RawArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Flush and close the file (if anything was written)."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def _writer(self) -> WARCWriter:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "ab")  # noqa: SIM115 - closed by close()
        return WARCWriter(self._file, gzip=True)

    def write_exchange(
        self,
        url: str,
        request_headers: list[tuple[str, str]],
        response: tuple[str, str, list[tuple[str, str]], bytes] | None,
        truncated: bool = False,
    ) -> int | None:
        """Write one request and its response, if any: (protocol, status line, headers, raw body).

        Returns the offset of the response record (None without a response). `truncated`
        marks a body cut short by a size or time limit (WARC-Truncated: length).
        """
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        with self._lock:
            writer = self._writer()
            request = writer.create_warc_record(
                url,
                "request",
                payload=BytesIO(b""),
                http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", request_headers, is_http_request=True),
            )
            writer.write_record(request)
            offset = None
            if response is not None:
                protocol, status_line, headers, body = response
                kept = [(k, v) for k, v in headers if k.lower() not in _DROPPED_HEADERS]
                warc_headers = {"WARC-Concurrent-To": request.rec_headers.get_header("WARC-Record-ID")}
                if truncated:
                    warc_headers["WARC-Truncated"] = "length"
                record = writer.create_warc_record(
                    url,
                    "response",
                    payload=BytesIO(body),
                    http_headers=StatusAndHeaders(status_line, kept, protocol=protocol),
                    warc_headers_dict=warc_headers,
                )
                offset = self._file.tell()
                writer.write_record(record)
            self._file.flush()
            return offset

    def write_metadata(self, url: str, metadata: dict) -> int:
        """Write a metadata record (JSON) about `url`: run id, outcome, reason. Returns its offset."""
        with self._lock:
            writer = self._writer()
            record = writer.create_warc_record(
                url,
                "metadata",
                payload=BytesIO(json.dumps(metadata, sort_keys=True, default=str).encode("utf-8")),
                warc_content_type="application/json",
            )
            offset = self._file.tell()
            writer.write_record(record)
            self._file.flush()
            return offset
