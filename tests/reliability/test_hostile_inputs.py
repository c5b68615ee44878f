"""Hostile files through the real flow: each gets a reason or a correct article; the run goes on."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from tests.integration.test_ingest import query, run

pytestmark = pytest.mark.usefixtures("prefect_server")

PARAGRAPH = "<p>The harbour council met on Tuesday to discuss the new ferry timetable for the islands.</p>"


def article(title: str, extra_head: str = "", body: str = PARAGRAPH * 4) -> str:
    return f"<html><head><title>{title}</title>{extra_head}</head><body><article><h1>{title}</h1>{body}</article></body></html>"


def gzip_bomb(path: Path, megabytes: int) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    with open(path, "wb") as out:
        out.write(compressor.compress(b"<html><body>"))
        for _ in range(megabytes):
            out.write(compressor.compress(block))
        out.write(compressor.flush())


def single_line_page(path: Path, size: int) -> None:
    unit = b"<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>"
    with open(path, "wb") as out:
        out.write(b"<html><head><title>One line</title></head><body><article>")
        out.write(unit * (size // len(unit)))
        out.write(b"</article></body></html>")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    single_line_page(folder / "single_line_50mb.html", 50 * 1024 * 1024)
    gzip_bomb(folder / "bomb.html.gz", 200)
    (folder / "nested_bomb.html.gz").write_bytes(gzip.compress((folder / "bomb.html.gz").read_bytes()))
    (folder / "deep_nesting.html").write_text("<html><body>" + "<div>" * 100_000 + PARAGRAPH + "</div>" * 100_000)
    (folder / "unclosed.html").write_text("<html><body>" + "<span><b><i>" * 70_000)
    (folder / "rtl_emoji.html").write_text(
        article("مرفأ المدينة يعيد فتح أبوابه 🚢", body="<p>أعاد مرفأ المدينة فتح أبوابه يوم الاثنين بعد العاصفة، وقال المسؤولون إن الرحلات ستستأنف تدريجياً 🌊.</p>" * 4),
        encoding="utf-8",
    )
    for name, date in (("year_9999", "9999-12-31"), ("year_0", "0000-01-01"), ("feb_30", "2024-02-30")):
        (folder / f"date_{name}.html").write_text(article(f"Date {name}", f"<meta name='date' content='{date}'>"))
    (folder / "nul_bytes.html").write_bytes(article("NUL title").replace("harbour", "har\x00bour").encode())
    (folder / "utf16_no_bom.html").write_bytes(article("Hafen ohne BOM").encode("utf-16-le"))
    (folder / "cp1251_says_utf8.html").write_bytes(
        article("Новости дня", "<meta charset='utf-8'>", "<p>Правительство объявило о новых мерах поддержки экономики.</p>" * 4).encode("cp1251")
    )
    (folder / "pdf.html").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    (folder / "png.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    secret = folder.parent / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    (folder / "xxe.xhtml").write_text(
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        f'<html xmlns="http://www.w3.org/1999/xhtml"><body><article><p>&xxe;</p>{PARAGRAPH * 3}</article></body></html>'
    )
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    (folder / "billion_laughs.xhtml").write_text(
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY l0 "lol">{laughs}]><html><body><p>&l9;</p>{PARAGRAPH * 3}</body></html>'
    )
    (folder / "javascript_only.html").write_text("<html><body><script>document.write('<p>' + 'x'.repeat(500) + '</p>')</script></body></html>")
    return folder


def test_hostile_inputs_are_rejected_or_extracted_and_nothing_is_lost(hostile, warehouse):
    report = run([hostile], warehouse)
    counts = report.counts
    assert counts.inputs == len(list(hostile.iterdir()))
    reasons = {Path(source).name: reason for source, reason in query(warehouse, "select source, reason from rejects")}
    assert reasons["single_line_50mb.html"] == "too_large"
    assert reasons["bomb.html.gz"] == "too_large"
    assert reasons["nested_bomb.html.gz"] == "binary"  # a gzip inside a gzip is not a page
    assert reasons["deep_nesting.html"] in {"no_article", "too_short"}
    assert reasons["pdf.html"] == reasons["png.html"] == "binary"
    assert reasons["javascript_only.html"] in {"no_article", "too_short"}
    assert reasons["unclosed.html"] in {"no_article", "too_short", "empty"}
    titles = dict(query(warehouse, "select title, published_at from articles"))
    assert "مرفأ المدينة يعيد فتح أبوابه 🚢" in titles
    assert titles["Date year_9999"] is None and titles["Date year_0"] is None
    # htmldate reads the impossible 2024-02-30 as month precision: a real date, never Feb 30
    assert titles["Date feb_30"] is None or titles["Date feb_30"].month == 2
    assert "NUL title" in titles and "Hafen ohne BOM" in titles and "Новости дня" in titles
    texts = " ".join(row[0] for row in query(warehouse, "select text from articles"))
    assert "TOP-SECRET-CONTENT" not in texts
    assert "lollollol" not in texts and "<!ENTITY" not in texts and "]>" not in texts
    assert "\x00" not in texts and "harbour" in texts
    assert counts.loaded + counts.rejected == counts.inputs
