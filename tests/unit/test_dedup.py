"""Exact and near-duplicate clustering on MinHash signatures."""

import random

import duckdb
import pytest

from tasks.dedup import NUM_PERM, SIGNATURES_SCHEMA, _rows_to_table, cluster_articles, lsh_bands, shingles, signature
from tasks.warehouse import load_sql

STORY = (
    "The port authority confirmed on Thursday that night shifts at the container terminal will resume "
    "next month after the council voted seven to two in favour of the plan. Dock workers had asked for "
    "better lighting and a second crane operator on each shift. The union welcomed the decision but said "
    "it would watch closely how the new rota affects families living near the harbour. "
)
OTHER = (
    "Heavy rain flooded the lower town overnight and several roads remain closed. The fire brigade "
    "pumped water from basements until the early morning, and the school on the river bank stays shut "
    "until engineers have checked its foundations. Residents were told to boil tap water for two days. "
)


def warehouse(texts: dict[str, str]):
    """A DuckDB with the two tables clustering reads: articles (id, content hash) and signatures."""
    con = duckdb.connect()
    con.execute("create table articles (article_id varchar, content_hash varchar)")
    con.execute("create table article_signatures (article_id varchar, signature uinteger[])")
    con.executemany("insert into articles values (?, ?)", [(a, " ".join(t.split())) for a, t in texts.items()])
    signed = _rows_to_table([(a, signature(t)) for a, t in texts.items()], SIGNATURES_SCHEMA)
    con.register("signed", signed)
    con.execute("insert into article_signatures select * from signed")
    return con


def cluster(texts: dict[str, str], threshold: float = 0.8):
    return [tuple(row.values()) for row in cluster_articles(warehouse(texts), threshold).to_pylist()]


def test_shingles_are_word_five_grams_ignoring_case_and_punctuation():
    assert shingles("One, two THREE four five six.") == {b"one two three four five", b"two three four five six"}
    assert shingles("Too short") == {b"too short"}


def test_exact_copies_and_a_syndicated_copy_form_one_cluster():
    syndicated = "Reprinted with permission. " + STORY * 2 + "Copyright The Coastal Ledger."
    rows = cluster({"b": STORY * 2, "a": STORY * 2, "c": syndicated, "z": OTHER * 2})
    assert [(c, a, k) for c, a, _, k in rows] == [("a", "a", "exact"), ("a", "b", "exact"), ("a", "c", "near")]
    similarity = {a: s for _, a, s, _ in rows}
    assert similarity["a"] == similarity["b"] == 1.0
    assert 0.8 <= similarity["c"] < 1.0


def test_different_stories_and_a_heavily_rewritten_one_stay_apart():
    rewritten = STORY.replace("night shifts", "evening work").replace("council", "board").replace("union", "guild")
    assert cluster({"a": STORY, "b": OTHER, "c": rewritten}) == []


def test_signatures_are_stable_across_calls():
    assert signature(STORY) == signature(STORY) and len(signature(STORY)) == 128


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_clusters_join_exactly_the_pairs_datasketch_lsh_finds(threshold):
    from datasketch import MinHash, MinHashLSH

    rng = random.Random(5)
    words = (STORY + OTHER).split()
    texts = {}
    for n in range(60):  # stories, each with a few edited copies of varying distance
        base = " ".join(rng.choice(words) for _ in range(120))
        texts[f"s{n:02d}"] = base
        for k in range(rng.randint(0, 3)):
            edited = base.split()
            for _ in range(rng.choice([1, 4, 10, 25])):
                edited[rng.randrange(len(edited))] = rng.choice(words)
            texts[f"s{n:02d}e{k}"] = " ".join(edited)
    # the reference: datasketch's own LSH over the same signatures
    minhashes = {}
    for article_id, text in texts.items():
        minhash = MinHash(num_perm=NUM_PERM, seed=20261125, scheme="affine32")
        minhash.hashvalues[:] = signature(text)
        minhashes[article_id] = minhash
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    expected = set()
    for article_id in sorted(minhashes):
        for candidate in lsh.query(minhashes[article_id]):
            if minhashes[article_id].jaccard(minhashes[candidate]) >= threshold:
                expected.add(tuple(sorted((article_id, candidate))))
        lsh.insert(article_id, minhashes[article_id])
    assert (lsh.b, lsh.r) == lsh_bands(threshold)
    found = {
        (a, b)
        for a, b in warehouse(texts).execute(
            load_sql("dedup/near_duplicate_pairs.sql"), {"bands": lsh.b, "rows": lsh.r, "threshold": threshold}
        ).fetchall()
    }
    assert found == expected and len(expected) > 20
    # every found pair ends in one cluster, with datasketch's similarity to the cluster's first
    rows = cluster(texts, threshold)
    cluster_of = {article_id: cluster_id for cluster_id, article_id, _, _ in rows}
    assert all(cluster_of[a] == cluster_of[b] for a, b in expected)
    for cluster_id, article_id, similarity, _ in rows:
        assert similarity == pytest.approx(minhashes[cluster_id].jaccard(minhashes[article_id]))
