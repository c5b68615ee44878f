"""The Arrow schemas in tasks/records.py and the DDL in sql/schema/ describe the same tables."""

import duckdb
import pyarrow as pa
import pytest

from tasks.dedup import CLUSTERS_SCHEMA, SIGNATURES_SCHEMA
from tasks.quality import METRICS_SCHEMA
from tasks.records import (
    ARTICLES_SCHEMA,
    CITATIONS_SCHEMA,
    ENTITIES_SCHEMA,
    FETCHES_SCHEMA,
    LINKS_SCHEMA,
    QUOTES_SCHEMA,
    REJECTS_SCHEMA,
    RUNS_SCHEMA,
)
from tasks.warehouse import SQL_DIR, ensure_schema

SCHEMAS = [
    ("articles", ARTICLES_SCHEMA),
    ("rejects", REJECTS_SCHEMA),
    ("runs", RUNS_SCHEMA),
    ("duplicate_clusters", CLUSTERS_SCHEMA),
    ("article_signatures", SIGNATURES_SCHEMA),
    ("run_metrics", METRICS_SCHEMA),
    ("fetches", FETCHES_SCHEMA),
    ("entities", ENTITIES_SCHEMA),
    ("quotes", QUOTES_SCHEMA),
    ("citations", CITATIONS_SCHEMA),
    ("links", LINKS_SCHEMA),
]
# Tables written by SQL only (no Arrow staging).
SQL_ONLY = ["article_changes", "source_runs"]


@pytest.mark.parametrize("table,schema", SCHEMAS)
def test_arrow_schema_matches_duckdb_table(tmp_path, table, schema):
    with duckdb.connect(str(tmp_path / "news.duckdb")) as con:
        ensure_schema(con)
        empty = con.execute(f"select * from {table} limit 0").to_arrow_table()  # noqa: S608 - fixed names
    duck = pa.schema([(f.name, f.type) for f in empty.schema])
    assert duck.names == schema.names
    for name in schema.names:
        expected = schema.field(name).type
        actual = duck.field(name).type
        if pa.types.is_list(expected):
            assert pa.types.is_list(actual) and actual.value_type == expected.value_type, name
        else:
            assert actual == expected, name


def test_every_table_has_its_own_ddl_file():
    assert sorted(p.stem for p in (SQL_DIR / "schema").glob("*.sql")) == sorted([n for n, _ in SCHEMAS] + SQL_ONLY)


def test_schema_is_idempotent(tmp_path):
    with duckdb.connect(str(tmp_path / "news.duckdb")) as con:
        ensure_schema(con)
        ensure_schema(con)
        tables = con.execute("select table_name from information_schema.tables where table_type = 'BASE TABLE'").fetchall()
        views = con.execute("select table_name from information_schema.tables where table_type = 'VIEW'").fetchall()
    assert {r[0] for r in tables} == {n for n, _ in SCHEMAS} | set(SQL_ONLY)
    assert {r[0] for r in views} == {p.stem for p in (SQL_DIR / "views").glob("*.sql")}
