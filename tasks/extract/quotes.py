"""Quotes and their speakers, by rules over the text and the article's entities.

Direct quotes are quoted spans of four words or more that are not headlines, attributed by
the clause next to them: after the quote ("…," she said / said Nowak), or before it
(Macron said that "…" / according to X, "…" / X: "…"). A quote split by its attribution
gives two rows with the same speaker; a quote with no attribution of its own continues the
speaker of the quote before it in the paragraph, or in the previous paragraph when the
whole paragraph is a quote. Pronouns and descriptions ("he", "the newspaper", "the
general") resolve to the latest matching entity before them, so the speaker is always the
article's normalised name. Reported speech ("X said that …") gives rows with direct=false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.extract.citations import is_cited_title, is_outlet, is_title_like
from tasks.extract.spans import QuotedSpan, paragraph_bounds, sentence_at
from tasks.records import Entity, Quote

MIN_QUOTE_WORDS = 4
SPEAKER_LABELS = {"PERSON", "ORG", "GPE"}
_CUES = (
    r"according to|said|says|say|told|tells|added|adds|explained|explains|noted|notes|stated|states|"
    r"argued|argues|wrote|writes|asked|asks|insisted|insists|warned|warns|declared|declares|recalled|recalls|"
    r"reminded|reminds|emphasi[sz]ed|emphasi[sz]es|emphasi[sz]ing|stressed|stresses|stressing|continued|continues|"
    r"replied|replies|answered|admitted|admits|acknowledged|acknowledges|claimed|claims|announced|announces|"
    r"concluded|observed|remarked|commented|suggested|suggests|confirmed|confirms|quoted|reported|reports|"
    r"added|predicted|predicts|promised|promises|vowed|vows|urged|urges|described|describes|conceded|"
    r"pointed out|points out|tweeted|posted|wrote on|said in a statement|saying|adding|telling|noting|warning"
)
_CUE_RE = re.compile(rf"\b(?:{_CUES})\b", re.IGNORECASE)
_INDIRECT_CUE_RE = re.compile(
    r"\b(said|says|told\s+(?:[\w’'-]+\s+){1,4}?|added|stated|warned|argued|claimed|explained|noted|insisted|"
    r"believes|announced|confirmed|admitted|acknowledged)\s+(that\s+)?",
)
_PRONOUN_RE = re.compile(r"\b(he|she|He|She)\b")
_PERSON_ROLES = (
    r"general|president|minister|premier|chancellor|chairman|chairwoman|chair|spokesman|spokeswoman|"
    r"spokesperson|official|officer|secretary|director|chief|leader|mayor|senator|governor|ambassador|"
    r"professor|expert|analyst|author|coach|manager|executive|founder|lawyer|attorney|judge|prosecutor|"
    r"commander|diplomat|lawmaker|politician|economist|researcher|scientist|doctor|player|striker|"
    r"man|woman|star|singer|actor|actress|owner|head|king|queen|pope|candidate|boss|councillor|councilor"
)
_ORG_ROLES = (
    r"newspaper|paper|daily|agency|broadcaster|outlet|magazine|company|firm|group|ministry|department|"
    r"government|administration|party|union|club|team|council|committee|court|bank|police|army|military|"
    r"organisation|organization|authority|board|office|commission|report|statement"
)
_ROLE_RE = re.compile(
    rf"\b(?:[Tt]he|[Tt]his|[Tt]hat|[Aa]n?|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir)\s+(?:[\w’'-]+\s+){{0,3}}?"
    rf"(?:(?P<person>{_PERSON_ROLES})|(?P<org>{_ORG_ROLES}))s?\b"
)
_OUTLET_ROLES = {"newspaper", "paper", "daily", "agency", "broadcaster", "outlet", "magazine"}
_ADJACENT_WORDS = 8


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    speaker: str | None
    entity_name: str | None


class _Resolver:
    """Finds who a clause names, resolving pronouns and descriptions to the article's entities."""

    def __init__(self, text: str, entities: list[Entity], quoted: list[QuotedSpan]) -> None:
        self.text = text
        inside = [(q.start, q.end) for q in quoted]
        self.entities = [
            e for e in entities if not any(s <= e.start_char and e.end_char <= t for s, t in inside) or e.label != "PERSON"
        ]
        self.all_entities = entities

    def _latest(self, before: int, wanted) -> Entity | None:
        best = None
        for entity in self.entities:
            if entity.end_char <= before and wanted(entity):
                best = entity
        return best

    def mentions(self, start: int, end: int) -> list[_Mention]:
        """Candidate speakers named in text[start:end], in order."""
        found: list[_Mention] = []
        for entity in self.all_entities:
            if start <= entity.start_char and entity.end_char <= end and entity.label in SPEAKER_LABELS:
                found.append(_Mention(entity.start_char, entity.end_char, entity.name, entity.name))
        taken = [(m.start, m.end) for m in found]
        for match in _PRONOUN_RE.finditer(self.text, start, end):
            person = self._latest(match.start(), lambda e: e.label == "PERSON")
            name = person.name if person else None
            found.append(_Mention(match.start(), match.end(), name, name))
        for match in _ROLE_RE.finditer(self.text, start, end):
            if any(s < match.end() and match.start() < t for s, t in taken):
                continue
            phrase = match.group(0)
            definite = phrase.split()[0].lower() in ("the", "this", "that")
            if not definite:
                found.append(_Mention(match.start(), match.end(), phrase, None))
                continue
            if match.group("person"):
                entity = self._latest(match.start(), lambda e: e.label == "PERSON")
            elif match.group("org") in _OUTLET_ROLES:
                entity = self._latest(match.start(), lambda e: is_outlet(self.text, e))
            else:
                entity = self._latest(match.start(), lambda e: e.label == "ORG")
            found.append(_Mention(match.start(), match.end(), entity.name if entity else phrase, entity.name if entity else None))
        return sorted(found, key=lambda m: m.start)

    def around_cue(self, start: int, end: int, cue: re.Match) -> _Mention | None:
        """The speaker of a cue inside text[start:end]: "according to X", else the subject before it, else after."""
        if cue.group(0).lower() == "according to":
            after = [m for m in self.mentions(cue.end(), end) if m.speaker]
            return after[0] if after else None
        mentions = [m for m in self.mentions(start, end) if m.speaker]
        left = [m for m in mentions if m.end <= cue.start()]
        if left:
            return left[-1]
        right = [m for m in mentions if m.start >= cue.end()]
        return right[0] if right else None


def _is_quote(text: str, span: QuotedSpan) -> bool:
    if len(span.words(text)) < MIN_QUOTE_WORDS:
        return False
    return not (is_cited_title(text, span) or is_title_like(text, span))


def _attribute_after(text: str, resolver: _Resolver, span: QuotedSpan, limit: int):
    """'"…," she said' / '"…," said Nowak': the clause right after a quote that ends in punctuation."""
    closing = text[span.end : span.close] + text[span.close : span.close + 2].strip()[:1]
    if not re.search(r"[,!?.—–-]", closing):
        return None  # "…" observed so far by …: the quote runs on inside a sentence
    clause = text[span.close : limit]
    if not re.match(r"^[\s,—–-]*[\w(]", clause) or re.match(r"^[\s,—–-]*(?:and|but|or|while|as|though|although|so)\b", clause):
        return None
    lead = len(clause) - len(re.sub(r"^[\s,—–-]+", "", clause))
    words = clause[lead:].split()
    head_end = span.close + lead + len(" ".join(words[:_ADJACENT_WORDS]))
    cue = _CUE_RE.search(text, span.close, min(limit, head_end + 1))
    if not cue:
        return None
    stop = re.search(r"[.;!?]|,\s+(?:who|which|after|before|when|as|because|but|and)\b", text[cue.end() : limit])
    clause_end = cue.end() + stop.start() if stop else limit
    cue_first = cue.start() == span.close + lead
    mentions = [m for m in resolver.mentions(span.close, clause_end) if m.speaker]
    left = [m for m in mentions if m.end <= cue.start()]
    right = [m for m in mentions if m.start >= cue.end()]
    mention = left[-1] if left else (right[0] if cue_first and right else None)
    return (mention, cue.group(0).lower()) if mention else None


def _attribute_before(text: str, resolver: _Resolver, span: QuotedSpan, start: int):
    """'Macron said that "…"' / 'according to X, … "…"' / 'X: "…"': the last cue before the quote."""
    cues = list(_CUE_RE.finditer(text, start, span.open))
    if cues:
        mention = resolver.around_cue(start, span.open, cues[-1])
        if mention:
            return mention, cues[-1].group(0).lower()
    if text[start : span.open].rstrip().endswith(":"):
        mentions = [m for m in resolver.mentions(start, span.open) if m.speaker]
        people = [m for m in mentions if m.entity_name and any(
            e.name == m.entity_name and e.label == "PERSON" for e in resolver.all_entities)]
        chosen = people[0] if people else (mentions[0] if mentions else None)
        if chosen:
            return chosen, ":"
    return None


def extract_direct_quotes(
    text: str, entities: list[Entity], quoted: list[QuotedSpan], sentences: list[tuple[int, int]]
) -> list[Quote]:
    """Quoted words with their speakers."""
    resolver = _Resolver(text, entities, quoted)
    candidates = [span for span in quoted if _is_quote(text, span)]
    paragraphs = paragraph_bounds(text)
    quotes: list[Quote] = []
    previous: tuple[QuotedSpan, _Mention, str] | None = None
    for index, span in enumerate(candidates):
        sentence_start, _ = sentence_at(sentences, span.open)
        _, sentence_end = sentence_at(sentences, max(span.open, span.close - 1))
        before = candidates[index - 1] if index else None
        after = candidates[index + 1] if index + 1 < len(candidates) else None
        window_start = max(sentence_start, before.close) if before and before.paragraph == span.paragraph else sentence_start
        window_end = min(sentence_end, after.open) if after and after.paragraph == span.paragraph else sentence_end
        found = _attribute_after(text, resolver, span, window_end) or _attribute_before(text, resolver, span, window_start)
        if found is None and previous is not None:
            last_span, mention, cue = previous
            same_paragraph = last_span.paragraph == span.paragraph
            p_start, p_end = paragraphs[span.paragraph]
            whole_paragraph = span.open - p_start <= 1 and p_end - span.close <= 1
            if same_paragraph or (span.paragraph == last_span.paragraph + 1 and whole_paragraph):
                found = (mention, cue)
        if found is None:
            continue
        mention, cue = found
        quotes.append(Quote(text[span.start : span.end], mention.speaker, mention.entity_name, cue, True, span.start, span.end))
        previous = (span, mention, cue)
    return quotes


def extract_reported_speech(
    text: str, entities: list[Entity], quoted: list[QuotedSpan], sentences: list[tuple[int, int]]
) -> list[Quote]:
    """'X said (that) …' sentences without quote marks: the reported words, direct=false."""
    resolver = _Resolver(text, entities, quoted)
    quotes = []
    for start, end in sentences:
        if any(start <= q.open < end for q in quoted):
            continue
        cue = _INDIRECT_CUE_RE.search(text, start, end)
        if not cue:
            continue
        mentions = [m for m in resolver.mentions(start, cue.start()) if m.speaker and m.entity_name]
        if not mentions:
            continue
        content_start = cue.end()
        content_end = end
        while content_end > content_start and text[content_end - 1] in " .!?\n":
            content_end -= 1
        if len(text[content_start:content_end].split()) < 5:
            continue
        speaker = mentions[-1]
        verb = cue.group(1).split()[0]
        quotes.append(Quote(text[content_start:content_end], speaker.speaker, speaker.entity_name, verb, False, content_start, content_end))
    return quotes
