"""Exact and near-duplicate articles: syndicated copies and updated versions of one story.

Exact duplicates share `content_hash`. Near-duplicates are found with MinHash signatures of
word 5-grams and locality-sensitive hashing (datasketch). Signatures are kept in the
`article_signatures` table, so each load only computes them for its new articles; the
clusters are then rebuilt from all signatures (cheap: no text is read again).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import duckdb
import pyarrow as pa

from tasks.warehouse import load_sql

NUM_PERM = 128
SEED = 20261125  # fixed: signatures stored in the warehouse must stay comparable
SCHEME = "affine32"
SHINGLE_WORDS = 5
WORD = re.compile(r"\w+", re.UNICODE)

SIGNATURES_SCHEMA = pa.schema([("article_id", pa.string()), ("signature", pa.list_(pa.uint32()))])
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


def _minhash(values: list[int]):
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


def cluster_signatures(
    signatures: dict[str, list[int]], content_hashes: dict[str, str], threshold: float
) -> list[tuple[str, str, float, str]]:
    """Group articles into duplicate clusters: (cluster_id, article_id, similarity, kind).

    Articles with the same content hash are one cluster (similarity 1.0, kind "exact");
    LSH candidates whose estimated Jaccard similarity reaches `threshold` join clusters too.
    The cluster id is its smallest article id, so it is stable while the members stay;
    similarity and kind (exact: same content hash, else near) compare each member with that
    first one. Articles without a twin are left out.
    """
    parent = {article_id: article_id for article_id in signatures}

    def root(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_hash: dict[str, list[str]] = defaultdict(list)
    for article_id in sorted(signatures):
        by_hash[content_hashes[article_id]].append(article_id)
    for members in by_hash.values():
        for other in members[1:]:
            join(members[0], other)

    minhashes = {article_id: _minhash(values) for article_id, values in signatures.items()}
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for article_id in sorted(minhashes):
        for candidate in lsh.query(minhashes[article_id]):
            if minhashes[article_id].jaccard(minhashes[candidate]) >= threshold:
                join(article_id, candidate)
        lsh.insert(article_id, minhashes[article_id])

    clusters: dict[str, list[str]] = defaultdict(list)
    for article_id in signatures:
        clusters[root(article_id)].append(article_id)
    rows = []
    for cluster_id, members in sorted(clusters.items()):
        if len(members) < 2:
            continue
        first = minhashes[cluster_id]
        for article_id in sorted(members):
            exact = content_hashes[article_id] == content_hashes[cluster_id]
            similarity = 1.0 if exact else float(first.jaccard(minhashes[article_id]))
            rows.append((cluster_id, article_id, similarity, "exact" if exact else "near"))
    return rows


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
        stored = con.execute(load_sql("dedup/select_signatures.sql")).fetchall()
        signatures = {article_id: values for article_id, _, values in stored}
        hashes = {article_id: content for article_id, content, _ in stored}
        clusters = _rows_to_table(cluster_signatures(signatures, hashes, threshold), CLUSTERS_SCHEMA)
        con.execute(load_sql("dedup/delete_clusters.sql"))
        con.register("new_clusters", clusters)
        con.execute(load_sql("dedup/insert_clusters.sql"))
        con.unregister("new_clusters")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return clusters.num_rows
