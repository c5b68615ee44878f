"""One hardened HTTP fetch: `fetch_document` GETs a URL under every hard limit and archives it.

Limits: bytes on the wire and after content decoding, total time (slow loris), redirects,
schemes, and (through tasks/netguard.py) the addresses it may connect to. Failures come back
as FetchFailure, marked transient (worth a retry) or not. Politeness, retries and discovery
across many URLs live in tasks/crawl.py.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import version
from urllib.parse import urljoin

import httpx

from tasks.archive import RawArchive
from tasks.netguard import BlockedAddress, check_url, fetch_deadline
from tasks.records import Rejected
from tasks.settings import Settings

REDIRECT_STATUSES = {301, 302, 303, 307, 308}


def user_agent(contact_url: str) -> str:
    """The User-Agent header: the tool, its version and where to reach its operator."""
    return f"newsroom/{version('newsroom')} (+{contact_url})"


def utc_now() -> datetime:
    """Current UTC time, naive (DuckDB TIMESTAMP holds UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


class FetchFailure(Exception):
    """A fetch that did not produce a usable response; `transient` ones are worth retrying."""

    def __init__(self, reason: str, detail: str, transient: bool, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:500]
        self.transient = transient
        self.status = status
        self.retry_after = retry_after
        self.response: FetchedResponse | None = None
        self.warc_offset: int | None = None


@dataclass
class FetchedResponse:
    """The final response of a fetch, after redirects, with its body decoded and archived."""

    url: str
    final_url: str
    status: int
    headers: list[tuple[str, str]]
    raw_bytes: int  # on the wire, before content decoding
    body: bytes
    warc_offset: int | None
    elapsed_ms: int = 0

    def header(self, name: str) -> str | None:
        """The first value of a response header (case-insensitive)."""
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def content_type(self) -> str:
        """The media type without parameters, lowercased ("" when absent)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, if any."""
        for param in (self.header("content-type") or "").split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")[:40]
        return None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() also accepts "²" and other digits float() refuses
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def decode_content(raw: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo Content-Encoding (gzip, deflate) with the output capped at `limit` bytes.

    Raises Rejected: too_large for decompression bombs, corrupt_gzip, unsupported_encoding.
    """
    encodings = [e.strip().lower() for e in (encoding or "").split(",") if e.strip().lower() not in ("", "identity")]
    if not encodings:
        if len(raw) > limit:
            raise Rejected("fetch", "too_large", f"body is larger than the {limit:,}-byte limit")
        return raw
    if len(encodings) > 1 or encodings[0] not in ("gzip", "x-gzip", "deflate"):
        raise Rejected("fetch", "unsupported_encoding", f"Content-Encoding {encoding!r} was not asked for")
    wbits = 16 + zlib.MAX_WBITS if encodings[0] != "deflate" else zlib.MAX_WBITS
    if encodings[0] == "deflate" and raw[:1] and (raw[0] & 0x0F) != 8:
        wbits = -zlib.MAX_WBITS  # "deflate" sent raw, without the zlib header (common server bug)
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise Rejected("fetch", "corrupt_gzip", f"{encodings[0]} body is damaged: {exc}") from None
    if len(out) > limit:
        raise Rejected("fetch", "too_large", f"body decompresses to more than {limit:,} bytes (compression bomb)")
    if not inflater.eof:
        raise Rejected("fetch", "corrupt_gzip", f"{encodings[0]} body is truncated")
    return out


def classify_status(status: int, headers: httpx.Headers) -> FetchFailure | None:
    """None for a usable status (2xx, 304); otherwise the failure it means."""
    if 200 <= status < 300 or status == 304:
        return None
    if status == 429 or status in (408, 425) or status >= 500:
        return FetchFailure(f"http_{status}", f"server answered {status}", True, status,
                            parse_retry_after(headers.get("retry-after")))
    if status == 404:
        return FetchFailure("not_found", "server answered 404 Not Found", False, status)
    if status == 410:
        return FetchFailure("gone", "server answered 410 Gone", False, status)
    return FetchFailure("http_error", f"server answered {status}", False, status)


def _read_body(response: httpx.Response, max_wire: int) -> tuple[bytes, bool]:
    """The raw (still content-encoded) body, and whether it was cut at the size limit."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_wire:
        return b"", True
    body = bytearray()
    for chunk in response.iter_raw():
        body += chunk
        if len(body) > max_wire:
            return bytes(body[:max_wire]), True
    return bytes(body), False


def fetch_document(
    client: httpx.Client,
    archive: RawArchive,
    url: str,
    settings: Settings,
    conditional: dict[str, str] | None = None,
    max_body: int | None = None,
    check_redirect: Callable[[str], FetchFailure | None] | None = None,
) -> FetchedResponse:
    """GET `url`, following up to `max_redirects` redirects, under every hard limit.

    Each hop is archived (request + response). `check_redirect` may veto a redirect target
    (robots.txt of another origin). Returns the final response with the body decoded;
    raises FetchFailure (transient or not) for anything unusable.
    """
    deadline = time.monotonic() + settings.fetch_timeout_seconds
    max_body = max_body or settings.max_input_bytes
    visited = [url]
    current = url
    with fetch_deadline(settings.fetch_timeout_seconds):
        while True:
            check = check_failure(current)
            if check is not None:
                raise check
            headers = conditional if current == url and conditional else {}
            request = client.build_request("GET", current, headers=headers)
            request_headers = list(request.headers.items())
            try:
                response = client.send(request, stream=True)
            except BlockedAddress as exc:
                archive.write_exchange(current, request_headers, None)
                raise FetchFailure(exc.reason, exc.detail, False) from None
            except httpx.TimeoutException as exc:
                archive.write_exchange(current, request_headers, None)
                raise _timeout(deadline, exc) from None
            except httpx.TransportError as exc:
                archive.write_exchange(current, request_headers, None)
                raise FetchFailure("connection_failed", f"{type(exc).__name__}: {exc}", True) from None
            try:
                raw, truncated = _read_body(response, settings.max_wire_bytes)
            except httpx.TimeoutException as exc:
                failure = _timeout(deadline, exc)
                archive.write_exchange(current, request_headers, _as_record(response, b""), truncated=True)
                raise failure from None
            except httpx.TransportError as exc:
                archive.write_exchange(current, request_headers, _as_record(response, b""), truncated=True)
                raise FetchFailure("connection_failed", f"body cut off: {type(exc).__name__}: {exc}", True) from None
            finally:
                response.close()
            offset = archive.write_exchange(current, request_headers, _as_record(response, raw), truncated=truncated)
            result = FetchedResponse(url, current, response.status_code, list(response.headers.items()), len(raw), b"",
                                     offset)
            failure = None
            if truncated:
                failure = FetchFailure("too_large", f"body is larger than the {settings.max_wire_bytes:,}-byte limit", False,
                                       response.status_code)
            elif response.status_code in REDIRECT_STATUSES:
                target = urljoin(current, response.headers.get("location", "").strip())
                if not response.headers.get("location", "").strip():
                    failure = FetchFailure("bad_redirect", f"{response.status_code} without a Location header", False)
                elif target in visited:
                    failure = FetchFailure("redirect_loop", f"redirect loop back to {target}", False)
                elif len(visited) > settings.max_redirects:
                    failure = FetchFailure("too_many_redirects", f"more than {settings.max_redirects} redirects", False)
                elif check_redirect is not None:
                    failure = check_redirect(target)
                if failure is None:
                    visited.append(target)
                    current = target
                    continue
            else:
                failure = classify_status(response.status_code, response.headers)
            if failure is None:
                try:
                    result.body = decode_content(raw, response.headers.get("content-encoding"), max_body)
                    return result
                except Rejected as rejected:
                    failure = FetchFailure(rejected.reason, rejected.detail, False)
            # Every failure after a response keeps it, for the fetch log row and the archive offset.
            failure.status = response.status_code
            failure.response, failure.warc_offset = result, offset
            raise failure


def check_failure(url: str) -> FetchFailure | None:
    """The failure a URL of unacceptable form means (scheme, credentials, length), or None."""
    try:
        check_url(url)
    except BlockedAddress as exc:
        return FetchFailure(exc.reason, exc.detail, False)
    return None


def _timeout(deadline: float, exc: Exception) -> FetchFailure:
    if time.monotonic() >= deadline - 0.05:
        # The server keeps answering, too slowly (slow loris): retrying would only repeat it.
        return FetchFailure("too_slow", "the fetch took longer than fetch_timeout_seconds", False)
    return FetchFailure("timeout", f"{type(exc).__name__}: {exc or 'no answer in time'}", True)


def _as_record(response: httpx.Response, body: bytes) -> tuple[str, str, list[tuple[str, str]], bytes]:
    protocol = response.http_version or "HTTP/1.1"
    return protocol, f"{response.status_code} {response.reason_phrase}".strip(), list(response.headers.items()), body
