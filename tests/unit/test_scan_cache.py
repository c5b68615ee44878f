"""ScanCache: a re-run does not read an unchanged WARC file again, and never uses a stale scan."""

import os
import time

from tasks.read import ScanCache, _to_json, scan_inputs
from tasks.sources import classify_path
from tests.warc_factory import news_records, page, write_warc

LIMIT = 1 << 20


def scan(path, cache=None, limit=LIMIT):
    return [_to_json(entry) for entry in scan_inputs([classify_path(path)], limit, cache)]


def test_an_unchanged_archive_is_read_once_and_gives_the_same_scan(tmp_path):
    path = write_warc(tmp_path / "news.warc.gz", news_records())
    cache = ScanCache(tmp_path / "cache", settle_seconds=0)
    fresh = scan(path)
    assert scan(path, cache) == fresh and cache.hits == 0
    assert scan(path, cache) == fresh and cache.hits == 1
    # another process (the next run) finds it too
    other = ScanCache(tmp_path / "cache", settle_seconds=0)
    assert scan(path, other) == fresh and other.hits == 1


def test_a_damaged_archive_keeps_its_rejects_in_the_cached_scan(tmp_path):
    path = write_warc(tmp_path / "news.warc", news_records(), gzip_records=False)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"Ferry timetable") + 40])
    cache = ScanCache(tmp_path / "cache", settle_seconds=0)
    fresh = scan(path, cache)
    assert fresh[-1]["rejected"][1] == "truncated_record"
    assert scan(path, cache) == fresh and cache.hits == 1


def test_an_archive_rewritten_with_the_same_size_and_mtime_is_read_again(tmp_path):
    path = write_warc(tmp_path / "news.warc", news_records(), gzip_records=False)
    cache = ScanCache(tmp_path / "cache", settle_seconds=0)
    before = scan(path, cache)
    info = os.stat(path)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"harbour reopened", b"harbour REOPENED"))  # same size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # mtime set back; ctime cannot be
    assert os.stat(path).st_size == info.st_size and os.stat(path).st_mtime_ns == info.st_mtime_ns
    after = scan(path, cache)
    assert cache.hits == 0
    assert after == scan(path) and after != before
    changed = [b["input_id"] != a["input_id"] for b, a in zip(before, after, strict=True)]
    assert changed.count(True) == 1


def test_a_grown_archive_and_other_limits_are_scanned_again(tmp_path):
    path = write_warc(tmp_path / "news.warc.gz", news_records())
    cache = ScanCache(tmp_path / "cache", settle_seconds=0)
    scan(path, cache)
    assert scan(path, cache, limit=100) == scan(path, limit=100) and cache.hits == 0  # other limit: rejects differ
    more = news_records() + [("response", "https://news.example/d", page("New pier", "The pier opens"), "text/html")]
    write_warc(path, more)
    grown = scan(path, cache)
    assert cache.hits == 0 and len(grown) == len(news_records()) + 1


def test_an_archive_written_just_now_is_not_kept(tmp_path):
    path = write_warc(tmp_path / "news.warc.gz", news_records())
    cache = ScanCache(tmp_path / "cache")  # default: files written in the last 2 s may still grow
    scan(path, cache)
    scan(path, cache)
    assert cache.hits == 0 and not list((tmp_path / "cache").glob("*.json"))


def test_a_damaged_or_unwritable_cache_only_costs_a_read(tmp_path):
    path = write_warc(tmp_path / "news.warc.gz", news_records())
    cache = ScanCache(tmp_path / "cache", settle_seconds=0)
    fresh = scan(path, cache)
    (kept,) = (tmp_path / "cache").glob("*.json")
    kept.write_text('{"key": ')
    assert scan(path, cache) == fresh and cache.hits == 0
    blocked = tmp_path / "file-in-the-way"
    blocked.write_text("")
    unwritable = ScanCache(blocked / "cache", settle_seconds=0)  # its folder cannot be made
    assert scan(path, unwritable) == fresh and scan(path, unwritable) == fresh and unwritable.hits == 0


def test_scans_unused_for_a_month_are_pruned_and_a_used_one_is_kept(tmp_path):
    old = write_warc(tmp_path / "old.warc.gz", news_records())
    used = write_warc(tmp_path / "used.warc.gz", news_records()[:3])
    cache = ScanCache(tmp_path / "cache", settle_seconds=0)
    scan(old, cache)
    scan(used, cache)
    month_ago = time.time() - 31 * 86400
    for kept in (tmp_path / "cache").glob("*.json"):
        os.utime(kept, (month_ago, month_ago))
    scan(used, cache)  # a hit marks its scan as used
    assert cache.hits == 1
    assert cache.prune() == 1
    assert scan(used, cache) and cache.hits == 2
    scan(old, cache)
    assert cache.hits == 2  # its scan was pruned: read again
