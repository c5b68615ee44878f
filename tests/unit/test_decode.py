import codecs
import random

import pytest

from tasks.decode import declared_charset, decode_document, sniff_binary
from tasks.records import Rejected

GERMAN = "<html><head><title>Größenwahn im Café</title></head><body><p>Straße über Öl – “quoted”</p></body></html>"
RUSSIAN = "<html><head><meta charset='utf-8'><title>Новости дня</title></head><body><p>Правительство объявило о новых мерах поддержки экономики.</p></body></html>"


def test_utf8_passes_through():
    assert decode_document(GERMAN.encode("utf-8")) == GERMAN


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-32"])
def test_byte_order_mark_wins_over_meta(codec):
    page = GERMAN.replace("<head>", "<head><meta charset='iso-8859-1'>")
    assert decode_document(page.encode(codec)) == page


def test_utf16_without_bom_is_detected():
    assert decode_document(GERMAN.encode("utf-16-le")) == GERMAN
    assert decode_document(GERMAN.encode("utf-16-be")) == GERMAN


def test_meta_says_utf8_but_bytes_are_cp1251():
    assert "Новости дня" in decode_document(RUSSIAN.encode("cp1251"))


def test_cp1252_without_declaration():
    text = decode_document(GERMAN.encode("cp1252"))
    assert "Größenwahn im Café" in text and "“quoted”" in text


def test_declared_latin1_means_windows_1252():
    page = GERMAN.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">')
    assert declared_charset(page.encode("cp1252")) == "cp1252"
    assert "“quoted”" in decode_document(page.encode("cp1252"))


def test_header_charset_is_used_when_it_decodes():
    assert "Новости" in decode_document(RUSSIAN.replace("utf-8", "x").encode("koi8_r"), header_charset="koi8-r")


def test_mixed_utf8_and_latin1_keeps_both():
    data = "Zürich in UTF-8. ".encode() * 5 + "Genève in Latin-1.".encode("latin-1")
    text = decode_document(data)
    assert "Zürich in UTF-8." in text and "Genève in Latin-1." in text


def test_invalid_utf8_never_raises():
    text = decode_document(b"<p>bad \xc0\xaf overlong \xed\xa0\x80 surrogate</p>" + "ok é".encode() * 3)
    assert "ok é" in text


def test_nul_and_control_bytes_are_removed():
    assert decode_document(b"<p>Ber\x00lin\x01 news</p>") == "<p>Berlin news</p>"


def test_every_control_character_is_removed_from_utf8_and_other_encodings():
    from tasks.decode import _CONTROL_CHARS_RE, _CONTROL_CHARS_UTF8

    # the byte check that lets most UTF-8 pages skip the text scan covers the same characters
    assert {b for b in range(128) if _CONTROL_CHARS_RE.match(chr(b))} == set(_CONTROL_CHARS_UTF8)
    for code in _CONTROL_CHARS_UTF8:
        kept = "<p>Straße über Öl, Berlin news</p>"
        page = kept.replace(", ", ", " + chr(code))
        assert decode_document(page.encode("utf-8")) == kept, code
        assert decode_document(page.encode("utf-16")) == kept, code  # with a BOM: not UTF-8
    assert decode_document("<p>Straße\tüber\x0cÖl\x1b</p>".encode()) == "<p>Straße\tüber\x0cÖl\x1b</p>"


@pytest.mark.parametrize(
    "data,kind",
    [(b"%PDF-1.7\n1 0 obj", "PDF"), (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"), (b"\xff\xd8\xff\xe0JFIF", "JPEG"), (b"PK\x03\x04zip", "ZIP")],
)
def test_binary_formats_are_rejected_by_magic(data, kind):
    assert kind in sniff_binary(data)
    with pytest.raises(Rejected) as caught:
        decode_document(data + b" " * 100)
    assert caught.value.reason == "binary"


def test_random_bytes_are_rejected_as_binary():
    junk = random.Random(7).randbytes(65536)
    with pytest.raises(Rejected) as caught:
        decode_document(junk)
    assert caught.value.reason == "binary"


@pytest.mark.parametrize("data", [b"", b"   \n\t  ", codecs.BOM_UTF8, b"\x00\x00"])
def test_empty_input_is_rejected(data):
    with pytest.raises(Rejected) as caught:
        decode_document(data)
    assert caught.value.reason in {"empty", "binary"}


def test_short_latin_page_that_claims_utf8_is_windows_1252():
    page = "<html><meta charset='utf-8'><p>Die Bürgermeisterin trinkt café à la crème.</p></html>"
    assert decode_document(page.encode("cp1252")) == page


def test_short_cyrillic_page_keeps_its_code_page():
    page = "<html><meta charset='utf-8'><p>Правительство объявило о новых мерах.</p></html>"
    assert decode_document(page.encode("cp1251")) == page
