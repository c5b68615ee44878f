"""Pure pieces of the fetcher: content decoding under limits, Retry-After, robots, scheduling."""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from datetime import UTC, datetime

import pytest

from tasks.crawl import HostScheduler, Job
from tasks.fetch import decode_content, parse_retry_after
from tasks.records import Rejected
from tasks.robots import origin_of, parse_robots, robots_url


def test_decode_content_handles_gzip_deflate_and_raw_deflate():
    body = b"<html>hello</html>" * 100
    assert decode_content(gzip.compress(body), "gzip", 10_000) == body
    assert decode_content(zlib.compress(body), "deflate", 10_000) == body
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decode_content(raw.compress(body) + raw.flush(), "deflate", 10_000) == body
    assert decode_content(body, "identity", 10_000) == body


@pytest.mark.parametrize(
    "data,encoding,reason",
    [
        (gzip.compress(b"\0" * 5_000_000), "gzip", "too_large"),
        (gzip.compress(b"x" * 1000)[:-10], "gzip", "corrupt_gzip"),
        (b"not gzip at all", "gzip", "corrupt_gzip"),
        (b"data", "br", "unsupported_encoding"),
        (b"data", "gzip, gzip", "unsupported_encoding"),
        (b"x" * 2_000_000, None, "too_large"),
    ],
)
def test_decode_content_rejects_bombs_damage_and_surprises(data, encoding, reason):
    with pytest.raises(Rejected) as caught:
        decode_content(data, encoding, 1_000_000)
    assert caught.value.reason == reason


def test_retry_after_seconds_and_dates():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 25 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 25 Nov 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_robots_status_rules_follow_rfc_9309():
    parsed = parse_robots(200, b"User-agent: newsroom\nDisallow: /x\nCrawl-delay: 2\n")
    assert not parsed.allows("https://a.example/x/1", "newsroom") and parsed.allows("https://a.example/y", "newsroom")
    assert parsed.crawl_delay("newsroom") == 2.0
    assert parse_robots(404, b"").allows("https://a.example/x", "newsroom")
    assert not parse_robots(503, b"").allows("https://a.example/x", "newsroom")
    assert not parse_robots(None, b"").allows("https://a.example/x", "newsroom")
    assert robots_url("https://a.example:8443/p/q?x=1") == "https://a.example:8443/robots.txt"
    assert origin_of("HTTPS://A.example/p") == "https://a.example:443"


def test_scheduler_never_runs_one_host_twice_at_once_and_waits_the_pause():
    scheduler = HostScheduler()
    for n in range(4):
        scheduler.add(Job(f"http://a.example/{n}", "page"))
        scheduler.add(Job(f"http://b.example/{n}", "page"))
    in_flight: dict[str, int] = {}
    finished: dict[str, list[float]] = {"a.example": [], "b.example": []}
    started: dict[str, list[float]] = {"a.example": [], "b.example": []}
    lock = threading.Lock()
    overlap = []

    def work():
        while (job := scheduler.take()) is not None:
            host = job.url.split("/")[2]
            with lock:
                in_flight[host] = in_flight.get(host, 0) + 1
                overlap.append(in_flight[host])
                started[host].append(time.monotonic())
            time.sleep(0.01)
            with lock:
                in_flight[host] -= 1
                finished[host].append(time.monotonic())
            scheduler.done(job, 0.05)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(overlap) == 1
    for host in started:
        assert len(started[host]) == 4
        gaps = [s - f for f, s in zip(finished[host], started[host][1:])]
        assert min(gaps) >= 0.049
