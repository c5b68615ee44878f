"""Extraction inside the real `ingest` flow: child tables, checks in sql/checks, reruns, replacement."""

from __future__ import annotations

import duckdb
import pytest

from tasks.warehouse import SQL_DIR
from tests.integration.test_ingest import query, run

pytestmark = pytest.mark.usefixtures("prefect_server")

CHECKS = sorted((SQL_DIR / "checks").glob("*.sql"))


def run_checks(warehouse) -> dict[str, list]:
    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        return {check.stem: con.execute(check.read_text(encoding="utf-8")).fetchall() for check in CHECKS}


def test_seed_fields_reach_the_warehouse_and_every_check_passes(inputs, warehouse):
    run([inputs], warehouse)
    assert CHECKS and all(rows == [] for rows in run_checks(warehouse).values()), run_checks(warehouse)
    seed = "source like '%.txt'"
    names = {
        (name, label)
        for name, label in query(warehouse, f"select e.name, e.label from entities e join articles a using (article_id) where {seed}")  # noqa: S608
    }
    for expected in [
        ("Charles Q. Brown Jr.", "PERSON"), ("Emmanuel Macron", "PERSON"), ("NATO", "ORG"),
        ("New York Times", "ORG"), ("White House", "ORG"), ("Joint Chiefs of Staff", "ORG"),
        ("Ukraine", "GPE"), ("Russia", "GPE"), ("Kharkiv", "GPE"), ("Kiev", "GPE"),
    ]:
        assert expected in names
    assert ("Kiev", "PERSON") not in names
    quotes = query(
        warehouse,
        f"select q.speaker, q.speaker_entity_name, q.quote from quotes q join articles a using (article_id) where {seed} and q.direct",  # noqa: S608
    )
    speakers = {quote[:30]: speaker for speaker, _, quote in quotes}
    assert speakers["We’ll get there eventually, ov"] == "Charles Q. Brown Jr."
    assert speakers["no option can be ruled out whe"] == "Emmanuel Macron"
    [(outlet, title)] = query(
        warehouse,
        f"select c.outlet, c.cited_title from citations c join articles a using (article_id) where {seed} and c.cited_title is not null",  # noqa: S608
    )
    assert (outlet, title) == ("New York Times", "As Russia Advances, NATO Considers Sending Trainers Into Ukraine")
    # the German article gets what needs no English model, and says so
    [(extractors, translation)] = query(warehouse, "select extractors, is_translation from articles where language = 'de'")
    assert "entities" not in extractors and "links" in extractors and translation is False
    assert query(warehouse, "select count(*) from entities e join articles a using (article_id) where a.language = 'de'") == [(0,)]
    # lineage on every child row
    for table in ("entities", "quotes", "citations"):
        assert query(warehouse, f"select count(*) from {table} where run_id is null or extractor_version is null") == [(0,)]  # noqa: S608


def test_rerun_adds_no_child_rows_and_a_replaced_article_takes_its_rows_along(inputs, warehouse):
    run([inputs], warehouse)
    counted = "select (select count(*) from entities), (select count(*) from quotes), (select count(*) from citations)"
    before = query(warehouse, counted)
    run([inputs], warehouse)
    assert query(warehouse, counted) == before
    page = inputs / "harbour_article.html"
    page.write_text(page.read_text().replace("Tomasz Nowak", "Piotr Zielinski").replace("Nowak said", "Zielinski said"))
    report = run([inputs], warehouse)
    assert report.replaced == 1
    assert query(warehouse, counted) == before
    assert query(warehouse, "select count(*) from entities where name like '%Nowak%'") == [(0,)]
    assert query(warehouse, "select distinct speaker from quotes where speaker like '%Zielinski%'") == [("Piotr Zielinski",)]
    assert all(rows == [] for rows in run_checks(warehouse).values())


def test_checks_find_bad_rows(tmp_path):
    """Each check returns the rows that break its rule (so a passing check means something)."""
    from tasks.warehouse import ensure_schema

    with duckdb.connect(str(tmp_path / "news.duckdb")) as con:
        ensure_schema(con)
        con.execute(
            "insert into articles (article_id, source, text, word_count, content_hash, input_kind, run_id, ingested_at, extractor_version) "
            "values ('a1', 's', 'Kiev is a city.', 4, 'h', 'text', 'r', now(), 'v')"
        )
        con.execute("insert into entities values ('a1', 'Kiev', 'Kiev', 'GPE', 1, 5, 'r', 'v')")  # off by one
        con.execute("insert into quotes values ('a1', 'is a city', 'Nobody', 'Nobody', 'said', true, 5, 99, 'r', 'v')")
        con.execute("insert into citations values ('a1', 'Times', null, 10, 200, 'r', 'v')")
        con.execute("insert into links values ('gone', 'ftp://x', 'x', true, 'r', 'v')")
        found = {check.stem: con.execute(check.read_text(encoding="utf-8")).fetchall() for check in CHECKS}
    assert all(found[name] for name in (
        "entities_offsets", "quotes_offsets", "citations_offsets", "quotes_speaker_entities",
        "child_rows_orphaned", "links_not_absolute",
    )), found


def test_a_missing_model_fails_the_run_with_one_sentence(inputs, warehouse, monkeypatch):
    from flows.ingest import ingest

    monkeypatch.setenv("NEWSROOM_SPACY_MODEL", "no_such_model_installed")
    state = ingest(sources=[str(inputs)], warehouse=str(warehouse), return_state=True)
    assert state.is_failed()
    assert state.message.startswith("The spaCy model 'no_such_model_installed' (setting NEWSROOM_SPACY_MODEL) is not installed")
    assert not (warehouse / "news.duckdb").exists()


def test_entities_off_loads_without_ner_and_records_stage_seconds(inputs, warehouse, monkeypatch):
    monkeypatch.setenv("NEWSROOM_ENTITIES", "false")
    monkeypatch.setenv("NEWSROOM_SPACY_MODEL", "no_such_model_installed")  # never loaded when NER is off
    run([inputs], warehouse)
    assert query(warehouse, "select count(*) from entities") == [(0,)]
    [(with_entities, loaded)] = query(warehouse, "select count(*) filter (list_contains(extractors, 'entities')), count(*) from articles")
    assert with_entities == 0 and loaded > 0
    assert query(warehouse, "select count(*) from quotes where direct") != [(0,)]
    stages = dict(query(warehouse, "select subject, value from run_metrics where metric = 'stage_seconds'"))
    assert {"plan", "read", "clean", "quotes", "write", "batches_wall", "load", "flow_wall"} <= set(stages)
    assert "entities" not in stages
    assert all(value >= 0 for value in stages.values()) and stages["flow_wall"] >= stages["load"]
