"""Text structure the quote and citation rules share: quoted spans, sentences, paragraphs.

Offsets are Python character offsets into the article text (one paragraph per line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Opening mark -> closing marks accepted for it (German „…“, French «…», English “…” and "…",
# British ‘…’ and the tabloids' straight '…'). U+FFFD is a mark a page's broken encoding lost
# (“ ” ‘ ’ all became it): it quotes like a straight ', so "don\ufffdt" and "by\ufffdthe" do not.
_PAIRS = {"“": "”\"", "„": "“”\"", "«": "»", "»": "«", '"': '"', "‘": "’", "‚": "‘’", "'": "'", "\ufffd": "\ufffd"}
_OPENERS = set(_PAIRS)
# Marks that open every paragraph of a quote running over several paragraphs: each
# paragraph opens with a mark of the same kind.
_DOUBLE, _SINGLE = "“„«\"", "‘'"
# A straight ' closes a quote after the quote's last word or its punctuation, never inside a
# word (don't, Utd's); wire copy closes a double quote with two apostrophes ('').
_WORD_END_PUNCTUATION = ",.?!…;:—–-)"
_SENTENCE_END_RE = re.compile(r"[.!?…][”\"’»)\]]*\s+(?=[“\"„«‘(\[]?[A-Z0-9ÄÖÜÉÈ])")
# Words ending in a full stop that do not end a sentence.
ABBREVIATION_RE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Sgt|Adm|Gov|Sens?|Reps?|St|Jr|Sr|Rev|Sept?|Oct|Nov|Dec|"
    r"Jan|Feb|Mar|Apr|Aug|No|Nos|Vol|vs|etc|Inc|Corp|Co|Ltd|U\.S|U\.K|U\.N|E\.U|a\.m|p\.m|approx|est|ca)|\b[A-Z])\.$"
)


def ends_abbreviation(text: str, dot: int, start: int = 0) -> bool:
    """Whether the full stop at `dot` ends an abbreviation ("Sen.", "Dr.", "Charles Q."), looking no further back than `start`."""
    return bool(ABBREVIATION_RE.search(text[max(start, dot - 12) : dot + 1]))


@dataclass(frozen=True)
class QuotedSpan:
    """Words between a pair of quote marks: [open, close) includes the marks, [start, end) not."""

    open: int
    close: int
    start: int
    end: int
    paragraph: int
    closed: bool = True  # False: left open at the paragraph's end, continued in the next one
    markless: bool = False  # part of a quote whose inner paragraphs carry no marks (`_markless_run`)

    def words(self, text: str) -> list[str]:
        """The quoted words."""
        return text[self.start : self.end].split()


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-empty line."""
    bounds, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            bounds.append((start, end))
        start = end + 1
    return bounds


def _is_opening(text: str, i: int, start: int) -> bool:
    mark = text[i]
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if mark in "'\ufffd":  # an apostrophe ('em, '90s) unless it opens words after a space, bracket or colon
        return (before.isspace() or before in "([—–-:") and after.isalpha()
    if mark in "\"‘":  # symmetric or apostrophe-like marks open only after a space or bracket
        return (before.isspace() or before in "([—–-:") and not after.isspace()
    if mark == "»":  # »…« is German style only when followed by a word
        return after.isalnum()
    return not after.isspace() or mark in "“„«"


def _closing_mark(text: str, i: int, end: int) -> tuple[int, int] | None:
    """(start, end) of the mark that closes the quote opened at `i`, in the paragraph ending at `end`."""
    closers = _PAIRS[text[i]]
    wire = text[i] in "\"“'"  # "…'' and '…'' in wire copy
    j = i + 1
    while j < end:
        char = text[j]
        after = text[j + 1] if j + 1 < end else " "
        if wire and char == "'" and after == "'":
            return j, j + 2
        if char in closers:
            # a curly ’ followed by a letter is an apostrophe (don’t), not a closing mark
            if char in "'\ufffd" and closers == char:
                before = text[j - 1]
                if not after.isalnum() and (before.isalnum() or before in _WORD_END_PUNCTUATION):
                    return j, j + 1
            elif not (char in "’'" and after.isalpha()):
                return j, j + 1
        j += 1
    return None


# A quote whose closing mark the page lost: it opens a sentence (at the paragraph's start, after a
# colon or after a full stop) and the paragraph ends a sentence after at least this many words.
_UNCLOSED_MIN_WORDS = 4
_SENTENCE_BEFORE_RE = re.compile(r"(?:^|[:.!?][”\"’']?)\s*$")


def _unclosed_to_end(text: str, start: int, i: int, end: int) -> bool:
    """Whether the mark at `i`, closed nowhere in its paragraph [start, end), quotes the rest of it."""
    tail = text[i + 1 : end].rstrip()
    return (
        tail[-1:] in (".", "!", "?", "…")
        and len(tail.split()) >= _UNCLOSED_MIN_WORDS
        and bool(_SENTENCE_BEFORE_RE.search(text[start:i]))
        and not any(mark in tail for mark in _OPENERS if mark != "'")
    )


# A letter or statement printed in full often opens its first paragraph with a mark and closes
# its last one, with no marks between: looked for this many paragraphs ahead at most.
_MARKLESS_MAX_PARAGRAPHS = 12


def _markless_run(text: str, paragraphs: list[tuple[int, int]], number: int, i: int) -> list[QuotedSpan] | None:
    """The spans of a quote opened at `i`, the start of paragraph `number`, that runs over the
    next paragraphs without marks ("“I am always struck …" … "… to make a difference.”").

    It holds only when the paragraph after does not open with a mark, no paragraph up to the
    closing one has a quote mark of the double kind, and a later paragraph within
    `_MARKLESS_MAX_PARAGRAPHS` ends with the mark that closes it and has no other. None otherwise.
    """
    closers = _PAIRS[text[i]]
    start, end = paragraphs[number]
    if len(text[i + 1 : end].split()) < _UNCLOSED_MIN_WORDS:
        return None
    last = min(len(paragraphs), number + 1 + _MARKLESS_MAX_PARAGRAPHS)
    for j in range(number + 1, last):
        p_start, p_end = paragraphs[j]
        if text[p_start] in _OPENERS:
            return None  # the usual convention, or a quote of its own
        marks = [k for k in range(p_start, p_end) if text[k] in "“”„«»\""]
        if not marks:
            continue
        tail = text[p_start:p_end].rstrip()
        if len(marks) != 1 or marks[0] != p_start + len(tail) - 1 or text[marks[0]] not in closers:
            return None
        first = _span(text, i, end, end, number, closed=False)
        spans = [QuotedSpan(first.open, first.close, first.start, first.end, number, False, True)]
        spans += [_bare_span(text, k, *paragraphs[k], closed=False) for k in range(number + 1, j)]
        spans.append(_bare_span(text, j, p_start, marks[0], close=marks[0] + 1))
        return spans
    return None


def find_quoted_spans(text: str) -> list[QuotedSpan]:
    """Every quoted span, paragraph by paragraph, in order.

    A quote left open at the end of a paragraph runs to the paragraph's end when the next
    paragraph opens a quote again (the convention for quotes over several paragraphs), or over
    the next paragraphs to one that ends with its closing mark (`_markless_run`).
    """
    spans: list[QuotedSpan] = []
    paragraphs = paragraph_bounds(text)
    skip_to = 0
    for number, (start, end) in enumerate(paragraphs):
        if number < skip_to:
            continue  # inside a quote run found from an earlier paragraph
        i = start
        while i < end:
            if text[i] in _OPENERS and _is_opening(text, i, start):
                closing = _closing_mark(text, i, end)
                if closing is None:
                    following = paragraphs[number + 1][0] if number + 1 < len(paragraphs) else None
                    family = _DOUBLE if text[i] in _DOUBLE else _SINGLE if text[i] in _SINGLE else ""
                    # a quote introduced by a colon, or opening its paragraph, may go on after a
                    # mark of the other kind (‘… then “…: typing slips)
                    introduced = i == start or text[start:i].rstrip().endswith(":")
                    if introduced and family:
                        family = _DOUBLE + _SINGLE
                    if family and following is not None and text[following] in family:
                        spans.append(_span(text, i, end, end, number, closed=False))
                        i = end  # quotes inside it are part of it
                        continue
                    run = _markless_run(text, paragraphs, number, i) if i == start and text[i] in "“\"" else None
                    if run:
                        spans.extend(run)
                        skip_to = run[-1].paragraph + 1
                        break
                    if _unclosed_to_end(text, start, i, end):
                        spans.append(_span(text, i, end, end, number))
                        i = end
                        continue
                    i += 1
                    continue
                spans.append(_span(text, i, closing[1], closing[0], number))
                i = closing[1]
                continue
            i += 1
    return [s for s in spans if s.end > s.start]


def _span(text: str, open_: int, close: int, content_end: int, paragraph: int, closed: bool = True) -> QuotedSpan:
    start, end = open_ + 1, content_end
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return QuotedSpan(open_, close, start, end, paragraph, closed)


def _bare_span(text: str, paragraph: int, start: int, end: int, close: int | None = None, closed: bool = True) -> QuotedSpan:
    """A paragraph of a quote run that carries no opening mark: [start, end) of its words."""
    stop = end
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    return QuotedSpan(start, close if close is not None else end, start, stop, paragraph, closed, True)


def sentence_bounds(text: str, quoted: list[QuotedSpan]) -> list[tuple[int, int]]:
    """(start, end) of every sentence; a quote is never split, and a paragraph ends a sentence."""
    masked = list(text)
    for span in quoted:
        keep_last = text[span.end - 1] in ".!?" if span.end > span.start else False
        for k in range(span.start, span.end - (1 if keep_last else 0)):
            if not masked[k].isspace():
                masked[k] = "X"
    flat = "".join(masked)
    bounds = []
    for start, end in paragraph_bounds(text):
        cursor = start
        for match in _SENTENCE_END_RE.finditer(flat, start, end):
            if ends_abbreviation(flat, match.start(), cursor):
                continue
            bounds.append((cursor, match.end()))
            cursor = match.end()
        if cursor < end:
            bounds.append((cursor, end))
    return bounds


def sentence_at(bounds: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    """The sentence containing `offset`."""
    for start, end in bounds:
        if start <= offset < end:
            return start, end
    return (offset, offset)
