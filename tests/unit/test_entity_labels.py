"""Post-processing of the small model's entity labels: rules the article itself settles."""

from __future__ import annotations

from tasks.extract.entities import (
    NER_PIECE_CHARS,
    _add_missed_mentions,
    _join_split_names,
    _relabel_by_context,
    _relabel_hometowns,
    _relabel_places,
    _split_possessives,
    _trim_common_lead,
    _trim_lowercase_lead,
    entities_from_spans,
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


def test_a_name_followed_by_an_age_is_a_person():
    text = "Her friend Bianca Jones, also 19, died. Wilson, 49, said so; the Global Fire Emissions Database, 8,668 fires."
    spans = spans_of(text, ("Bianca Jones", "ORG", 0), ("Wilson", "GPE", 0), ("Global Fire Emissions Database", "ORG", 0))
    _relabel_by_context(text, spans)
    assert [label for *_, label in spans] == ["PERSON", "PERSON", "ORG"]


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


def test_a_name_across_a_possessive_is_cut_when_the_part_before_is_a_name_of_its_own():
    text = (
        "Ukraine said so. Ukraine’s Air Force and the Citizen’s Advice Bureau agreed, "
        "as did Moore’s Law fans. Joe Biden’s Son met Joe Biden."
    )
    spans = spans_of(
        text, ("Ukraine", "GPE", 0), ("Ukraine’s Air Force", "ORG", 0), ("Citizen’s Advice Bureau", "ORG", 0),
        ("Moore’s Law", "ORG", 0), ("Joe Biden’s Son", "PERSON", 0), ("Joe Biden", "PERSON", 1),
    )
    _split_possessives(text, spans)
    assert labels(text, spans) == [
        ("Ukraine", "GPE"), ("Ukraine", "GPE"), ("Air Force", "ORG"),  # a place before, two words after
        ("Citizen’s Advice Bureau", "ORG"),  # "Citizen" is no name of its own
        ("Moore’s Law", "ORG"),  # one word after: whole
        ("Joe Biden", "PERSON"), ("Joe Biden", "PERSON"),  # after a person's possessive: a thing, dropped
    ]


def test_names_ner_cut_in_two_are_joined():
    text = (
        "The American Civil Liberties Union of Indiana sued. Troops left the Democratic Republic of the Congo "
        "and the Public Service Co-ordinating Bargaining Council met. Apple Google"
    )
    spans = spans_of(
        text, ("American Civil Liberties Union", "ORG", 0), ("Indiana", "GPE", 0), ("Democratic Republic of the", "GPE", 0),
        ("Congo", "GPE", 0), ("Public Service Co-ordinating", "ORG", 0), ("Bargaining Council", "ORG", 0),
        ("Apple", "PERSON", 0), ("Google", "PERSON", 0),
    )
    _join_split_names(text, spans)
    assert labels(text, spans) == [
        ("American Civil Liberties Union of Indiana", "ORG"), ("Democratic Republic of the Congo", "GPE"),
        ("Public Service Co-ordinating Bargaining Council", "ORG"), ("Apple", "PERSON"), ("Google", "PERSON"),
    ]


def test_a_capitalised_common_word_opening_a_sentence_leaves_a_full_name():
    text = "Romance novelist Ann Lee spoke.\nNovelist Jo Watson read. Will Smith came. Bill de Blasio too."
    for surface, expected in [("Novelist Jo Watson", "Jo Watson"), ("Will Smith", "Will Smith"), ("Bill de Blasio", "Bill de Blasio")]:
        start = text.index(surface)
        assert text[_trim_common_lead(text, start, start + len(surface), "PERSON") : start + len(surface)] == expected
    start = text.index("Novelist")
    assert _trim_common_lead(text, start, start + len("Novelist Jo Watson"), "ORG") == start  # people only


def test_a_persons_hometown_after_a_comma_and_from_is_a_place():
    text = "Arini Vlotman, from Durban, spoke. Jo Smith, 34, from Melkbosstrand, and Lauren Nel from Natural Justice, Ann Lee, from UCT."
    spans = spans_of(
        text, ("Arini Vlotman", "PERSON", 0), ("Durban", "ORG", 0), ("Jo Smith", "PERSON", 0), ("Melkbosstrand", "PERSON", 0),
        ("Lauren Nel", "PERSON", 0), ("Natural Justice", "ORG", 0), ("Ann Lee", "PERSON", 0), ("UCT", "ORG", 0),
    )
    _relabel_hometowns(text, spans)
    assert [label for *_, label in spans] == ["PERSON", "GPE", "PERSON", "GPE", "PERSON", "ORG", "PERSON", "ORG"]


def test_titles_without_a_name_are_no_person():
    text = "Prime Minister Datuk Seri Anwar Ibrahim travelled."
    found = [(text.index("Datuk Seri"), text.index("Datuk Seri") + 10, "PERSON"), (text.index("Anwar"), text.index(" travelled"), "PERSON")]
    assert [(e.text, e.name) for e in entities_from_spans(text, found)] == [("Anwar Ibrahim", "Anwar Ibrahim")]


def test_police_ranks_are_titles_of_the_name():
    text = "Superintendent Audley Peters spoke. Supt Peters said more, and Det Insp Jane Hill agreed."
    found = [(text.index(s), text.index(s) + len(s), "PERSON") for s in ("Superintendent Audley Peters", "Supt Peters", "Det Insp Jane Hill")]
    assert [e.name for e in entities_from_spans(text, found)] == ["Audley Peters", "Audley Peters", "Jane Hill"]


def test_pm_is_a_title_of_the_name():
    text = "UK Prime Minister Rishi Sunak defended the bill. PM Sunak said it works, and Sunak repeated it."
    starts = (text.index("Rishi Sunak"), text.index("PM Sunak"), text.rindex("Sunak"))
    found = [(start, text.index("Sunak", start) + 5, "PERSON") for start in starts]
    assert [e.name for e in entities_from_spans(text, found)] == ["Rishi Sunak", "Rishi Sunak", "Rishi Sunak"]


def test_an_acronym_the_text_spells_out_takes_the_long_name():
    text = (
        "The Universities and Colleges Employers’ Association (UCEA) disagreed. UCEA said pay rose. "
        "The Israel Defense Forces (IDF) replied. WASHINGTON (AP) said nothing of the NUT."
    )
    surfaces = ("Universities and Colleges Employers’ Association", "UCEA", "UCEA", "Israel Defense Forces", "IDF", "AP", "NUT")
    found, at = [], 0
    for surface in surfaces:
        start = text.index(surface, at)
        found.append((start, start + len(surface), "ORG"))
        at = start + len(surface)
    assert [e.name for e in entities_from_spans(text, found)] == [
        "Universities and Colleges Employers’ Association", "Universities and Colleges Employers’ Association",
        "Universities and Colleges Employers’ Association", "Israel Defense Forces", "Israel Defense Forces", "AP", "NUT",
    ]


def test_a_name_described_as_a_person_is_a_person():
    text = (
        "On a call, Amit Mehrotra, an analyst for Deutsche Bank, spoke. Serhii Radio, a chemistry researcher, "
        "agreed. In Paris, a spokesman said more. At Goldman Sachs, an analyst for the bank said no. "
        "Human Rights Watch, a lawyer said, disagreed."
    )
    found = sorted(
        (text.index(s), text.index(s) + len(s), label)
        for s, label in (("Deutsche Bank", "ORG"), ("Serhii Radio", "ORG"), ("Paris", "GPE"), ("Goldman Sachs", "ORG"),
                         ("Human Rights Watch", "ORG"))
    )
    assert [(e.text, e.label) for e in entities_from_spans(text, found)] == [
        ("Amit Mehrotra", "PERSON"), ("Deutsche Bank", "ORG"), ("Serhii Radio", "PERSON"), ("Paris", "GPE"),
        ("Goldman Sachs", "ORG"), ("Human Rights Watch", "ORG"),
    ]


def test_a_lost_quote_mark_is_not_part_of_a_name():
    text = "\ufffdThis could be House driven,\ufffd Meadows said. White House Chief of Staff Mark Meadows agreed."
    found = [(text.index("\ufffd Meadows"), text.index(" said"), "PERSON"), (text.index("Mark"), text.index(" agreed"), "PERSON")]
    assert [(e.text, e.name) for e in entities_from_spans(text, found)] == [("Meadows", "Mark Meadows"), ("Mark Meadows", "Mark Meadows")]
