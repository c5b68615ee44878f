"""Snippets around the words a search matched."""

from tasks.search import fts_extension_path, make_snippet

TEXT = (
    "The council met on Tuesday. After a long debate about the budget, the mayor said that "
    "NATO trainers would arrive at the base next spring to train local volunteers, and that "
    "the harbour would stay open at night."
)


def test_snippet_centres_on_the_first_match_and_marks_query_words():
    snippet = make_snippet(TEXT, "nato trainers", width=80)
    assert "**NATO** **trainers**" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 80 + 30  # the window plus markers and word endings


def test_snippet_matches_word_forms_by_prefix():
    assert "**train**" in make_snippet(TEXT, "training", width=300)


def test_snippet_without_a_match_is_the_start_of_the_text():
    snippet = make_snippet(TEXT, "zebra", width=40)
    assert snippet.startswith("The council met") and snippet.endswith("…") and "**" not in snippet


def test_short_text_is_returned_whole():
    assert make_snippet("Harbour open at night.", "harbour") == "**Harbour** open at night."


def test_fts_extension_ships_with_the_installed_package():
    path = fts_extension_path()
    assert path.name == "fts.duckdb_extension" and path.stat().st_size > 100_000
