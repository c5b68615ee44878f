"""The schedule file (`newsroom.toml`): named sources, what each reads, and when.

Pure parsing and checking; `flows/serve.py` turns the result into Prefect deployments.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# The kinds of input a source may list; `paths` are local files, folders and WARC archives.
INPUT_KINDS = ("paths", "urls", "url_lists", "sitemaps", "feeds")


class ScheduleError(Exception):
    """The schedule file cannot be used; the message says where and why."""


class ScheduledSource(BaseModel):
    """One named source: its inputs (kinds may be mixed) and exactly one of cron or interval."""

    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    url_lists: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    feeds: list[str] = Field(default_factory=list)
    cron: str | None = None
    interval_seconds: float | None = Field(None, gt=0)
    timezone: str = "UTC"
    batch_size: int | None = Field(None, ge=1)
    workers: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> ScheduledSource:
        if (self.cron is None) == (self.interval_seconds is None):
            raise ValueError("give exactly one of cron or interval_seconds")
        if not any(getattr(self, kind) for kind in INPUT_KINDS):
            raise ValueError(f"give at least one input: {', '.join(INPUT_KINDS)}")
        return self

    def inputs(self) -> dict[str, list[str]]:
        """The non-empty input lists, by kind."""
        return {kind: getattr(self, kind) for kind in INPUT_KINDS if getattr(self, kind)}


class Schedule(BaseModel):
    """The whole file: a warehouse shared by all sources, and the sources by name."""

    model_config = ConfigDict(extra="forbid")

    warehouse: Path = Path("warehouse")
    sources: dict[str, ScheduledSource]

    @model_validator(mode="after")
    def _check(self) -> Schedule:
        if not self.sources:
            raise ValueError("name at least one [sources.NAME] table")
        return self


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]


def parse_schedule(text: str, base: Path) -> Schedule:
    """Parse schedule TOML; relative paths (warehouse, `paths`) are taken from `base`."""
    try:
        schedule = Schedule.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"not valid TOML: {exc}") from None
    except ValidationError as exc:
        raise ScheduleError(_first_error(exc)) from None
    schedule.warehouse = (base / schedule.warehouse).resolve()
    for source in schedule.sources.values():
        source.paths = [str((base / Path(p).expanduser()).resolve()) for p in source.paths]
    return schedule


def load_schedule(path: Path) -> Schedule:
    """Read and check a schedule file; raises ScheduleError with one sentence."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleError(f"{path}: {exc.strerror}") from None
    try:
        return parse_schedule(text, Path(path).resolve().parent)
    except ScheduleError as exc:
        raise ScheduleError(f"{path}: {exc}") from None
