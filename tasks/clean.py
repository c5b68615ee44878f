"""Clean one input into main text and metadata: trafilatura for HTML, a simple rule for text.

`clean_page` is the pure entry point (bytes in, CleanedPage out, or Rejected raised);
the Prefect task that calls it over a batch lives in `flows/`.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from functools import cache

from trafilatura import bare_extraction

from tasks.decode import decode_document
from tasks.records import CleanedPage, Rejected

# trafilatura, htmldate and courlan log every odd page at WARNING/ERROR. For this tool odd
# pages are normal data: the problem is kept as a reject reason, not printed to the user.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

EARLIEST_DATE = datetime(1990, 1, 1)
_BLANK_LINES_RE = re.compile(r"\n\s*\n\s*")
_LANG_RE = re.compile(r"<html[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)


@cache
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, declared: str | None = None, min_chars: int = 200) -> str | None:
    """ISO 639-1 code of the text's language.

    A long enough text is classified from its words (py3langid); short texts trust what the
    page declares and fall back to a confident guess. None when nothing is convincing.
    """
    declared = declared.lower() if declared else None
    sample = text[:5000]
    if len(sample.strip()) < 20:
        return declared
    language, probability = _language_identifier().classify(sample)
    if len(sample) >= min_chars and probability >= 0.9:
        return language
    if declared:
        return declared
    return language if probability >= 0.7 else None


def parse_published(value: str | None, now: datetime | None = None) -> datetime | None:
    """A publication date from trafilatura (YYYY-MM-DD...), dropped when absurd (pre-1990, future)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    latest = (now or datetime.now(UTC).replace(tzinfo=None)) + timedelta(days=2)
    return parsed if EARLIEST_DATE <= parsed <= latest else None


def _tidy(text: str) -> str:
    lines = (line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip()


def _paragraphs(body: str) -> str:
    """One paragraph per line, as trafilatura gives HTML bodies.

    With blank lines between paragraphs, lines inside one are a hard wrap and are joined;
    without any blank line, every line is a paragraph.
    """
    if "\n\n" not in body:
        return body
    return "\n".join(" ".join(block.split("\n")) for block in body.split("\n\n"))


def _drop_leading_title(text: str, title: str | None) -> str:
    """trafilatura keeps the headline as the body's first line; the title column has it."""
    first, _, rest = text.partition("\n")
    if title and rest and " ".join(first.split()) == " ".join(title.split()):
        return rest.lstrip()
    return text


def _names(values) -> list[str]:
    """Categories or tags as trafilatura gives them, trimmed and without repeats."""
    seen: dict[str, None] = {}
    for value in values or []:
        value = " ".join(str(value).split())
        if value:
            seen.setdefault(value, None)
    return list(seen)


def clean_text_article(text: str, min_chars: int = 40, language_min_chars: int = 200) -> CleanedPage:
    """A plain-text article: the first non-empty line is the title, the rest the body."""
    text = _tidy(text)
    title, _, body = text.partition("\n")
    body = _paragraphs(body.strip())
    if len(body) < min_chars:
        raise Rejected("clean", "too_short", f"{len(body)} characters of body after the title line")
    language = detect_language(f"{title}\n{body}", min_chars=language_min_chars)
    return CleanedPage(title=title.strip() or None, text=body, language=language)


def clean_html_article(
    html: str, url: str | None = None, min_chars: int = 40, language_min_chars: int = 200
) -> CleanedPage:
    """An HTML page: trafilatura's main text and metadata, normalised."""
    try:
        document = bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
        )
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        # trafilatura's parser gives up on some broken markup with these; it is a bad page.
        raise Rejected("clean", "unparsable_html", f"{type(exc).__name__}: {exc}") from None
    if document is None or not (document.text or "").strip():
        raise Rejected("clean", "no_article", "no main text found in the page")
    title = (document.title or "").strip() or None
    text = _drop_leading_title(_tidy(document.text), title)
    if len(text) < min_chars:
        raise Rejected("clean", "too_short", f"{len(text)} characters of main text")
    declared = _LANG_RE.search(html[:4096])
    authors = [name.strip() for name in (document.author or "").split(";") if name.strip()]
    return CleanedPage(
        title=title,
        text=text,
        authors=authors,
        published_at=parse_published(document.date),
        language=detect_language(text, declared.group(1) if declared else None, language_min_chars),
        site_name=document.sitename or document.hostname or None,
        description=document.description or None,
        url=document.url or url,
        image_url=document.image or None,
        categories=_names(document.categories),
        tags=_names(document.tags),
        html=html,
    )


def clean_page(
    data: bytes,
    kind: str,
    url: str | None = None,
    charset: str | None = None,
    min_chars: int = 40,
    language_min_chars: int = 200,
) -> CleanedPage:
    """Decode and clean one input of the given kind ("html" or "text"), or raise Rejected."""
    text = decode_document(data, charset)
    if kind == "text":
        return clean_text_article(text, min_chars, language_min_chars)
    return clean_html_article(text, url, min_chars, language_min_chars)
