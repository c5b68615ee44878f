"""Speaker attribution rules of tasks/extract/quotes.py on short texts with given entities.

The entities are given (as NER would find them) so each test checks one attribution rule,
independent of the small model's labels.
"""

from __future__ import annotations

from tasks.extract.quotes import extract_direct_quotes
from tasks.extract.spans import find_quoted_spans, sentence_bounds
from tasks.records import Entity


def speakers(text: str, *labelled: tuple[str, str, str]) -> list[tuple[str | None, str]]:
    """(speaker, first three words) of each direct quote; entities as (surface, name, label), in order."""
    entities, at = [], 0
    for surface, name, label in labelled:
        start = text.index(surface, at)
        entities.append(Entity(surface, name, label, start, start + len(surface)))
        at = start + len(surface)
    quoted = find_quoted_spans(text)
    found = extract_direct_quotes(text, entities, quoted, sentence_bounds(text, quoted))
    return [(q.speaker, " ".join(q.quote.split()[:3])) for q in found]


def test_inverted_attribution_skips_a_place_describing_the_person():
    text = "“It was a terrible night for all of us,” said Kyiv resident Svitlana Onofryichuk, 55."
    assert speakers(text, ("Kyiv", "Kyiv", "GPE"), ("Svitlana Onofryichuk", "Svitlana Onofryichuk", "PERSON")) == [
        ("Svitlana Onofryichuk", "It was a")
    ]


def test_a_place_inside_a_description_is_not_the_speaker():
    text = "Abby Dunn books early. The Florida fan explained: “Try and be flexible with your dates.”"
    assert speakers(text, ("Abby Dunn", "Abby Dunn", "PERSON"), ("Florida", "Florida", "GPE")) == [("Abby Dunn", "Try and be")]


def test_an_unnamed_spokesperson_speaks_for_the_organisation():
    text = "The FBI received the letter. “We take these threats very seriously,” a bureau spokesperson said."
    assert speakers(text, ("FBI", "FBI", "ORG")) == [("FBI", "We take these")]


def test_she_said_passes_over_a_man_and_he_said_over_a_woman():
    text = (
        "Marina Lacerda met Jeffrey Epstein in 2002. She said he was charming at first. "
        "Epstein said he had plans. “We are going to have a special day today,” he said. "
        "“I was only fourteen years old then,” she said."
    )
    people = [("Marina Lacerda", "Marina Lacerda", "PERSON"), ("Jeffrey Epstein", "Jeffrey Epstein", "PERSON"),
              ("Epstein", "Jeffrey Epstein", "PERSON")]
    assert speakers(text, *people) == [("Jeffrey Epstein", "We are going"), ("Marina Lacerda", "I was only")]


def test_the_subject_of_the_nearer_verb_speaks():
    text = "Lacerda said Epstein told her: “We are going to have some fun today.”"
    people = [("Lacerda", "Marina Lacerda", "PERSON"), ("Epstein", "Jeffrey Epstein", "PERSON")]
    assert speakers(text, *people) == [("Jeffrey Epstein", "We are going")]


def test_a_participle_keeps_the_subject_of_the_main_verb():
    text = "Mr Lammy said they had accepted the gifts, adding that the US had a “huge budget from the taxpayer” for it."
    assert speakers(text, ("Lammy", "David Lammy", "PERSON"), ("US", "US", "GPE")) == [("David Lammy", "huge budget from")]


def test_a_quote_ending_in_a_question_mark_takes_the_verb_after_it():
    text = "Tom Alweendo spoke in Cape Town.\n“But why not make it bigger by having a corridor?” he suggested.\n"
    assert speakers(text, ("Tom Alweendo", "Tom Alweendo", "PERSON")) == [("Tom Alweendo", "But why not")]


def test_inverted_attribution_through_a_description_to_the_name():
    text = "“There is something deeply restorative about arriving here,” says the resort’s general manager Garrett Turta."
    assert speakers(text, ("Garrett Turta", "Garrett Turta", "PERSON")) == [("Garrett Turta", "There is something")]


def test_an_unnamed_centre_is_the_organisation_named_before():
    text = "The Storm Prediction Center issued a warning. “The greatest threat is in the southern Plains,” wrote the center."
    assert speakers(text, ("Storm Prediction Center", "Storm Prediction Center", "ORG")) == [
        ("Storm Prediction Center", "The greatest threat")
    ]


def test_a_bare_quote_paragraph_after_a_lament():
    text = "Jamil Al Saadouni, 58, spoke in Khan Younis.\nHe lamented that civilians were not consulted.\n“This has nothing to do with other factions or the people.”\n"
    assert speakers(text, ("Jamil Al Saadouni", "Jamil Al Saadouni", "PERSON")) == [("Jamil Al Saadouni", "This has nothing")]


def test_they_is_the_group_named_last_but_not_someone_elses_group():
    text = "On Monday, hundreds of protesters converged on Helena. “Let her speak now,” they chanted."
    assert speakers(text, ("Helena", "Helena", "GPE")) == [("protesters", "Let her speak")]
    text = "Mike Gallagher and his colleagues asked for answers. “The threat is real and growing,” they wrote."
    assert speakers(text, ("Mike Gallagher", "Mike Gallagher", "PERSON")) != [("colleagues", "The threat is")]
