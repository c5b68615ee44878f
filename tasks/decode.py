"""Bytes to text: binary sniffing and charset detection that survives lying declarations.

Order of evidence, strongest first: a byte-order mark; UTF-16 shape (every other byte NUL);
valid UTF-8; a declared charset that decodes the bytes; UTF-8 with stray legacy bytes;
charset-normalizer's statistical guess. The result never contains NUL or other C0 controls.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from tasks.records import Rejected

_MAGIC = [
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive (or Office document)"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"\x7fELF", "executable"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x00\x18ftyp", "MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "MP4 video"),
]
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# C0 controls other than NUL (counted on its own), tab, newline, form feed, carriage return, escape.
_CONTROL_BYTES = bytes(b for b in range(1, 32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
# the same characters as UTF-8 bytes (each is one byte there, never part of a longer sequence)
_CONTROL_CHARS_UTF8 = b"\x00" + _CONTROL_BYTES
_DECLARED_RE = re.compile(
    rb"""(?:<meta[^>]+charset\s*=\s*["']?\s*|<\?xml[^>]+encoding\s*=\s*["'])([A-Za-z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)
_UTF8_MULTIBYTE_RE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# Code pages for Latin script that charset-normalizer may propose for windows-1252 text.
_LATIN_SINGLE_BYTE = {
    "cp1250", "cp1252", "cp1254", "cp1257", "cp437", "cp775", "cp850", "cp852", "cp858", "cp863", "cp865",
    "latin_1", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14",
    "iso8859_15", "iso8859_16", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish",
}
# Per the WHATWG encoding standard these labels all mean windows-1252.
_WINDOWS_1252_ALIASES = {"latin-1", "latin1", "iso-8859-1", "iso8859-1", "ascii", "us-ascii", "cp1252"}


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of `data`, or None when it may be text."""
    head = data[:16]
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "RIFF media"
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _normalise_label(label: str) -> str | None:
    label = label.strip().lower()
    if label in _WINDOWS_1252_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a meta tag or XML declaration (first 4 KiB), if any."""
    match = _DECLARED_RE.search(data[:4096])
    return _normalise_label(match.group(1).decode("ascii")) if match else None


def _utf8_with_legacy_fallback(data: bytes) -> str:
    """UTF-8 where valid; any invalid byte read as windows-1252 (mixed UTF-8/Latin-1 pages)."""
    return data.decode("utf-8", errors="newsroom-cp1252")


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", errors="replace"), error.end


codecs.register_error("newsroom-cp1252", _cp1252_fallback)


def _pick_encoding(data: bytes, header_charset: str | None) -> tuple[str, str]:
    """Return (encoding, errors mode) for `data`; raise Rejected for binary input."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, "replace"
    sample = data[:65536]
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16, "replace"
    binary = sniff_binary(data)
    if binary:
        raise Rejected("decode", "binary", f"content is a {binary}, not text")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # one pass, not one per byte value
    nuls = sample.count(0)
    if (controls >= 16 and controls > 0.02 * len(sample)) or (nuls >= 16 and nuls > 0.1 * len(sample)):
        raise Rejected("decode", "binary", f"{controls + nuls} control bytes in the first {len(sample)} bytes")
    try:
        data.decode("utf-8")
        return "utf-8", "strict"
    except UnicodeDecodeError:
        pass
    for label in (header_charset, declared_charset(data)):
        encoding = _normalise_label(label) if label else None
        if encoding and encoding != "utf-8":
            try:
                data.decode(encoding)
                return encoding, "strict"
            except (UnicodeDecodeError, LookupError):
                pass
    invalid = len(data.decode("utf-8", errors="ignore").encode("utf-8"))
    multibyte = len(_UTF8_MULTIBYTE_RE.findall(sample))
    if multibyte and multibyte * 4 >= len(data) - invalid:
        return "utf-8", "newsroom-cp1252"
    guess = from_bytes(sample, steps=5, chunk_size=512).best()
    if guess is None:
        return "cp1252", "replace"
    if guess.encoding in _LATIN_SINGLE_BYTE and _decodes(data, "cp1252"):
        # On short Latin-script pages the statistics cannot tell the Latin code pages apart
        # and may pick a DOS or Baltic one; on the web windows-1252 is by far the likeliest.
        return "cp1252", "strict"
    return guess.encoding, "replace"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def decode_document(data: bytes, header_charset: str | None = None) -> str:
    """Decode page or text bytes to str, or raise Rejected (binary, undecodable, empty)."""
    if not data.strip():
        raise Rejected("decode", "empty", "the input has no content")
    encoding, errors = _pick_encoding(data, header_charset)
    bom = next((len(b) for b, name in _BOMS if name == encoding and data.startswith(b)), 0)
    raw = data[bom:]
    text = raw.decode(encoding, errors=errors)
    # scanning the bytes is ~5x cheaper than the text; most pages are UTF-8 without controls
    if encoding != "utf-8" or len(raw.translate(None, _CONTROL_CHARS_UTF8)) != len(raw):
        text = _CONTROL_CHARS_RE.sub("", text)
    if not text.strip():
        raise Rejected("decode", "empty", "the input has no content")
    replaced = text.count("\ufffd")
    if replaced > 0.2 * len(text):
        raise Rejected("decode", "undecodable", f"{replaced} of {len(text)} characters undecodable as {encoding}")
    return text
