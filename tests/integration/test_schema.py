"""The Arrow schemas in tasks/records.py and the DDL in sql/schema/ describe the same tables."""

import duckdb
import pyarrow as pa
import pytest

from tasks.records import ARTICLES_SCHEMA, REJECTS_SCHEMA, RUNS_SCHEMA
from tasks.warehouse import SQL_DIR, ensure_schema


@pytest.mark.parametrize("table,schema", [("articles", ARTICLES_SCHEMA), ("rejects", REJECTS_SCHEMA), ("runs", RUNS_SCHEMA)])
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
    assert sorted(p.stem for p in (SQL_DIR / "schema").glob("*.sql")) == ["article_changes", "articles", "rejects", "runs", "source_runs"]


def test_schema_is_idempotent(tmp_path):
    with duckdb.connect(str(tmp_path / "news.duckdb")) as con:
        ensure_schema(con)
        ensure_schema(con)
        assert {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()} == {
            "article_changes", "articles", "rejects", "runs", "source_runs"
        }
