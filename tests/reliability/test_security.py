"""Security items of issue 10: pinned dependencies, trafilatura's TLS fallback, SQL and shell
never built from data, and secrets never logged or stored."""

from __future__ import annotations

import ast
import logging
import re
from importlib.metadata import version
from pathlib import Path

import duckdb
import pytest
from packaging.version import Version

import tasks.clean
from tests.conftest import ROOT
from tests.integration.test_ingest import run

# The first release fixing the latest advisory we found for each (checked November 2026):
# urllib3 2.8.0 (CVE-2026-97687/97688/97689), h11 0.16.0 (CVE-2025-43859), brotli 1.2.0
# (CVE-2025-6176), jinja2 3.1.6 (CVE-2025-27516), lxml 6.0 (libxml2 fixes), requests 2.32.4
# (CVE-2024-47081), setuptools 78.1.1 (CVE-2025-47273).
FIXED_IN = {
    "urllib3": "2.8.0", "h11": "0.16.0", "brotli": "1.2.0", "jinja2": "3.1.6", "lxml": "6.0.0",
    "requests": "2.32.4", "setuptools": "78.1.1", "httpx": "0.28.1", "httpcore": "1.0.9",
}
PRODUCTION = [p for folder in ("tasks", "flows") for p in sorted((ROOT / folder).rglob("*.py"))]
SQL_METHODS = {"execute", "executemany", "sql"}
SQL_START = re.compile(r"\s*(select|insert|update|delete|create|drop|copy|attach|with|pragma|set)\s", re.IGNORECASE)


@pytest.mark.parametrize("package", sorted(FIXED_IN))
def test_dependency_is_at_or_above_its_last_security_fix(package):
    assert Version(version(package)) >= Version(FIXED_IN[package])


def test_trafilatura_never_retries_without_certificate_checks():
    from trafilatura.settings import DEFAULT_CONFIG, Extractor

    for config in (DEFAULT_CONFIG, tasks.clean.TRAFILATURA_CONFIG):
        assert config.getboolean("DEFAULT", "INSECURE_SSL_FALLBACK") is False
        assert config.getboolean("DEFAULT", "SSRF_PROTECTION") is True
    assert Extractor(config=tasks.clean.TRAFILATURA_CONFIG).max_tree_size == tasks.clean.MAX_TREE_SIZE


def sql_arguments(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_METHODS and node.args:
            yield node.args[0]


def is_fixed_text(node: ast.AST) -> bool:
    """A constant, a statement from sql/ (`load_sql(...)`, `<sql file>.read_text()`), or a name."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id == "load_sql"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "read_text"
    return isinstance(node, ast.Name)


@pytest.mark.parametrize("path", PRODUCTION, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_is_formatted_and_no_shell_is_run(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for argument in sql_arguments(tree):
        assert not isinstance(argument, ast.JoinedStr | ast.BinOp), f"{path}:{argument.lineno} builds SQL text"
        if isinstance(argument, ast.Call) and isinstance(argument.func, ast.Attribute):
            assert argument.func.attr not in {"format", "replace", "join"}, f"{path}:{argument.lineno} builds SQL text"
        assert is_fixed_text(argument), f"{path}:{argument.lineno}: {ast.unparse(argument)}"
    for node in ast.walk(tree):  # nor is SQL text assembled elsewhere and passed by name
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            values = [ast.unparse(v.value) for v in node.values if isinstance(v, ast.FormattedValue)]
            # The CLI prints a query for the user to copy, holding only the run's own id (ours, not a page's).
            ours = all(value.endswith("run_id") for value in values)
            assert ours or not SQL_START.match(str(node.values[0].value)), f"{path}:{node.lineno} formats SQL"
    # Processes are started with an argument list (os.execv, subprocess without a shell): a
    # value cannot become shell syntax. A shell is never asked for.
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    for call in calls:
        shell = [k for k in call.keywords if k.arg == "shell"]
        assert not shell or (isinstance(shell[0].value, ast.Constant) and shell[0].value.value is False), (
            f"{path}:{call.lineno} runs a shell"
        )
    names = {call.func.attr for call in calls if isinstance(call.func, ast.Attribute)}
    assert not names & {"system", "popen", "getoutput", "getstatusoutput"}, path


SECRETS = {
    "PREFECT_API_KEY": "pnu_SECRETprefectKEY0123456789",
    "NEWSROOM_API_KEY": "sk-SECRETnewsroomKEY987",
    "NEWSROOM_DATABASE_URL": "postgresql://analyst:SECRETdbPASSWORD@db.internal/news",
    "DATABASE_URL": "postgresql://etl:SECRETotherPASSWORD@db.internal/news",
}
HOSTILE_TEXT = (
    "Robert'); drop table articles; -- said the council. $(rm -rf /tmp/x) `id` ; select * from runs; "
    "\\'; attach 'evil.db' as evil; copy articles to '/tmp/leak.csv'; {run_id} $files ? $1"
)


@pytest.mark.usefixtures("prefect_server")
def test_page_content_is_data_and_secrets_go_nowhere(tmp_path, warehouse, monkeypatch, caplog):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    pages = tmp_path / "pages"
    pages.mkdir()
    title = "Council'; drop table articles; --"
    (pages / "injection.html").write_text(
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        + f"<p>{HOSTILE_TEXT}</p>" * 4 + "</article></body></html>"
    )
    urls = tmp_path / "urls.txt"
    urls.write_text("http://editor:SECRETurlPASSWORD@127.0.0.1/story\n")
    with caplog.at_level(logging.DEBUG):
        report = run([pages], warehouse, url_files=[str(urls)])
    assert (report.counts.loaded, report.counts.rejected) == (1, 1)
    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        assert con.execute("select title from articles").fetchone()[0] == title  # stored verbatim, as data
        assert HOSTILE_TEXT in con.execute("select text from articles").fetchone()[0]
        assert con.execute("select reason from rejects").fetchone()[0] == "bad_url"
        stored = " ".join(
            str(row)
            for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
            ).fetchall()
            for row in con.execute(f'select * from "{schema}"."{table}"').fetchall()  # noqa: S608 - names from the catalog
        )
    files = b" ".join(p.read_bytes() for p in warehouse.rglob("*") if p.is_file() and p.suffix != ".duckdb")
    for secret in [*SECRETS.values(), "SECRETurlPASSWORD"]:
        marker = secret.split("SECRET")[1].split("@")[0]
        assert marker not in stored, f"{marker} stored in the warehouse"
        assert marker.encode() not in files, f"{marker} stored in a warehouse file"
        assert marker not in caplog.text, f"{marker} logged"
    assert not (Path("/tmp/leak.csv")).exists()
