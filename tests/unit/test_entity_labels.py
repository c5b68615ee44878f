"""Post-processing of the small model's entity labels: rules the article itself settles."""

from __future__ import annotations

from tasks.extract.entities import (
    NER_PIECE_CHARS,
    _add_missed_mentions,
    _relabel_by_context,
    _relabel_places,
    _trim_lowercase_lead,
    extract_entities,
    ner_pieces,
)
from tasks.settings import Settings


def spans_of(text: str, *labelled: tuple[str, str, int]) -> list[list]:
    """[start, end, label] for the n-th occurrence of each surface form."""
    spans = []
    for surface, label, nth in labelled:
        start = -1
        for _ in range(nth + 1):
            start = text.index(surface, start + 1)
        spans.append([start, start + len(surface), label])
    return spans


def labels(text: str, spans: list[list]) -> list[tuple[str, str]]:
    return [(text[s:e], label) for s, e, label in spans]


def test_a_surname_of_a_person_named_in_full_is_that_person():
    text = "Marcelo Ebrard met the press. “This tariff is not justified,” Ebrard said. Mexico replied."
    spans = spans_of(text, ("Marcelo Ebrard", "PERSON", 0), ("Ebrard", "ORG", 1), ("Mexico", "GPE", 0))
    _relabel_by_context(text, spans)
    assert labels(text, spans) == [("Marcelo Ebrard", "PERSON"), ("Ebrard", "PERSON"), ("Mexico", "GPE")]


def test_a_first_name_too_but_not_a_place_that_is_only_a_place():
    text = "Fahmi Fadzil spoke. Fahmi added more. Georgia Meloni visited Georgia."
    spans = spans_of(text, ("Fahmi Fadzil", "PERSON", 0), ("Fahmi", "ORG", 1), ("Georgia Meloni", "PERSON", 0), ("Georgia", "GPE", 1))
    _relabel_by_context(text, spans)
    assert labels(text, spans)[1] == ("Fahmi", "PERSON")
    assert labels(text, spans)[3] == ("Georgia", "GPE")


def test_names_with_organisation_words_are_organisations():
    text = "Democratic Party officials and the Washington Post said so."
    spans = spans_of(text, ("Democratic Party", "PERSON", 0), ("Washington Post", "GPE", 0))
    _relabel_by_context(text, spans)
    assert [label for *_, label in spans] == ["ORG", "ORG"]


def test_a_name_after_an_honorific_is_a_person():
    text = "Yesterday Mr. Tester voted, and Gen. Kuznetsov left; the Senate did not."
    spans = spans_of(text, ("Tester", "GPE", 0), ("Kuznetsov", "ORG", 0), ("Senate", "ORG", 0))
    _relabel_by_context(text, spans)
    assert [label for *_, label in spans] == ["PERSON", "PERSON", "ORG"]


def test_leading_lower_case_words_leave_the_name():
    text = "in mountainous Nepal and with Ursula von der Leyen"
    start = text.index("mountainous")
    assert text[_trim_lowercase_lead(text, start, start + len("mountainous Nepal")) :].startswith("Nepal")
    start = text.index("von")
    assert _trim_lowercase_lead(text, start, len(text)) == start


def test_a_surname_ner_missed_is_added_as_that_person():
    text = "Russell Bradbrooke spoke first. Bradbrooke said more. Tom Bradbrooke, Bradbrooke Ltd and Mr Bradbrooke did not."
    spans = spans_of(text, ("Russell Bradbrooke", "PERSON", 0))
    _add_missed_mentions(text, spans)
    assert labels(text, spans) == [("Russell Bradbrooke", "PERSON"), ("Bradbrooke", "PERSON"), ("Bradbrooke", "PERSON")]
    assert [s for s, *_ in spans] == [0, text.index("Bradbrooke said"), text.index("Bradbrooke did")]  # only after "Mr"


def test_ner_pieces_cut_long_texts_at_paragraph_ends_and_lose_nothing():
    paragraphs = [f"Paragraph {n} says that Olaf Scholz met Emmanuel Macron in Berlin. " * 3 for n in range(40)]
    text = "\n".join(paragraphs)
    pieces = list(ner_pieces(text, limit=1000))
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)
    assert len(pieces) > 5 and all(len(piece) <= 1000 for _, piece in pieces)
    assert all(piece.endswith("\n") for _, piece in pieces[:-1])  # whole paragraphs


def test_ner_pieces_fall_back_to_sentence_ends_then_spaces():
    one_paragraph = "Olaf Scholz met Emmanuel Macron in Berlin. " * 60
    pieces = list(ner_pieces(one_paragraph, limit=500))
    assert "".join(piece for _, piece in pieces) == one_paragraph
    assert all(piece.endswith(". ") for _, piece in pieces[:-1])
    no_stops = "word " * 300
    pieces = list(ner_pieces(no_stops, limit=500))
    assert "".join(piece for _, piece in pieces) == no_stops
    assert all(piece.endswith(" ") and len(piece) <= 500 for _, piece in pieces)
    assert "".join(piece for _, piece in ner_pieces("x" * 1200, limit=500)) == "x" * 1200


def test_entities_of_a_long_text_keep_their_offsets_across_pieces():
    paragraphs = [f"In part {n}, Chancellor Olaf Scholz spoke in Berlin about NATO." for n in range(60)]
    text = "\n".join(paragraphs)
    found = extract_entities([text], Settings().spacy_model)[0]
    assert len(text) > 3 * NER_PIECE_CHARS
    assert all(text[e.start_char : e.end_char] == e.text for e in found)
    berlin = [e for e in found if e.text == "Berlin"]
    assert len(berlin) == 60 and {e.label for e in berlin} == {"GPE"}


def test_cities_and_countries_called_loc_are_places_but_continents_stay_loc():
    text = "Troops moved towards Kharkiv and Asia watched, far from Europe."
    spans = spans_of(text, ("Kharkiv", "LOC", 0), ("Asia", "LOC", 0), ("Europe", "LOC", 0))
    _relabel_places(text, spans)
    assert labels(text, spans) == [("Kharkiv", "GPE"), ("Asia", "LOC"), ("Europe", "LOC")]
