"""Polite crawling: many fetches, robots.txt, per-host pacing, retries, feed/sitemap discovery.

`Crawler` runs `fetch_document` over a set of jobs with a pool of threads: robots.txt per
origin, one request at a time per host with a minimum delay (or the robots Crawl-delay) between
them, different hosts in parallel, retries with backoff for transient failures only, and
feed/sitemap entries queued as they are discovered.

Every input URL ends as exactly one of: a fetched page (an InputItem pointing at its WARC
record, for the clean stage), rejected (reason), skipped (unchanged / already fetched) or
deferred (transient failure: the next run fetches it again).
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tasks.archive import RawArchive
from tasks.discover import Entry, parse_discovery, select_entries, sniff_document
from tasks.fetch import FetchedResponse, FetchFailure, check_failure, fetch_document, user_agent, utc_now
from tasks.netguard import GuardedTransport, redact_url
from tasks.records import InputItem, Rejected, input_id
from tasks.robots import MAX_ROBOTS_BYTES, RobotsRules, origin_of, parse_robots, robots_url
from tasks.settings import Settings
from tasks.warehouse import connect, load_sql

ROBOTS_TOKEN = "newsroom"
HTML_TYPES = {"text/html", "application/xhtml+xml", ""}
MAX_DISCOVERY_DEPTH = 3  # a sitemap index of sitemap indexes of sitemaps, and no deeper
# Failures of robots.txt that say the origin itself may not be contacted (SSRF rules).
REFUSALS = {"private_address", "bad_url", "unsupported_scheme"}
# After this many connection failures in a row a host counts as down for the rest of the run.
HOST_DOWN_AFTER = 3


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
        check = check_failure(job.url)
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
            self.result.rejects.append((redact_url(job.url), body_id, rejected))

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
        url = redact_url(job.url)
        meta = {"run_id": self.run_id, "url": url, "purpose": job.purpose, "attempt": job.attempt,
                "outcome": outcome, "reason": reason, "detail": detail}
        meta_offset = self.archive.write_metadata(url, meta)
        if offset is None and response is not None:
            offset = response.warc_offset
        row = {
            "run_id": self.run_id,
            "url": url,
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
