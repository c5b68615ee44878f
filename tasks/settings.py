"""One settings model for the whole pipeline.

Values come, in rising priority, from the defaults below, `NEWSROOM_*` environment
variables, and CLI flags (the CLI passes them as keyword arguments).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class Settings(BaseSettings):
    """Pipeline settings; every field can be set with `NEWSROOM_<FIELD>`."""

    model_config = SettingsConfigDict(env_prefix="NEWSROOM_", extra="ignore")

    warehouse: Path = Field(Path("warehouse"), description="Folder holding news.duckdb and the Parquet tables.")
    batch_size: int = Field(100, ge=1, le=10_000, description="Pages per Prefect task.")
    max_input_bytes: int = Field(20 * MIB, ge=1024, description="Largest input accepted, after decompression.")
    min_text_chars: int = Field(40, ge=1, description="Shorter cleaned bodies are rejected as 'no_article'.")
    language_min_chars: int = Field(200, ge=1, description="Bodies this long get language detection from text.")
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="Processes that clean batches in parallel."
    )
    max_reject_rate: float = Field(
        0.5, ge=0, le=1, description="A run rejecting a larger share of its new inputs fails, for a human to look."
    )
    max_failed_runs: int = Field(3, ge=1, description="A source failing this many runs in a row is reported unhealthy.")

    @property
    def database_path(self) -> Path:
        """The DuckDB file inside the warehouse."""
        return self.warehouse / "news.duckdb"
