"""Polite, hardened HTTP fetching of pages, feeds and sitemaps, archived as WARC.

`fetch_document` does one fetch (redirects included) under hard limits; `Crawler` runs many
of them politely: robots.txt per origin, one request at a time per host with a minimum delay
(or the robots Crawl-delay) between them, different hosts in parallel, retries with backoff
for transient failures only, and discovery of feed/sitemap entries as they arrive.

Every input URL ends as exactly one of: a fetched page (an InputItem pointing at its WARC
record, for the clean stage), rejected (reason), skipped (unchanged / already fetched) or
deferred (transient failure: the next run fetches it again).
"""

from __future__ import annotations

import heapq
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from tasks.archive import RawArchive
from tasks.discover import Entry, parse_discovery, select_entries, sniff_document
from tasks.netguard import BlockedAddress, GuardedTransport, check_url, fetch_deadline
from tasks.records import InputItem, Rejected, input_id
from tasks.robots import MAX_ROBOTS_BYTES, RobotsRules, origin_of, parse_robots, robots_url
from tasks.settings import Settings
from tasks.warehouse import connect, load_sql

ROBOTS_TOKEN = "newsroom"
HTML_TYPES = {"text/html", "application/xhtml+xml", ""}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_DISCOVERY_DEPTH = 3  # a sitemap index of sitemap indexes of sitemaps, and no deeper
# Failures of robots.txt that say the origin itself may not be contacted (SSRF rules).
REFUSALS = {"private_address", "bad_url", "unsupported_scheme"}
# After this many connection failures in a row a host counts as down for the rest of the run.
HOST_DOWN_AFTER = 3


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
    if value.isdigit():
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
            check = _check(current)
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


def _check(url: str) -> FetchFailure | None:
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


# ---------------------------------------------------------------------------------------------
# Scheduling: one request in flight per host, a pause between two requests to one host.


@dataclass(frozen=True)
class Job:
    """One URL to fetch. `purpose`: page, feed, sitemap or auto (decided by the content)."""

    url: str
    purpose: str
    attempt: int = 1
    updated: datetime | None = None  # the date a feed or sitemap gave the entry
    root: str | None = None  # the feed/sitemap the URL was found in (for --limit)
    depth: int = 0


def host_of(url: str) -> str:
    """The politeness key of a URL: its lowercased host name (all ports share the host)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class HostScheduler:
    """Hands out jobs so that a host never has two in flight and waits its pause in between.

    Hosts with work wait in a heap ordered by the time they may be contacted again; any free
    worker takes the earliest ready host. `take` returns None once nothing is queued or running.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queues: dict[str, deque[Job]] = {}
        self._heap: list[tuple[float, int, str]] = []
        self._in_heap: set[str] = set()
        self._busy: set[str] = set()
        self._next_at: dict[str, float] = {}
        self._seq = 0
        self._running = 0

    def _push(self, host: str) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (self._next_at.get(host, 0.0), self._seq, host))
        self._in_heap.add(host)

    def add(self, job: Job, front: bool = False) -> None:
        """Queue a job (at the head of its host's queue when `front`, e.g. a retry)."""
        host = host_of(job.url)
        with self._cond:
            queue = self._queues.setdefault(host, deque())
            queue.appendleft(job) if front else queue.append(job)
            if host not in self._busy and host not in self._in_heap:
                self._push(host)
            self._cond.notify_all()

    def take(self) -> Job | None:
        """Block until some host may be contacted; return its next job (None: all done)."""
        with self._cond:
            while True:
                if self._heap:
                    ready_at, _, host = self._heap[0]
                    wait = ready_at - time.monotonic()
                    if wait <= 0:
                        heapq.heappop(self._heap)
                        self._in_heap.discard(host)
                        self._busy.add(host)
                        self._running += 1
                        return self._queues[host].popleft()
                    self._cond.wait(wait)
                elif self._running == 0:
                    return None
                else:
                    self._cond.wait()

    def done(self, job: Job, pause: float) -> None:
        """Release the job's host; it may be contacted again after `pause` seconds."""
        host = host_of(job.url)
        with self._cond:
            self._busy.discard(host)
            self._running -= 1
            self._next_at[host] = time.monotonic() + pause
            if self._queues[host]:
                self._push(host)
            self._cond.notify_all()


# ---------------------------------------------------------------------------------------------
# The crawl.


@dataclass(frozen=True)
class LogEntry:
    """What the fetch log knows about a URL from earlier runs."""

    outcome: str
    fetched_at: datetime
    etag: str | None
    last_modified: str | None
    deferred_runs: int


def read_fetch_log(database: Path, urls: list[str]) -> dict[str, LogEntry]:
    """The fetch log's latest state of each URL in `urls` (absent: never fetched)."""
    import pyarrow as pa

    if not urls or not Path(database).exists():
        return {}
    with connect(database) as con:
        con.register("wanted_urls", pa.table({"url": pa.array(urls, pa.string())}))
        rows = con.execute(load_sql("load/fetch_log.sql")).fetchall()
    return {url: LogEntry(outcome, at, etag, lm, n) for url, outcome, at, etag, lm, n in rows}


def read_deferred(database: Path) -> list[tuple[str, str]]:
    """(url, purpose) of every URL an earlier run deferred and no run has fetched since."""
    if not Path(database).exists():
        return []
    with connect(database) as con:
        return [tuple(row) for row in con.execute(load_sql("load/deferred_urls.sql")).fetchall()]


@dataclass
class CrawlResult:
    """Everything a crawl produced: inputs for the clean stage, outcomes, and the fetch log rows."""

    items: list[InputItem] = field(default_factory=list)
    rejects: list[tuple[str, str | None, Rejected]] = field(default_factory=list)  # (source, input id, why)
    skipped: Counter = field(default_factory=Counter)
    deferred: int = 0
    fetch_rows: list[dict] = field(default_factory=list)

    @property
    def inputs(self) -> int:
        """How many inputs the crawl accounted for."""
        return len(self.items) + len(self.rejects) + sum(self.skipped.values()) + self.deferred


class Crawler:
    """Fetches jobs politely with a pool of threads; discovered entries join the same queue."""

    def __init__(
        self,
        settings: Settings,
        archive: RawArchive,
        run_id: str,
        lookup: Callable[[list[str]], dict[str, LogEntry]],
        since: datetime | None = None,
        limit: int | None = None,
    ) -> None:
        self.settings = settings
        self.archive = archive
        self.run_id = run_id
        self.lookup = lookup
        self.since = since
        self.limit = limit
        self.user_agent = user_agent(settings.contact_url)
        self.result = CrawlResult()
        self.scheduler = HostScheduler()
        self._lock = threading.Lock()  # guards result, log, robots, counters below
        self._lookup_lock = threading.Lock()
        self._log: dict[str, LogEntry] = {}
        self._robots: dict[str, RobotsRules] = {}
        self._refused: dict[str, tuple[str, str]] = {}  # origin -> why it may not be contacted at all
        self._crawl_delay: dict[str, float] = {}
        self._failures: Counter = Counter()
        self._resting: dict[str, tuple[str, str]] = {}  # host -> why it is not asked again this run
        self._remaining: dict[str, int] = {}
        self._seen: set[str] = set()

    # -- public -----------------------------------------------------------------------------

    def run(self, jobs: list[Job]) -> CrawlResult:
        """Fetch every job (and what they lead to); return when all are accounted for."""
        fresh = []
        for job in jobs:
            if job.url not in self._seen:
                self._seen.add(job.url)
                fresh.append(job)
        self._remember(self._lookup([j.url for j in fresh]))
        for job in fresh:
            self.scheduler.add(job)
        timeout = httpx.Timeout(self.settings.connect_timeout_seconds)
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate",
                   "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5"}
        transport = GuardedTransport(self.settings.allow_private_networks, self.settings.fetch_concurrency)
        with httpx.Client(transport=transport, timeout=timeout, headers=headers, follow_redirects=False,
                          trust_env=False) as client:
            # As many workers as allowed, not as initial hosts: a feed's entries may span many hosts.
            workers = [threading.Thread(target=self._work, args=(client,), name=f"fetch-{n}", daemon=True)
                       for n in range(self.settings.fetch_concurrency if fresh else 0)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        return self.result

    # -- workers ----------------------------------------------------------------------------

    def _work(self, client: httpx.Client) -> None:
        while (job := self.scheduler.take()) is not None:
            pause = 0.0
            try:
                pause = self._process(client, job)
            except Exception as exc:  # a bug on one URL must not lose the others: it is a reject
                self._reject(job, Rejected("fetch", "fetch_error", f"{type(exc).__name__}: {exc}"), None)
            finally:
                self.scheduler.done(job, pause)

    def _process(self, client: httpx.Client, job: Job) -> float:
        """Handle one job; return how long its host must rest afterwards."""
        check = _check(job.url)
        if check is not None:
            self._record(job, None, "rejected", check.reason, check.detail)
            self._reject(job, Rejected("fetch", check.reason, check.detail), None)
            return 0.0
        host = host_of(job.url)
        with self._lock:
            resting = self._resting.get(host)
            if resting is None and self._failures[host] >= HOST_DOWN_AFTER:
                resting = ("host_down", f"{host} failed {HOST_DOWN_AFTER} times in a row in this run")
        if resting is not None:
            self._defer(job, *resting)
            return 0.0
        origin = origin_of(job.url)
        with self._lock:
            rules = self._robots.get(origin)
        if rules is None:
            self._fetch_robots(client, job.url, origin)
            self.scheduler.add(job, front=True)  # the page waits for the host's next turn
            return self._pause(host)
        refused = self._refused.get(origin)
        if refused is not None:
            self._record(job, None, "rejected", *refused)
            self._reject(job, Rejected("fetch", *refused), None)
            return 0.0
        if rules.status == "unavailable":
            self._defer(job, "robots_unavailable", "robots.txt could not be fetched (RFC 9309: assume disallow)")
            return 0.0
        if not rules.allows(job.url, ROBOTS_TOKEN):
            self._record(job, None, "rejected", "robots_disallowed", "robots.txt disallows this URL")
            self._reject(job, Rejected("fetch", "robots_disallowed", "robots.txt disallows this URL"), None)
            return 0.0
        with self._lock:
            known = self._log.get(job.url)
        conditional = {}
        if known is not None and known.etag:
            conditional["If-None-Match"] = known.etag
        if known is not None and known.last_modified:
            conditional["If-Modified-Since"] = known.last_modified
        started, clock = utc_now(), time.monotonic()
        try:
            response = fetch_document(client, self.archive, job.url, self.settings, conditional,
                                      check_redirect=lambda target: self._robots_veto(client, target))
        except FetchFailure as failure:
            return self._failed(job, failure, started, clock)
        response.elapsed_ms = int((time.monotonic() - clock) * 1000)
        with self._lock:
            self._failures[host] = 0
        return self._succeeded(job, response, known, started)

    def _succeeded(self, job: Job, response: FetchedResponse, known: LogEntry | None, started: datetime) -> float:
        host = host_of(job.url)
        if response.status == 304:
            # A 304 may omit the validators; keep the ones we sent for the next conditional request.
            etag = response.header("etag") or (known.etag if known else None)
            modified = response.header("last-modified") or (known.last_modified if known else None)
            self._record(job, response, "not_modified", "unchanged", None, started, etag, modified)
            with self._lock:
                self.result.skipped["unchanged"] += 1
            return self._pause(host)
        kind = self._kind_of(job, response)
        if kind == "page":
            self._record(job, response, "fetched", None, None, started)
            item = InputItem(source=job.url, location=str(self.archive.path.resolve()), kind="html",
                             record_offset=response.warc_offset, url=response.final_url, fetched_at=started)
            with self._lock:
                self.result.items.append(item)
            return self._pause(host)
        if kind is None:
            detail = f"content type {response.content_type or '(none)'} is not HTML"
            self._record(job, response, "rejected", "unsupported_type", detail, started)
            self._reject(job, Rejected("fetch", "unsupported_type", detail), input_id(response.body))
            return self._pause(host)
        try:
            discovery = parse_discovery(response.body, response.final_url)
        except Rejected as rejected:
            self._record(job, response, "rejected", rejected.reason, rejected.detail, started)
            self._reject(job, rejected, input_id(response.body))
            return self._pause(host)
        self._record(job, response, "fetched", discovery.kind, f"{len(discovery.entries)} entries", started)
        self._discover(job, discovery.entries)
        return self._pause(host)

    def _kind_of(self, job: Job, response: FetchedResponse) -> str | None:
        """"page", "discovery" or None (not something this pipeline takes)."""
        if job.purpose in ("feed", "sitemap"):
            return "discovery"
        if job.purpose == "auto" and sniff_document(response.body) is not None:
            return "discovery"
        return "page" if response.content_type in HTML_TYPES else None

    def _failed(self, job: Job, failure: FetchFailure, started: datetime, clock: float) -> float:
        host = host_of(job.url)
        response = failure.response
        elapsed = int((time.monotonic() - clock) * 1000)
        if response is not None:
            response.elapsed_ms = elapsed
        with self._lock:
            if failure.reason in ("connection_failed", "timeout"):
                self._failures[host] += 1
            else:
                self._failures[host] = 0
        if not failure.transient:
            self._record(job, response, "rejected", failure.reason, failure.detail, started, elapsed=elapsed,
                         offset=failure.warc_offset)
            body = response.body if response is not None and response.body else None
            self._reject(job, Rejected("fetch", failure.reason, failure.detail), input_id(body) if body else None)
            return self._pause(host)
        wait = failure.retry_after
        if wait is None:
            wait = self.settings.retry_backoff_seconds * 2 ** (job.attempt - 1)
        host_down = self._failures[host] >= HOST_DOWN_AFTER
        if job.attempt < self.settings.fetch_attempts and wait <= self.settings.max_retry_after_seconds and not host_down:
            self._record(job, response, "retry", failure.reason, failure.detail, started, elapsed=elapsed,
                         offset=failure.warc_offset)
            self.scheduler.add(replace(job, attempt=job.attempt + 1), front=True)
            return max(self._pause(host), wait)
        self._defer(job, failure.reason, failure.detail, response, started, elapsed, failure.warc_offset)
        if wait > self.settings.max_retry_after_seconds:
            # The server asked for a pause longer than this run will wait: its other pages
            # are deferred too, without asking again.
            with self._lock:
                self._resting[host] = ("retry_after", f"{host} asked to wait {wait:.0f} s (Retry-After)")
            return self._pause(host)
        return max(self._pause(host), wait)

    # -- discovery --------------------------------------------------------------------------

    def _discover(self, job: Job, entries: list[Entry]) -> None:
        root = job.root or job.url
        sitemaps = [e for e in entries if e.is_sitemap]
        pages = [e for e in entries if not e.is_sitemap]
        with self._lock:
            remaining = self._remaining.setdefault(root, self.limit if self.limit is not None else -1)
        pages = select_entries(pages, self.since, remaining if remaining >= 0 else None)
        if self.limit is not None:
            with self._lock:
                self._remaining[root] = max(0, remaining - len(pages))
        children = [Job(e.url, "sitemap", root=root, depth=job.depth + 1)
                    for e in select_entries(sitemaps, self.since, None) if job.depth + 1 <= MAX_DISCOVERY_DEPTH]
        children += [Job(e.url, "page", updated=e.updated, root=root, depth=job.depth + 1) for e in pages]
        with self._lock:
            children = [c for c in children if c.url not in self._seen]
            self._seen.update(c.url for c in children)
        known = self._lookup([c.url for c in children])
        self._remember(known)
        for child in children:
            entry = known.get(child.url)
            if child.purpose == "page" and entry is not None and entry.outcome in ("fetched", "not_modified", "rejected") \
                    and (child.updated is None or child.updated <= entry.fetched_at):
                # Fetched by an earlier run and not updated since, says the feed: no request at all.
                with self._lock:
                    self.result.skipped["already_fetched"] += 1
                continue
            self.scheduler.add(child)

    # -- robots -----------------------------------------------------------------------------

    def _fetch_robots(self, client: httpx.Client, url: str, origin: str) -> None:
        target = robots_url(url)
        job = Job(target, "robots")
        started, clock = utc_now(), time.monotonic()
        try:
            response = fetch_document(client, self.archive, target, self.settings, max_body=MAX_ROBOTS_BYTES)
            rules = parse_robots(response.status, response.body)
            response.elapsed_ms = int((time.monotonic() - clock) * 1000)
            self._record(job, response, "robots", rules.status, None, started)
        except FetchFailure as failure:
            # A 4xx robots.txt arrives here as a non-transient failure: that means "no rules".
            rules = parse_robots(failure.status, b"")
            self._record(job, failure.response, "robots", rules.status, failure.detail, started,
                         elapsed=int((time.monotonic() - clock) * 1000), offset=failure.warc_offset)
            with self._lock:
                if failure.reason in ("connection_failed", "timeout"):
                    self._failures[host_of(url)] += 1
                elif failure.reason in REFUSALS:
                    self._refused[origin] = (failure.reason, failure.detail)
        delay = rules.crawl_delay(ROBOTS_TOKEN)
        with self._lock:
            self._robots[origin] = rules
            if delay is not None:
                self._crawl_delay[host_of(url)] = min(delay, self.settings.max_crawl_delay_seconds)

    def _robots_veto(self, client: httpx.Client, target: str) -> FetchFailure | None:
        """Why a redirect target may not be fetched (robots.txt of its origin), or None."""
        origin = origin_of(target)
        with self._lock:
            rules = self._robots.get(origin)
        if rules is None:
            self._fetch_robots(client, target, origin)
            with self._lock:
                rules = self._robots[origin]
        refused = self._refused.get(origin)
        if refused is not None:
            return FetchFailure(*refused, False)
        if rules.status == "unavailable":
            return FetchFailure("robots_unavailable", f"robots.txt of redirect target {origin} could not be fetched", True)
        if not rules.allows(target, ROBOTS_TOKEN):
            return FetchFailure("robots_disallowed", f"robots.txt disallows the redirect target {target}", False)
        return None

    def _pause(self, host: str) -> float:
        with self._lock:
            return max(self.settings.host_delay_seconds, self._crawl_delay.get(host, 0.0))

    # -- bookkeeping ------------------------------------------------------------------------

    def _lookup(self, urls: list[str]) -> dict[str, LogEntry]:
        with self._lookup_lock:
            return self.lookup(urls)

    def _remember(self, entries: dict[str, LogEntry]) -> None:
        with self._lock:
            self._log.update(entries)

    def _reject(self, job: Job, rejected: Rejected, body_id: str | None) -> None:
        with self._lock:
            self.result.rejects.append((job.url, body_id, rejected))

    def _defer(self, job: Job, reason: str, detail: str, response: FetchedResponse | None = None,
               started: datetime | None = None, elapsed: int = 0, offset: int | None = None) -> None:
        with self._lock:
            known = self._log.get(job.url)
        if known is not None and known.deferred_runs + 1 >= self.settings.max_deferrals:
            detail = f"deferred in {known.deferred_runs + 1} runs; last: {reason}: {detail}"
            self._record(job, response, "rejected", "unreachable", detail, started, elapsed=elapsed, offset=offset)
            self._reject(job, Rejected("fetch", "unreachable", detail), None)
            return
        self._record(job, response, "deferred", reason, detail, started, elapsed=elapsed, offset=offset)
        with self._lock:
            self.result.deferred += 1

    def _record(self, job: Job, response: FetchedResponse | None, outcome: str, reason: str | None,
                detail: str | None, started: datetime | None = None, etag: str | None = None,
                modified: str | None = None, elapsed: int | None = None, offset: int | None = None) -> None:
        """Add a fetch log row and close the exchange in the raw archive with a metadata record."""
        meta = {"run_id": self.run_id, "url": job.url, "purpose": job.purpose, "attempt": job.attempt,
                "outcome": outcome, "reason": reason, "detail": detail}
        meta_offset = self.archive.write_metadata(job.url, meta)
        if offset is None and response is not None:
            offset = response.warc_offset
        row = {
            "run_id": self.run_id,
            "url": job.url,
            "final_url": response.final_url if response else None,
            "purpose": job.purpose,
            "attempt": job.attempt,
            "status": response.status if response else None,
            "bytes": response.raw_bytes if response else None,
            "content_type": response.content_type or None if response else None,
            "fetched_at": started or utc_now(),
            "elapsed_ms": elapsed if elapsed is not None else (response.elapsed_ms if response else 0),
            "etag": etag if etag is not None else (response.header("etag") if response else None),
            "last_modified": modified if modified is not None else (response.header("last-modified") if response else None),
            "outcome": outcome,
            "reason": reason,
            "detail": detail,
            "warc_file": Path("raw", self.archive.path.name).as_posix(),
            "warc_offset": offset if offset is not None else meta_offset,
            "input_id": input_id(response.body) if response is not None and response.body else None,
        }
        with self._lock:
            self.result.fetch_rows.append(row)
