"""Shared fixtures: one Prefect test server per session, temporary warehouses, input folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.runtime import configure_prefect

configure_prefect()

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
SEED = next((ROOT / "seeds").glob("*.txt"))


@pytest.fixture(scope="session")
def prefect_server():
    """A real Prefect API (temporary SQLite database) shared by all flow tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """An empty warehouse folder."""
    return tmp_path / "warehouse"


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder with the seed article and the two HTML test pages."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    shutil.copy(DATA / "harbour_article.html", folder / "harbour_article.html")
    shutil.copy(DATA / "wahl_artikel.html", folder / "wahl_artikel.html")
    return folder
