"""Cited outlets: other media or documents the article names as its source.

An outlet is an organisation whose name looks like a news outlet (Times, Post, Reuters, …)
or that the text calls one ("the newspaper X"). It is a citation when its sentence carries
a sourcing cue (reported, according to, told, in an interview with, …). A quoted headline
introduced as one ("an article entitled “…”") becomes the `cited_title` of the nearest
citation.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tasks.extract.spans import QuotedSpan, sentence_at
from tasks.records import Citation, Entity

_OUTLET_NAME_RE = re.compile(
    r"\b(?:Times|Post|News|Journal|Tribune|Herald|Guardian|Telegraph|Gazette|Observer|Independent|Chronicle|"
    r"Reuters|Bloomberg|Associated Press|AP|AFP|Agence France-Presse|dpa|DPA|Xinhua|TASS|Tass|Interfax|RIA|"
    r"CNN|BBC|NBC|CBS|ABC|Fox|NPR|PBS|MSNBC|CNBC|Sky|Al Jazeera|Politico|POLITICO|Axios|Spiegel|Zeitung|"
    r"Le Monde|Le Figaro|El País|El Mundo|Corriere|Repubblica|Mirror|Express|Daily|Weekly|Magazine|Radio|"
    r"Television|TV|Broadcasting|Broadcast|Wire|Press|Economist|Newsweek|Forbes|Fortune|Wired|Verge|Insider|"
    r"HuffPost|Pravda|Izvestia|Kommersant|Haaretz|Nikkei|Yomiuri|Asahi|Standard|Courier|Register|Examiner|"
    r"Review|Dispatch|Bulletin|Star|Sun|Mail|Globe|Voice|Kurier|Bild|Welt|Tagesschau|ZDF|ARD|ORF|SRF|RAI|"
    r"France 24|Euronews|Deutsche Welle|DW|Yonhap|Kyodo|ANSA|EFE|Anadolu|Notícias|Noticias|Nieuws)\b"
)
_OUTLET_NOUN_RE = re.compile(
    r"\b(?:newspaper|paper|daily|weekly|magazine|broadcaster|agency|outlet|channel|network|tabloid|website|"
    r"news site|publication|radio station|station)\s+(?:[“\"„«]\s*)?$",
    re.IGNORECASE,
)
_CUE_RE = re.compile(
    r"\b(?:according to|reported|reports|reporting|report|told|tells|interview|interviewed|wrote|writes|"
    r"said|says|cited|citing|quoted|quoting|published|revealed|findings|article|reminds|recalls|recalled|"
    r"noted|notes|learned|learnt|obtained|seen by|via|broke the news|first reported|story)\b",
    re.IGNORECASE,
)
_TITLE_CUE_RE = re.compile(
    r"\b(?:entitled|titled|headlined|headline|headed|called|article|piece|op-ed|editorial|column|story|report)\b"
    r"[^.!?\n]{0,20}$",
    re.IGNORECASE,
)
_REPORTED_AFTER_RE = re.compile(r"['’]?s?\s+(?:has\s+|had\s+|first\s+)?(?:reported|reports|wrote|writes|revealed|published)\b")
_SMALL_WORDS = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "but", "with", "by", "from", "as", "is", "vs"}
OUTLET_LABELS = {"ORG", "PERSON", "GPE", "WORK_OF_ART", "PRODUCT"}


def is_outlet(text: str, entity: Entity) -> bool:
    """True when the entity names a news outlet, by its name or by how the text introduces it."""
    if entity.label not in OUTLET_LABELS:
        return False
    if entity.label in ("ORG", "WORK_OF_ART") and _OUTLET_NAME_RE.search(entity.name):
        return True
    if entity.label in ("PERSON", "GPE", "PRODUCT") and re.fullmatch(r"Reuters|AFP|AP|Bloomberg|dpa|Xinhua|Interfax|Tass|TASS", entity.name):
        return True
    if entity.label == "ORG" and _REPORTED_AFTER_RE.match(text, entity.end_char):
        return True  # "The Coastal Ledger reported"
    return bool(_OUTLET_NOUN_RE.search(text[max(0, entity.start_char - 40) : entity.start_char]))


def is_title_like(text: str, span: QuotedSpan) -> bool:
    """A quoted span that reads as a headline: most words capitalised, no closing full stop."""
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", text[span.start : span.end])]
    if len(words) < 3 or text[span.start : span.end].rstrip().endswith("."):
        return False
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    capitalised = sum(1 for w in content if w[0].isupper())
    return bool(content) and capitalised / len(content) >= 0.75


def is_cited_title(text: str, span: QuotedSpan) -> bool:
    """A quoted span introduced as the headline of a piece ("an article entitled “…”")."""
    before = text[max(0, span.open - 60) : span.open]
    return bool(_TITLE_CUE_RE.search(before)) and is_title_like(text, span)


def extract_citations(
    text: str, entities: list[Entity], quoted: list[QuotedSpan], sentences: list[tuple[int, int]]
) -> list[Citation]:
    """Outlets cited as sources, with the cited headline when the article gives one."""
    citations: list[Citation] = []
    for entity in entities:
        if not is_outlet(text, entity):
            continue
        start, end = sentence_at(sentences, entity.start_char)
        sentence = text[start:end]
        interview = re.search(r"\bto\s+(?:the\s+)?$", text[max(0, entity.start_char - 8) : entity.start_char]) and (
            text[entity.end_char : entity.end_char + 2].lstrip("’'s").startswith(":")
        )
        if _CUE_RE.search(sentence) or interview:
            citations.append(Citation(entity.name, None, entity.start_char, entity.end_char))
    for span in quoted:
        if not is_cited_title(text, span):
            continue
        title = text[span.start : span.end].rstrip(",;: ")
        sentence = sentence_at(sentences, span.open)
        # the citation in the same sentence, else the nearest one before the title
        same = [i for i, c in enumerate(citations) if sentence[0] <= c.start_char < sentence[1]]
        paragraph_start = text.rfind("\n", 0, text.rfind("\n", 0, span.open)) + 1  # this or the previous paragraph
        before = [i for i, c in enumerate(citations) if paragraph_start <= c.start_char < span.open]
        target = same[0] if same else (before[-1] if before else None)
        if target is not None and citations[target].cited_title is None:
            citations[target] = replace(citations[target], cited_title=title)
    return citations
