"""Article metadata beyond trafilatura's: last modification, and translation markers."""

from __future__ import annotations

import re
from datetime import datetime

from tasks.clean import language_identifier, parse_published
from tasks.extract.links import parse_page

_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "dateModified", "last-modified", "modified", "dc.date.modified",
    "dcterms.modified", "article:modified",
)
_MODIFIED_JSON_RE = re.compile(r'"dateModified"\s*:\s*"([^"]+)"')
_TRANSLATION_RE = re.compile(
    r"\b(?:translated (?:from|by)|translation(?: by| from)?:|this (?:article|story|text) (?:is|was) (?:a translation|translated)|"
    r"originally (?:published|written) in (?:[A-Z][a-z]+)|übersetzt (?:aus|von)|traduit (?:de|par)|traducido (?:del|por)|"
    r"tradotto (?:da|dal))",
    re.IGNORECASE,
)
_LANGUAGE_NAMES = {
    "english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it", "russian": "ru",
    "ukrainian": "uk", "portuguese": "pt", "dutch": "nl", "polish": "pl", "chinese": "zh", "japanese": "ja",
    "arabic": "ar", "turkish": "tr", "korean": "ko", "hebrew": "he", "greek": "el", "swedish": "sv",
}
_LANGUAGE_NAME_RE = re.compile(r"\b(?:from|in|aus|de|del|dal)\s+(?:the\s+)?(" + "|".join(_LANGUAGE_NAMES) + r")\b", re.IGNORECASE)
FOREIGN_RATIO = 8  # how much likelier the other language must be
FOREIGN_MIN_PROBABILITY = 0.1
# Short lines are where language identification errs; it errs most towards rare languages
# (Nigerian Pidgin, Tagalog, Malagasy …), so only widely published languages count here.
FOREIGN_LANGUAGES = {
    "en", "de", "fr", "es", "it", "pt", "nl", "ru", "uk", "pl", "cs", "sv", "da", "no", "fi", "el", "tr",
    "ar", "he", "fa", "hi", "zh", "ja", "ko", "hu", "ro",
}


def extract_modified_at(html: str) -> datetime | None:
    """The last-modified time a page declares (meta tags, itemprop, JSON-LD), in UTC."""
    root = parse_page(html)
    return None if root is None else modified_at_in(root)


def modified_at_in(root) -> datetime | None:
    """`extract_modified_at` on a page already parsed with `parse_page`."""
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip()
        if key in _MODIFIED_META or key.lower() in _MODIFIED_META:
            parsed = parse_published((meta.get("content") or "").strip())
            if parsed:
                return parsed
    for node in root.xpath("//*[@itemprop='dateModified']"):
        parsed = parse_published((node.get("datetime") or node.get("content") or node.text or "").strip())
        if parsed:
            return parsed
    for script in root.xpath("//script[@type='application/ld+json']/text()"):
        match = _MODIFIED_JSON_RE.search(script)
        if match and (parsed := parse_published(match.group(1).strip())):
            return parsed
    return None


def detect_translation(text: str, title: str | None, language: str | None) -> tuple[bool | None, str | None]:
    """Whether the article declares itself a translation or carries lines in another language.

    Returns (is_translation, original_language): the language named in the declaration, or
    the language of the foreign lines. (None, None) when the article's language is unknown.
    """
    if not language:
        return None, None
    declaration = _TRANSLATION_RE.search(text) or (_TRANSLATION_RE.search(title) if title else None)
    if declaration:
        named = _LANGUAGE_NAME_RE.search(declaration.string[declaration.start() : declaration.end() + 40])
        return True, _LANGUAGE_NAMES[named.group(1).lower()] if named else None
    names = set(re.findall(r"\b[A-Z][\w.’'-]*", title or "")) | _names_elsewhere(text)
    for line in text.split("\n"):
        line = line.strip()
        if len(line) > 300:
            continue
        words = [w for w in line.split() if w.strip("“”\"'.,:;") not in names]
        # a line of names only ("Sam Fischer", a table row of names) says nothing about language
        if len(words) < 2 or not any(w[:1].isalpha() and not w[:1].isupper() for w in words):
            continue
        if _reads_as(words, language):
            continue  # plainly the article's language: no need to identify it
        other = _foreign_language(" ".join(words), language)
        if other:
            return True, other
    return False, None


# Function words of a language that no other widely published language writes the same way
# (not "die", "was", "will", "for", "her", "der", "den", "das", "dem", "of", "werden"): two of
# them, and a tenth of a line's words, and the line is in that language. Identifying every line
# cost ~2.0 ms a page, and 1.3 ms with these lines left out; on the 2,314 pages of the shared
# sets every verdict stays the same (benchmarks/RESULTS.md).
_OWN_WORDS = {
    "en": frozenset("the and that with were have has this which would been they their said from are but not had who what when there about".split()),
    "de": frozenset("und nicht ist mit sich auch auf für eine wird sind wurde nach noch bei".split()),
}


def _reads_as(words: list[str], language: str) -> bool:
    own = _OWN_WORDS.get(language)
    if own is None:
        return False
    hits = sum(1 for word in words if word.strip("“”\"'‘’.,:;!?()").lower() in own)
    return hits >= 2 and hits * 10 >= len(words)


def _names_elsewhere(text: str) -> set[str]:
    """Capitalised words that occur in more than one line: names, which every language shares."""
    seen: dict[str, set[int]] = {}
    for number, line in enumerate(text.split("\n")):
        for word in re.findall(r"\b[A-Z][\w.’'-]*", line):
            seen.setdefault(word.strip(".,"), set()).add(number)
    return {word for word, lines in seen.items() if len(lines) > 1}


def _foreign_language(words: str, language: str) -> str | None:
    """The language of a line when it is clearly not the article's (scores far above it)."""
    if len(words) >= 200:  # a stray foreign line is short: a long one never counts, so it is not identified
        return None
    ranked = dict(language_identifier().rank(words))
    best = max(ranked, key=ranked.get)
    if best == language or best not in FOREIGN_LANGUAGES:
        return None
    clear = ranked[best] >= FOREIGN_RATIO * ranked.get(language, 0.0) and ranked[best] >= FOREIGN_MIN_PROBABILITY
    return best if clear else None
