"""Field extraction over cleaned articles: entities, quotes, citations, links, metadata.

`extract_fields` is the pure entry point for a batch of cleaned pages. Each extractor runs
on its own: when one fails on an article, only that field is missing for that article (the
reason is kept in `ExtractedFields.errors`); the article and the other fields still load.
NER (English only, spaCy) runs once over the batch with `nlp.pipe`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence

from tasks.extract.citations import extract_citations
from tasks.extract.entities import extract_entities
from tasks.extract.links import links_in, parse_page
from tasks.extract.metadata import detect_translation, modified_at_in
from tasks.extract.quotes import extract_direct_quotes, extract_reported_speech
from tasks.extract.spans import find_quoted_spans, sentence_bounds
from tasks.records import CleanedPage, Entity, ExtractedFields

NER_LANGUAGES = {"en"}
# Errors an extractor can raise on odd text; anything else is a bug and stops the batch loudly.
_FIELD_ERRORS = (ValueError, TypeError, IndexError, KeyError, AttributeError, RecursionError, UnicodeError)


def run_extractor(
    fields: ExtractedFields, name: str, step: Callable[[], object], seconds: Counter[str] | None = None
) -> None:
    """Run one extractor step; on a field error record it in `fields.errors` instead of raising.

    `seconds`, when given, accumulates the step's time under its name (benchmarks read it).
    """
    clock = time.perf_counter()
    try:
        step()
    except _FIELD_ERRORS as exc:
        fields.errors[name] = f"{type(exc).__name__}: {exc}"[:300]
    else:
        fields.extractors.append(name)
    finally:
        if seconds is not None:
            seconds[name] += time.perf_counter() - clock


def _drop_inside_titles(text: str, entities: list[Entity], fields: ExtractedFields, quoted) -> list[Entity]:
    """Entities NER finds inside a cited headline ("NATO Considers …" as ORG) are headline words."""
    titles = [(q.start, q.end) for q in quoted if any(c.cited_title and text[q.start : q.end].startswith(c.cited_title) for c in fields.citations)]
    elsewhere = {e.name for e in entities if not any(s <= e.start_char < t for s, t in titles)}
    return [e for e in entities if e.name in elsewhere or not any(s <= e.start_char < t for s, t in titles)]


def extract_article(
    page: CleanedPage,
    entities: list[Entity] | None,
    fields: ExtractedFields | None = None,
    seconds: Counter[str] | None = None,
) -> ExtractedFields:
    """Run every extractor but NER on one article; `entities` come from `extract_entities` (None: not run)."""
    fields = fields or ExtractedFields()
    text = page.text
    # quoted spans and sentences serve citations and quotes, which run on NER languages only
    quoted = find_quoted_spans(text) if entities is not None else []
    sentences = sentence_bounds(text, quoted) if entities is not None else []
    known = entities or []

    def citations() -> None:
        fields.citations = extract_citations(text, known, quoted, sentences)
        if entities is not None:
            fields.entities = _drop_inside_titles(text, entities, fields, quoted)

    def quotes() -> None:
        fields.quotes = extract_direct_quotes(text, fields.entities or known, quoted, sentences)
        fields.quotes += extract_reported_speech(text, fields.entities or known, quoted, sentences)

    def translation() -> None:
        fields.is_translation, fields.original_language = detect_translation(text, page.title, page.language)

    if entities is not None:
        fields.entities = entities
        run_extractor(fields, "citations", citations, seconds)
        run_extractor(fields, "quotes", quotes, seconds)
    run_extractor(fields, "translation", translation, seconds)
    extract_markup(page, fields, seconds)
    return fields


def extract_markup(page: CleanedPage, fields: ExtractedFields, seconds: Counter[str] | None = None) -> ExtractedFields:
    """The extractors that read the page's HTML (links, modified_at), over one parse of it
    (the tree cleaning parsed for trafilatura, when the page has one).

    The page then lets go of its HTML: called right after cleaning, a batch does not hold
    every page's markup (and its tree) while NER runs. A page without HTML is left as is.
    """
    if page.html is None:
        return fields
    clock = time.perf_counter()
    root = page.markup if page.markup is not None else parse_page(page.html)
    if seconds is not None:
        seconds["parse"] += time.perf_counter() - clock
    if root is not None:
        run_extractor(fields, "links", lambda: setattr(fields, "links", links_in(root, page.text, page.url)), seconds)
        run_extractor(fields, "modified_at", lambda: setattr(fields, "modified_at", modified_at_in(root)), seconds)
    else:
        fields.extractors += ["links", "modified_at"]  # no markup: no links, no modification time
    page.html = page.markup = None
    return fields


def extract_fields(
    pages: Sequence[CleanedPage],
    model: str,
    ner_min_chars: int = 80,
    entities: bool = True,
    seconds: Counter[str] | None = None,
    started: Sequence[ExtractedFields] | None = None,
) -> list[ExtractedFields]:
    """Extract every field of each page; NER runs in one batch over the English pages.

    With `entities=False` NER is skipped: English pages still get quotes and citations (found
    without entity names), and "entities" is missing from their `extractors`. `seconds`, when
    given, accumulates the time of each extractor by name. `started` are fields already
    extracted per page (by `extract_markup` right after cleaning); they are completed.
    """
    results = list(started) if started is not None else [ExtractedFields() for _ in pages]
    english = [i for i, p in enumerate(pages) if p.language in NER_LANGUAGES and len(p.text) >= ner_min_chars]
    found: dict[int, list[Entity]] = {}
    clock = time.perf_counter()
    if english and not entities:
        found = {i: [] for i in english}
    elif english:
        try:
            batch = extract_entities([pages[i].text for i in english], model)
        except _FIELD_ERRORS:
            # one text broke the batch: run them one by one so only that article loses its entities
            for i in english:

                def one(i: int = i) -> None:
                    found[i] = extract_entities([pages[i].text], model)[0]

                run_extractor(results[i], "entities", one)
        else:
            for i, entities_ in zip(english, batch):
                found[i] = entities_
                results[i].extractors.append("entities")
        if seconds is not None:
            seconds["entities"] += time.perf_counter() - clock
    for i, page in enumerate(pages):
        extract_article(page, found.get(i), results[i], seconds)
    return results
