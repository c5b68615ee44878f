"""Exact and near-duplicate clustering on MinHash signatures."""

from tasks.dedup import cluster_signatures, shingles, signature

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


def cluster(texts: dict[str, str], threshold: float = 0.8):
    signatures = {article_id: signature(text) for article_id, text in texts.items()}
    hashes = {article_id: " ".join(text.split()) for article_id, text in texts.items()}
    return cluster_signatures(signatures, hashes, threshold)


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
