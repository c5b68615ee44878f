import gzip
import zlib

import pytest

from tasks.read import read_file as read_input
from tasks.records import Rejected
from tasks.sources import classify_path

PAGE = b"<html><body><p>member one</p></body></html>"


def item_for(path):
    return classify_path(path)


def test_plain_file(tmp_path):
    path = tmp_path / "a.html"
    path.write_bytes(PAGE)
    assert read_input(item_for(path), 1 << 20) == PAGE


def test_gzip_and_multimember_gzip(tmp_path):
    path = tmp_path / "a.html.gz"
    path.write_bytes(gzip.compress(PAGE) + gzip.compress(b"<p>member two</p>"))
    assert read_input(item_for(path), 1 << 20) == PAGE + b"<p>member two</p>"


def test_file_named_gz_that_is_not_gzip_is_read_as_is(tmp_path):
    path = tmp_path / "a.html.gz"
    path.write_bytes(PAGE)
    assert read_input(item_for(path), 1 << 20) == PAGE


def test_decompression_bomb_stops_at_the_cap(tmp_path):
    path = tmp_path / "bomb.html.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as out:
        out.write(compressor.compress(b"<html>"))
        block = b" " * (1 << 20)
        for _ in range(64):  # 64 MiB of spaces, about 64 KiB on disk
            out.write(compressor.compress(block))
        out.write(compressor.flush())
    assert path.stat().st_size < 200_000
    with pytest.raises(Rejected) as caught:
        read_input(item_for(path), 8 << 20)
    assert caught.value.reason == "too_large"


def test_oversize_plain_file(tmp_path):
    path = tmp_path / "big.html"
    path.write_bytes(b"x" * 5000)
    with pytest.raises(Rejected) as caught:
        read_input(item_for(path), 4096)
    assert caught.value.reason == "too_large"


def test_truncated_and_corrupt_gzip(tmp_path):
    data = gzip.compress(PAGE * 50)
    truncated = tmp_path / "cut.html.gz"
    truncated.write_bytes(data[: len(data) // 2])
    bad_crc = tmp_path / "crc.html.gz"
    bad_crc.write_bytes(data[:-8] + b"\x00\x00\x00\x00" + data[-4:])
    for path in (truncated, bad_crc):
        with pytest.raises(Rejected) as caught:
            read_input(item_for(path), 1 << 20)
        assert caught.value.reason == "corrupt_gzip"


def test_unsupported_type(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(Rejected) as caught:
        read_input(item_for(path), 1 << 20)
    assert caught.value.reason == "unsupported_type"
