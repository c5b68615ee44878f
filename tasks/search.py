"""Full-text search over articles with DuckDB's `fts` extension (BM25 ranking).

The extension ships in the `duckdb-extension-fts` package (version-matched to DuckDB), so it
loads from the installed package and never from the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import duckdb_extension_fts

from tasks.warehouse import load_sql

WORD = re.compile(r"\w+", re.UNICODE)


@cache
def fts_extension_path() -> Path:
    """The `fts.duckdb_extension` file of the installed package for this DuckDB version."""
    folder = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    path = folder / "fts.duckdb_extension"
    if not path.is_file():
        raise FileNotFoundError(f"duckdb-extension-fts has no build for DuckDB {duckdb.__version__} at {path}")
    return path


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load the fts extension into a connection (needed to build or query the index)."""
    con.load_extension(str(fts_extension_path()))


def build_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the BM25 index over articles' title and text.

    DuckDB's fts index is not updated by inserts or deletes, so it is rebuilt after each load;
    see benchmarks/RESULTS.md for what that costs.
    """
    load_fts(con)
    con.execute(load_sql("search/index_state.sql"))
    con.execute(load_sql("search/create_index.sql"))


# An update that touches more than this share of the indexed articles is slower than a rebuild.
REBUILD_SHARE = 0.25


def update_search_index(con: duckdb.DuckDBPyConnection) -> str:
    """Bring the BM25 index up to date with `articles`; say how: "built", "updated" or "unchanged".

    A rebuild reads every article (2.9 s for 1,860 articles, growing with the warehouse), so
    after a load that changed a few articles only their documents are removed from and added
    to the extension's tables (sql/search/update_index.sql): the scores are those of a rebuild.
    Articles whose text or title changed under the same id (`newsroom reprocess`) are found by
    their content hash and title. An index from before this update (no `indexed` table), or
    a change to more than `REBUILD_SHARE` of the articles, is rebuilt.
    """
    load_fts(con)
    if not con.execute(load_sql("search/index_tracked.sql")).fetchone()[0]:
        build_search_index(con)
        return "built"
    con.execute(load_sql("search/index_state.sql"))
    con.execute("begin transaction")
    try:
        stale, fresh, indexed = con.execute(load_sql("search/index_changes.sql")).fetchone()
        rebuild = stale + fresh > REBUILD_SHARE * indexed
        if (stale or fresh) and not rebuild:
            con.execute(load_sql("search/update_index.sql"))
    except BaseException:
        con.execute("rollback")
        raise
    if rebuild:
        con.execute("rollback")
        build_search_index(con)
        return "built"
    con.execute("commit")
    return "updated" if stale or fresh else "unchanged"


def search_index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the articles' search index has been built in this database."""
    return con.execute(load_sql("search/index_exists.sql")).fetchone()[0]


@dataclass(frozen=True)
class SearchHit:
    """One ranked search result."""

    article_id: str
    title: str | None
    source: str
    published_at: datetime | None
    score: float
    snippet: str


def make_snippet(text: str, query: str, width: int = 160) -> str:
    """About `width` characters of `text` where most query words meet, query words marked **so**.

    Words match by prefix (the query word less up to three letters, at least four kept;
    case-insensitive), close to the index's stemming: "training" also marks "train" and
    "trainers". Without a match the snippet is the start of the text.
    """
    stems = [t.lower()[: max(4, len(t) - 3)] for t in WORD.findall(query) if len(t) > 1]

    def hit(word: str) -> bool:
        return any(word.lower().startswith(stem) for stem in stems)

    def stem_of(word: str) -> str:
        return next(stem for stem in stems if word.lower().startswith(stem))

    matches = [(m.start(), stem_of(m.group())) for m in WORD.finditer(text) if hit(m.group())]

    def variety(position: int) -> int:
        return len({stem for at, stem in matches if position <= at < position + width * 2 // 3})

    first = max((at for at, _ in matches), key=lambda at: (variety(at), -at), default=0)
    start = max(0, first - width // 3)
    if start:
        start = text.rfind(" ", 0, start) + 1
    end = min(len(text), start + width)
    if end < len(text):
        space = text.find(" ", end)
        end = len(text) if space == -1 else space
    window = WORD.sub(lambda m: f"**{m.group()}**" if hit(m.group()) else m.group(), text[start:end])
    return ("…" if start else "") + " ".join(window.split()) + ("…" if end < len(text) else "")


def search_articles(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[SearchHit]:
    """Articles matching `query`, best BM25 score first, each with a snippet."""
    load_fts(con)
    rows = con.execute(load_sql("search/search_articles.sql"), {"query": query, "limit": limit}).fetchall()
    return [
        SearchHit(article_id, title, source, published_at, score, make_snippet(text, query))
        for article_id, title, source, published_at, score, text in rows
    ]
