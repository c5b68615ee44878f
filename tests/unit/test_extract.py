"""Field extraction on real small pages: the seed article, golden HTML pages, and the pieces."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from tasks.clean import clean_page
from tasks.extract import extract_fields, run_extractor
from tasks.extract.entities import normalise_names
from tasks.extract.links import extract_links
from tasks.extract.metadata import detect_translation, extract_modified_at
from tasks.extract.spans import find_quoted_spans
from tasks.records import ExtractedFields
from tasks.settings import Settings

DATA = Path(__file__).parent.parent / "data"
SEED = next((Path(__file__).parent.parent.parent / "seeds").glob("*.txt"))


@cache
def extracted(name: str):
    """(page, fields) for a file in tests/data or the seed; NER runs once per file per session."""
    path = SEED if name == "seed" else DATA / name
    page = clean_page(path.read_bytes(), "text" if path.suffix == ".txt" else "html")
    [fields] = extract_fields([page], Settings().spacy_model)
    return page, fields


def direct_quotes(fields: ExtractedFields) -> list[tuple[str, str]]:
    return [(q.speaker, q.quote) for q in fields.quotes if q.direct]


def test_seed_people_organisations_and_places():
    page, fields = extracted("seed")
    found = {(e.name, e.label) for e in fields.entities}
    for person in ("Charles Q. Brown Jr.", "Emmanuel Macron"):
        assert (person, "PERSON") in found
    for org in ("NATO", "New York Times", "White House", "Joint Chiefs of Staff"):
        assert (org, "ORG") in found
    for place in ("Ukraine", "Russia", "Kharkiv", "Kiev"):
        assert (place, "GPE") in found
    assert not [e for e in fields.entities if e.text == "Kiev" and e.label != "GPE"]
    # "Macron" alone resolves to the full name; every offset points at its surface form
    assert {e.name for e in fields.entities if e.text == "Macron"} == {"Emmanuel Macron"}
    assert all(page.text[e.start_char : e.end_char] == e.text for e in fields.entities)
    # words of the cited headline are not organisations ("NATO Considers Sending …")
    assert not [e for e in fields.entities if "Considers" in e.text or e.text == "Russia Advances"]


def test_seed_direct_quotes_and_their_speakers():
    page, fields = extracted("seed")
    assert direct_quotes(fields) == [
        ("Charles Q. Brown Jr.", "Such development is ultimately inevitable"),
        ("New York Times", "will lead to the disappearance of another red line"),
        ("New York Times", "so far the United States has said no"),
        ("Charles Q. Brown Jr.", "We’ll get there eventually, over time."),
        ("Charles Q. Brown Jr.", "must first be stabilized to prevent the resources, needed to protect NATO forces, "
         "from being taken away from efforts to repel a new Russian offensive"),
        ("New York Times", "could lead the United States to send military intervention against Russia based on "
         "commitments signed as a member of the Alliance."),
        ("White House", "will not send US soldiers to Ukraine, not even trainers"),
        ("Emmanuel Macron", "no option can be ruled out when it comes to sending Western troops to Ukraine."),
    ]
    names = {e.name for e in fields.entities}
    assert all(q.speaker_entity_name in names for q in fields.quotes)
    assert all(page.text[q.start_char : q.end_char] == q.quote for q in fields.quotes)


def test_seed_cites_the_new_york_times_with_its_headline():
    page, fields = extracted("seed")
    assert {c.outlet for c in fields.citations} == {"New York Times"}
    assert [c.cited_title for c in fields.citations if c.cited_title] == [
        "As Russia Advances, NATO Considers Sending Trainers Into Ukraine"
    ]
    assert all(page.text[c.start_char : c.end_char].endswith("New York Times") for c in fields.citations)


def test_seed_declares_lines_in_italian():
    _, fields = extracted("seed")
    assert (fields.is_translation, fields.original_language) == (True, "it")
    assert fields.extractors == ["entities", "citations", "quotes", "translation"] and fields.errors == {}


def test_golden_ferry_page():
    page, fields = extracted("ferry_quotes.html")
    assert page.title == "Ferry operator halts night crossings after engine fire"
    assert (page.image_url, page.categories, page.tags) == (
        "https://coastal-ledger.example/img/ferry-fire.jpg", ["Transport"], ["Ferries", "Safety"]
    )
    assert fields.modified_at == datetime(2024, 5, 3, 16, 5)
    assert direct_quotes(fields) == [
        ("Helen Marsh", "Nobody was hurt, and that is the only good news we have"),
        ("Helen Marsh", "Until we know what caused the fire, no ship of ours sails after dark."),
        ("Daniel Reyes", "We cannot rule anything out at this stage"),
        ("Daniel Reyes", "The engine was serviced in March, and we will look at that work first."),
        ("Priya Nair", "I work at the hospital until eleven. There is no other way home"),
        ("Priya Nair", "The council has to put on a bus and a boat, at least for the people who keep the hospital running."),
        ("Priya Nair", "We were promised a reliable service"),
    ]
    reported = [(q.speaker, q.cue, q.quote) for q in fields.quotes if not q.direct]
    assert ("Helen Marsh", "said", "the daytime timetable would run as normal") in reported
    assert [(c.outlet, c.cited_title) for c in fields.citations] == [
        ("Reuters", None),
        ("Coastal Ledger", "Ageing Ferry Fleet Faces Costly Repairs"),
    ]
    assert [(link.href, link.anchor_text, link.is_external) for link in fields.links] == [
        ("https://maritime-safety.example/investigations", "Maritime Safety Agency", True),
        ("https://coastal-ledger.example/news/2023/ageing-ferry-fleet", "Read our earlier report", False),
    ]
    assert (fields.is_translation, fields.errors) == (False, {})


def test_golden_harbour_page_quotes_split_by_attribution():
    _, fields = extracted("harbour_article.html")
    assert direct_quotes(fields) == [
        ("Agnes Whitfield", "We cannot keep paying for cranes that sit idle half the night"),
        ("Tomasz Nowak", "Nobody asked the people who actually load the ships"),
        ("Tomasz Nowak", "We will be asking now."),
    ]
    assert [q.cue for q in fields.quotes if q.direct] == ["told", "said", "said"]
    assert fields.links == [] and fields.modified_at is None


def test_german_page_gets_what_needs_no_english_model():
    page, fields = extracted("wahl_artikel.html")
    assert page.language == "de"
    assert "entities" not in fields.extractors and "quotes" not in fields.extractors
    assert {"translation", "links", "modified_at"} <= set(fields.extractors)
    assert fields.entities == [] and fields.quotes == [] and fields.is_translation is False


def test_an_extractor_failing_on_one_article_loses_only_its_field():
    fields = ExtractedFields()

    def broken() -> None:
        int("not a number")  # what a parser does on text it cannot read

    run_extractor(fields, "quotes", broken)
    run_extractor(fields, "links", lambda: setattr(fields, "links", []))
    assert fields.errors == {"quotes": "ValueError: invalid literal for int() with base 10: 'not a number'"}
    assert fields.extractors == ["links"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("“Curly quote here,” he said.", ["Curly quote here"]),
        ('"Straight quote here," she said.', ["Straight quote here"]),
        ("„Deutsches Zitat hier“, sagte er.", ["Deutsches Zitat hier"]),
        ("“First part,” he said, “second part.”", ["First part", "second part."]),
        ("He said: “Opening paragraph goes on\n“and continues here.”", ["Opening paragraph goes on", "and continues here."]),
        ("The dockers’ union didn’t agree.", []),
        # a statement in full: marks only at its start and its end, none on the paragraphs between
        ("CEO to staff:\n“I am always struck by your work.\nWe share the pain.\nThank you all.”\nAfter.",
         ["I am always struck by your work.", "We share the pain.", "Thank you all."]),
        # ... but not when a paragraph between has a quote of its own, or none ends it
        ("“I am always struck by your work.\nShe said “no” to that.\nThank you all.”", ["I am always struck by your work.", "no"]),
        ("“I am always struck by your work.\nWe share the pain.\nThank you all.", ["I am always struck by your work."]),
    ],
)
def test_quoted_spans(text, expected):
    assert [text[s.start : s.end] for s in find_quoted_spans(text)] == expected


def test_names_normalise_within_an_article():
    mentions = [("Gen. Charles Q. Brown Jr.", "PERSON"), ("Brown", "PERSON"), ("Gen. Brown", "PERSON"),
                ("the New York Times", "ORG"), ("Times", "ORG")]
    assert normalise_names(mentions) == ["Charles Q. Brown Jr."] * 3 + ["New York Times"] * 2
    # two people share a surname: the surname alone stays as it is
    assert normalise_names([("George Soros", "PERSON"), ("Alexander Soros", "PERSON"), ("Soros", "PERSON")])[2] == "Soros"


def test_links_only_from_the_main_content_and_absolute():
    html = (
        "<html><body><nav><a href='/home'>Home</a></nav><article><p>The council published the "
        "<a href='/docs/plan.pdf'>harbour plan</a> and a <a href='https://other.example/x'>report</a> today.</p>"
        "</article><footer><a href='/privacy'>Privacy</a></footer></body></html>"
    )
    links = extract_links(html, "The council published the harbour plan and a report today.", "https://ledger.example/news/1")
    assert [(lk.href, lk.anchor_text, lk.is_external) for lk in links] == [
        ("https://ledger.example/docs/plan.pdf", "harbour plan", False),
        ("https://other.example/x", "report", True),
    ]


def test_markup_extractors_reuse_the_tree_cleaning_parsed_and_drop_it():
    from tasks.extract import extract_markup

    html = (
        "<html><head><title>Harbour plan</title><meta property='article:modified_time' content='2024-02-01T10:00:00Z'>"
        "</head><body><nav><a href='/home'>Home</a></nav><article><h1>Harbour plan</h1>"
        "<p>The council published the <a href='/docs/plan.pdf'>harbour plan</a> on Monday, after two years of work "
        "and a long public consultation with the fishing families of the bay.</p>"
        "<p>The mayor said the <a href='https://other.example/x'>report</a> would be debated next week.</p>"
        "</article><footer><a href='/privacy'>Privacy</a></footer></body></html>"
    ).encode()
    page = clean_page(html, "html", url="https://ledger.example/news/1")
    assert page.markup is not None  # the tree trafilatura was given a copy of
    fields = extract_markup(page, ExtractedFields())
    assert page.html is None and page.markup is None
    assert [(lk.href, lk.is_external) for lk in fields.links] == [
        ("https://ledger.example/docs/plan.pdf", False),
        ("https://other.example/x", True),
    ]
    assert fields.modified_at == datetime(2024, 2, 1, 10)
    # the same links as from a parse of its own
    reparsed = clean_page(html, "html", url="https://ledger.example/news/1")
    assert fields.links == extract_links(reparsed.html, reparsed.text, "https://ledger.example/news/1")


def test_modified_time_from_json_ld():
    html = '<html><head><script type="application/ld+json">{"dateModified": "2024-02-01T10:00:00Z"}</script></head></html>'
    assert extract_modified_at(html) == datetime(2024, 2, 1, 10)
    assert extract_modified_at("<html><head></head></html>") is None


def test_translation_declared_in_the_text():
    text = "The mayor opened the new bridge on Monday.\nTranslated from the German by Anna Berg."
    assert detect_translation(text, "Bridge opens", "en") == (True, "de")
    assert detect_translation("The mayor opened the new bridge on Monday.", None, None) == (None, None)


def test_a_foreign_line_is_found_while_lines_in_the_articles_language_are_not_identified(monkeypatch):
    from tasks.extract import metadata

    identified: list[str] = []
    identify = metadata._foreign_language
    monkeypatch.setattr(metadata, "_foreign_language", lambda words, language: identified.append(words) or identify(words, language))
    text = (
        "The mayor said that the new bridge would open on Monday, and that the old one would close.\n"
        "Residents waited years.\n"
        "Der Bürgermeister sagte, die neue Brücke werde am Montag eröffnet und die alte geschlossen."
    )
    assert detect_translation(text, "Bridge opens", "en") == (True, "de")
    # the first line reads as English by its function words (the, that, and); the other two are identified
    assert [line[:9] for line in identified] == ["Residents", "Der Bürge"]


def test_without_entities_quotes_still_found_and_time_measured():
    """NEWSROOM_ENTITIES=false: no NER, "entities" absent from extractors, other fields and timings kept."""
    page = clean_page(SEED.read_bytes(), "text")
    seconds = Counter()
    [fields] = extract_fields([page], Settings().spacy_model, entities=False, seconds=seconds)
    assert fields.entities == []
    assert "entities" not in fields.extractors
    assert {"citations", "quotes", "translation"} <= set(fields.extractors)
    assert fields.quotes, "direct quotes are found without entity names"
    assert "entities" not in seconds and seconds["quotes"] > 0
    _, with_ner = extracted("seed")
    assert "entities" in with_ner.extractors and with_ner.entities


def test_model_check_is_cheap_and_names_the_setting(tmp_path):
    from tasks.extract.entities import ModelNotAvailable, check_model

    check_model(Settings().spacy_model)  # installed: no error, and spaCy is not loaded for it
    with pytest.raises(ModelNotAvailable, match="NEWSROOM_SPACY_MODEL"):
        check_model("no_such_model_installed")
    with pytest.raises(ModelNotAvailable):
        check_model(str(tmp_path))  # a folder that is not a spaCy model
    (tmp_path / "config.cfg").write_text("[nlp]\n")
    check_model(str(tmp_path))  # a model folder is accepted; loading it is the worker's job


def test_markup_fields_are_read_once_and_the_page_lets_go_of_its_html():
    from tasks.extract import extract_markup

    html = (
        "<html><head><meta property='article:modified_time' content='2024-03-01T10:00:00+01:00'></head><body>"
        "<p>The harbour authority said on Monday that <a href='/ferries'>the ferry timetable</a> will change.</p>"
        "</body></html>"
    )
    page = clean_page(html.encode(), "html", url="https://example.org/news/1", min_chars=10)
    fields = extract_markup(page, ExtractedFields())
    assert page.html is None
    assert [(link.href, link.anchor_text, link.is_external) for link in fields.links] == [
        ("https://example.org/ferries", "the ferry timetable", False)
    ]
    assert fields.modified_at == datetime(2024, 3, 1, 9, 0)
    assert fields.extractors == ["links", "modified_at"]
    [done] = extract_fields([page], Settings().spacy_model, started=[fields])
    assert done is fields and done.links and "translation" in done.extractors
