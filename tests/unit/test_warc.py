from tasks.read import InputReader, scan_inputs
from tasks.sources import classify_path
from tasks.warc import decode_http_body, iter_warc
from tests.warc_factory import gzip_whole, news_records, write_warc

LIMIT = 1 << 20


def scan(path):
    return list(scan_inputs([classify_path(path)], LIMIT))


def test_every_record_is_an_input_and_only_pages_are_kept(tmp_path):
    scanned = scan(write_warc(tmp_path / "news.warc.gz", news_records()))
    assert [s.skip_reason for s in scanned] == [
        "warc_request", None, "warc_metadata", "not_html", None, "warc_revisit", None
    ]
    pages = [s for s in scanned if s.skip_reason is None]
    assert [p.item.url for p in pages] == ["https://news.example/a", "https://news.example/b", "https://news.example/c"]
    assert all(p.item.source.startswith(str(tmp_path / "news.warc.gz") + "#offset=") for p in pages)
    assert all(p.item.fetched_at is not None and p.rejected is None for p in pages)


def test_records_are_read_again_by_offset_with_their_http_charset(tmp_path):
    path = write_warc(tmp_path / "news.warc.gz", news_records())
    pages = [s for s in scan(path) if s.skip_reason is None]
    with InputReader(LIMIT) as reader:
        raw = reader.read(pages[1].item)
    assert raw.charset == "windows-1252" and raw.url == "https://news.example/b"
    assert "Café Zürich schließt".encode("cp1252") in raw.data


def test_uncompressed_and_whole_file_gzip_give_the_same_pages(tmp_path):
    per_record = write_warc(tmp_path / "a.warc.gz", news_records())
    plain = write_warc(tmp_path / "b.warc", news_records(), gzip_records=False)
    whole = gzip_whole(plain, tmp_path / "c.warc.gz")
    ids = []
    for path in (per_record, plain, whole):
        pages = [s for s in scan(path) if s.skip_reason is None]
        with InputReader(LIMIT) as reader:
            payloads = [reader.read(p.item).data for p in pages]
        ids.append([p.input_id for p in pages])
        assert len(payloads) == 3
    assert ids[0] == ids[1] == ids[2]
    whole_pages = [s for s in scan(whole) if s.skip_reason is None]
    assert all(p.item.record_offset is None and "#record=" in p.item.source for p in whole_pages)


def test_truncated_archive_keeps_what_is_before_the_damage(tmp_path):
    path = write_warc(tmp_path / "news.warc", news_records(), gzip_records=False)
    data = path.read_bytes()
    cut = data.index(b"Ferry timetable") + 40  # inside the last record's payload
    path.write_bytes(data[:cut])
    scanned = scan(path)
    pages = [s for s in scanned if s.skip_reason is None and s.rejected is None]
    assert len(pages) == 2
    assert scanned[-1].rejected.reason == "truncated_record"


def test_gzip_truncated_mid_record_and_garbage_after_records(tmp_path):
    path = write_warc(tmp_path / "news.warc.gz", news_records())
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.9)])
    reasons = [s.rejected.reason for s in scan(path) if s.rejected]
    assert reasons and set(reasons) <= {"truncated_record", "corrupt_archive"}
    junk = tmp_path / "junk.warc"
    junk.write_bytes(write_warc(tmp_path / "ok.warc", news_records()[:2], gzip_records=False).read_bytes() + b"NOT A WARC\r\n" * 5)
    scanned = scan(junk)
    assert scanned[-1].rejected.reason == "corrupt_archive"
    assert scanned[-1].item.source.endswith("#after-record=1")
    assert sum(1 for s in scanned if s.skip_reason is None and s.rejected is None) == 1


def test_empty_and_non_warc_files_are_rejected(tmp_path):
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    other = tmp_path / "other.warc"
    other.write_bytes(b"<html>not an archive</html>")
    assert [s.rejected.reason for s in scan(empty)] == ["empty_archive"]
    assert [s.rejected.reason for s in scan(other)] == ["corrupt_archive"]


def test_oversize_record_is_rejected_not_loaded(tmp_path):
    big = [("response", "https://news.example/big", b"<html>" + b"x" * 5000 + b"</html>", "text/html")]
    path = write_warc(tmp_path / "big.warc.gz", big)
    [scanned] = scan(path)
    assert scanned.rejected is None
    assert [s.rejected.reason for s in scan_inputs([classify_path(path)], 1024)] == ["too_large"]
    assert list(iter_warc(path, 1024))[0].problem.reason == "too_large"


def test_http_body_decoding():
    import gzip as gz

    html = b"<html><p>hello</p></html>"
    first, second = html[:5], html[5:]
    chunked = b"%x\r\n%s\r\n%x;ext=1\r\n%s\r\n0\r\n\r\n" % (len(first), first, len(second), second)
    assert decode_http_body(chunked, "chunked", None, LIMIT) == html
    assert decode_http_body(html, "chunked", None, LIMIT) == html  # stored already de-chunked
    assert decode_http_body(gz.compress(html), None, "gzip", LIMIT) == html
    assert decode_http_body(html, None, "gzip", LIMIT) == html  # stored already decoded
