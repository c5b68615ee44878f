"""Typed records passed between stages, and the Arrow schemas they are written with.

The Arrow schemas here and the DuckDB DDL in `sql/schema/` describe the same tables;
`tests/integration/test_schema.py` fails when the two drift apart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

# Bump when a change to cleaning or extraction changes the rows it produces.
EXTRACTOR_REVISION = "22"


class Rejected(Exception):
    """An input that cannot become an article: recorded in `rejects`, never fatal."""

    def __init__(self, stage: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{stage}/{reason}: {detail}")
        self.stage = stage
        self.reason = reason
        self.detail = detail[:500]


@dataclass(frozen=True)
class InputItem:
    """One input to the pipeline, before it is read: a file, or one record of a WARC file."""

    source: str  # where it came from, as stored in every row derived from it
    location: str  # the file to read
    kind: str  # "html", "text", "warc" (a whole archive, before expansion) or "unsupported"
    compressed: bool = False
    record_index: int | None = None  # for a WARC record: its position in the file
    record_offset: int | None = None  # for a WARC record: its byte offset (None: not seekable)
    url: str | None = None  # for a WARC record: its target URI
    fetched_at: datetime | None = None  # for a WARC record: its WARC-Date (UTC)
    # A page fetched from the web is one record of the run's raw archive: `source` is its URL.


@dataclass
class CleanedPage:
    """What cleaning produced from one input: main text plus metadata."""

    title: str | None
    text: str
    authors: list[str] = field(default_factory=list)
    # the publisher's local wall time (JSON-LD offset dropped, not converted) or a day (htmldate)
    published_at: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    url: str | None = None
    image_url: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    html: str | None = field(default=None, repr=False)  # the decoded page, for extractors that need markup
    # the page's lxml tree, parsed once for trafilatura and for the markup extractors, which drop it
    markup: object | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Entity:
    """A named entity mention; `name` is the mention's normalised name within its article."""

    text: str
    name: str
    label: str
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Quote:
    """Words attributed to a speaker: quoted (direct) or reported speech."""

    quote: str
    speaker: str | None
    speaker_entity_name: str | None
    cue: str | None
    direct: bool
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Citation:
    """Another outlet or document the article names as its source."""

    outlet: str
    cited_title: str | None
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Link:
    """A link inside the article's main content."""

    href: str
    anchor_text: str
    is_external: bool


@dataclass
class ExtractedFields:
    """Everything the extractors found in one article, and which of them ran."""

    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    modified_at: datetime | None = None
    is_translation: bool | None = None
    original_language: str | None = None
    extractors: list[str] = field(default_factory=list)  # those that ran and succeeded
    errors: dict[str, str] = field(default_factory=dict)  # extractor -> why it failed on this article


def input_id(data: bytes) -> str:
    """Stable id of an input's content: the same bytes always give the same id."""
    return hashlib.sha256(data).hexdigest()[:32]


def content_hash(text: str) -> str:
    """Hash of the cleaned text with whitespace folded, for exact-duplicate detection."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:32]


ARTICLES_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("published_at", pa.timestamp("us")),
        ("language", pa.string()),
        ("site_name", pa.string()),
        ("description", pa.string()),
        ("image_url", pa.string()),
        ("categories", pa.list_(pa.string())),
        ("tags", pa.list_(pa.string())),
        ("modified_at", pa.timestamp("us")),
        ("is_translation", pa.bool_()),
        ("original_language", pa.string()),
        ("text", pa.string()),
        ("word_count", pa.int32()),
        ("content_hash", pa.string()),
        ("input_kind", pa.string()),
        ("fetched_at", pa.timestamp("us")),
        ("extractors", pa.list_(pa.string())),
        ("extraction_errors", pa.string()),
        ("run_id", pa.string()),
        ("ingested_at", pa.timestamp("us")),
        ("extractor_version", pa.string()),
    ]
)

_LINEAGE = [("article_id", pa.string()), ("run_id", pa.string()), ("extractor_version", pa.string())]

ENTITIES_SCHEMA = pa.schema(
    [
        _LINEAGE[0],
        ("text", pa.string()),
        ("name", pa.string()),
        ("label", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        *_LINEAGE[1:],
    ]
)

QUOTES_SCHEMA = pa.schema(
    [
        _LINEAGE[0],
        ("quote", pa.string()),
        ("speaker", pa.string()),
        ("speaker_entity_name", pa.string()),
        ("cue", pa.string()),
        ("direct", pa.bool_()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        *_LINEAGE[1:],
    ]
)

CITATIONS_SCHEMA = pa.schema(
    [
        _LINEAGE[0],
        ("outlet", pa.string()),
        ("cited_title", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        *_LINEAGE[1:],
    ]
)

LINKS_SCHEMA = pa.schema(
    [
        _LINEAGE[0],
        ("href", pa.string()),
        ("anchor_text", pa.string()),
        ("is_external", pa.bool_()),
        *_LINEAGE[1:],
    ]
)

# Tables whose rows belong to one article (by article_id): written, replaced and deleted with it.
# Each name is also the ExtractedFields attribute holding that table's records.
CHILD_SCHEMAS = {
    "entities": ENTITIES_SCHEMA,
    "quotes": QUOTES_SCHEMA,
    "citations": CITATIONS_SCHEMA,
    "links": LINKS_SCHEMA,
}

REJECTS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("source", pa.string()),
        ("input_id", pa.string()),
        ("stage", pa.string()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("rejected_at", pa.timestamp("us")),
        ("extractor_version", pa.string()),
    ]
)

FETCHES_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("purpose", pa.string()),
        ("attempt", pa.int32()),
        ("status", pa.int32()),
        ("bytes", pa.int64()),
        ("content_type", pa.string()),
        ("fetched_at", pa.timestamp("us")),
        ("elapsed_ms", pa.int32()),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("outcome", pa.string()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("warc_file", pa.string()),
        ("warc_offset", pa.int64()),
        ("input_id", pa.string()),
    ]
)

RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("started_at", pa.timestamp("us")),
        ("finished_at", pa.timestamp("us")),
        ("status", pa.string()),
        ("inputs", pa.int64()),
        ("loaded", pa.int64()),
        ("rejected", pa.int64()),
        ("skipped", pa.int64()),
        ("deferred", pa.int64()),
        ("rejected_by_reason", pa.string()),
        ("skipped_by_reason", pa.string()),
        ("arguments", pa.string()),
        ("versions", pa.string()),
        ("extractor_version", pa.string()),
        ("flow_run_id", pa.string()),
        ("message", pa.string()),
    ]
)


def _extractor_version() -> str:
    from importlib.metadata import version

    return f"newsroom-{EXTRACTOR_REVISION}+trafilatura-{version('trafilatura')}"


EXTRACTOR_VERSION = _extractor_version()
# Rows cleaned with the fast profile (NEWSROOM_FAST, --fast) say so: `newsroom reprocess`
# re-extracts them with the full profile.
FAST_SUFFIX = "+fast"


def extractor_version(fast: bool = False) -> str:
    """The extractor version stored with each row of a run, with its cleaning profile."""
    return EXTRACTOR_VERSION + (FAST_SUFFIX if fast else "")
