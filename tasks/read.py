"""Read local inputs into bytes, with hard limits: gzip is decompressed with an output cap."""

from __future__ import annotations

import gzip
import zlib

from tasks.records import InputItem, Rejected

GZIP_MAGIC = b"\x1f\x8b"


def _read_capped(stream, limit: int, what: str) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise Rejected("read", "too_large", f"{what} is larger than the {limit:,}-byte limit")
    return data


def read_input(item: InputItem, max_bytes: int) -> bytes:
    """Return the content of a local input (gunzipped when it is gzip), or raise Rejected.

    Only one gzip layer is opened: a `.gz` whose content is gzip again is rejected as
    binary later, so nested bombs cost nothing. A `.gz` file that is not gzip is read
    as it is (the name lied, the content decides).
    """
    if item.kind == "unsupported":
        raise Rejected("read", "unsupported_type", "not an .html, .htm, .xhtml or .txt file (optionally .gz)")
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
