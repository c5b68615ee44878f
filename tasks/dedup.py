"""Exact and near-duplicate articles: syndicated copies and updated versions of one story.

Exact duplicates share `content_hash`. Near-duplicates are found with MinHash signatures of
word 5-grams and locality-sensitive hashing (datasketch's banding, run in DuckDB). Signatures
are kept in the `article_signatures` table, so each load only computes them for its new
articles; the clusters are then rebuilt from all signatures in SQL (no text is read again,
and no signature is loaded into Python).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

import duckdb
import pyarrow as pa

from tasks.warehouse import load_sql

NUM_PERM = 128
SEED = 20261125  # fixed: signatures stored in the warehouse must stay comparable
SCHEME = "affine32"
SHINGLE_WORDS = 5
WORD = re.compile(r"\w+", re.UNICODE)

SIGNATURES_SCHEMA = pa.schema([("article_id", pa.string()), ("signature", pa.list_(pa.uint32()))])
MEMBERS_SCHEMA = pa.schema([("cluster_id", pa.string()), ("article_id", pa.string())])
CLUSTERS_SCHEMA = pa.schema(
    [("cluster_id", pa.string()), ("article_id", pa.string()), ("similarity", pa.float64()), ("kind", pa.string())]
)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The set of lower-cased word `size`-grams of a text (the whole text if it is shorter)."""
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def signature(text: str) -> list[int]:
    """MinHash signature of a text's shingles, as plain integers for storage."""
    from datasketch import MinHash  # imported when used: it pulls in scipy (~1 s)

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch(list(shingles(text)))
    return minhash.hashvalues.tolist()


@cache
def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) of datasketch's MinHashLSH for this threshold (its default weights)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def _components(groups: Iterable[Iterable[str]]) -> dict[str, list[str]]:
    """Connected components of the articles linked by `groups` (pairs, or lists of copies),
    keyed by their smallest article id; every list sorted."""
    parent: dict[str, str] = {}

    def root(a: str) -> str:
        parent.setdefault(a, a)
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for group in groups:
        first, *others = group
        for other in others:
            ra, rb = root(first), root(other)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    clusters: dict[str, list[str]] = defaultdict(list)
    for article_id in parent:
        clusters[root(article_id)].append(article_id)
    return {cluster_id: sorted(members) for cluster_id, members in sorted(clusters.items())}


def cluster_articles(con: duckdb.DuckDBPyConnection, threshold: float) -> pa.Table:
    """Group the signed articles into duplicate clusters: (cluster_id, article_id, similarity, kind).

    Articles with the same content hash are one cluster (similarity 1.0, kind "exact"); pairs
    whose estimated Jaccard similarity reaches `threshold` among the LSH candidates join
    clusters too (sql/dedup/near_duplicate_pairs.sql: the candidates of datasketch's
    MinHashLSH, computed in DuckDB so no signature is held in Python). The cluster id is its
    smallest article id, so it is stable while the members stay; similarity and kind (exact:
    same content hash, else near) compare each member with that first one. Articles without a
    twin are left out.
    """
    bands, rows = lsh_bands(threshold)
    exact = [members for (members,) in con.execute(load_sql("dedup/exact_duplicate_groups.sql")).fetchall()]
    near = con.execute(
        load_sql("dedup/near_duplicate_pairs.sql"), {"bands": bands, "rows": rows, "threshold": threshold}
    ).fetchall()
    members = [(cluster_id, article_id) for cluster_id, ids in _components([*exact, *near]).items() for article_id in ids]
    con.register("cluster_members", _rows_to_table(members, MEMBERS_SCHEMA))
    try:
        return con.execute(load_sql("dedup/cluster_similarity.sql")).to_arrow_table().cast(CLUSTERS_SCHEMA)
    finally:
        con.unregister("cluster_members")


def _rows_to_table(rows: Iterable[tuple], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True)) or [[] for _ in schema]
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema)


def sign_new_articles(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """MinHash signatures of the articles that have none yet (new since the last load)."""
    unsigned = con.execute(load_sql("dedup/select_unsigned.sql")).fetchall()
    return _rows_to_table(((a, signature(text)) for a, text in unsigned), SIGNATURES_SCHEMA)


def update_duplicate_clusters(con: duckdb.DuckDBPyConnection, threshold: float, new: pa.Table | None = None) -> int:
    """Sign new articles, drop signatures of removed ones, rebuild `duplicate_clusters`.

    `new`: the new articles' signatures when already computed (`sign_new_articles`, with no
    load in between). Runs in one transaction; returns the number of articles that belong
    to a cluster.
    """
    con.execute("begin transaction")
    try:
        con.execute(load_sql("dedup/delete_stale_signatures.sql"))
        if new is None:
            new = sign_new_articles(con)
        con.register("new_signatures", new)
        con.execute(load_sql("dedup/insert_signatures.sql"))
        con.unregister("new_signatures")
        clusters = cluster_articles(con, threshold)
        con.execute(load_sql("dedup/delete_clusters.sql"))
        con.register("new_clusters", clusters)
        con.execute(load_sql("dedup/insert_clusters.sql"))
        con.unregister("new_clusters")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return clusters.num_rows
