"""Write small real WARC files for tests, with warcio (the reference WARC writer)."""

from __future__ import annotations

import gzip
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DATA = Path(__file__).parent / "data"


def page(title: str, paragraph: str, charset: str = "utf-8") -> bytes:
    """A small article page in the given charset."""
    html = (
        f"<html><head><meta charset='{charset}'><title>{title}</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>"
        + "".join(f"<p>{paragraph} ({n})</p>" for n in range(4))
        + "</article><footer>Imprint</footer></body></html>"
    )
    return html.encode(charset)


def write_warc(path: Path, records: list[tuple], gzip_records: bool = True) -> Path:
    """Write (kind, url, body, content_type) records; kinds: response, resource, request, metadata, revisit."""
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=gzip_records)
    for kind, url, body, content_type in records:
        if kind == "response":
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http)
        elif kind == "request":
            http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
            record = writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=http)
        elif kind == "revisit":
            http = StatusAndHeaders("304 Not Modified", [], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "revisit", payload=BytesIO(b""), http_headers=http)
        else:
            record = writer.create_warc_record(
                url, kind, payload=BytesIO(body), warc_content_type=content_type
            )
        writer.write_record(record)
    path.write_bytes(buffer.getvalue())
    return path


def news_records() -> list[tuple]:
    """Three article pages (one windows-1252), a request, metadata, an image and a revisit."""
    return [
        ("request", "https://news.example/a", b"", None),
        ("response", "https://news.example/a", page("Harbour reopens", "The harbour reopened on Monday after the storm"), "text/html; charset=utf-8"),
        ("metadata", "https://news.example/a", b"fetchTimeMs: 120", "application/warc-fields"),
        ("response", "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        ("response", "https://news.example/b", page("Café Zürich schließt", "Das Café in der Straße schließt nach über 40 Jahren", "cp1252"), "text/html; charset=windows-1252"),
        ("revisit", "https://news.example/a", b"", None),
        ("resource", "https://news.example/c", page("Ferry timetable changes", "The ferry to the island will run twice a day from spring"), "text/html"),
    ]


def gzip_whole(path: Path, target: Path) -> Path:
    """The same WARC compressed as one gzip stream (not per record): cannot be seeked."""
    target.write_bytes(gzip.compress(path.read_bytes()))
    return target
