"""How a flow tells whoever started it how far it got, without knowing who that is.

The CLI installs a rich progress bar with `report_to(...)`; tests and scheduled runs get
the silent default. Prefect copies context variables into task threads, so tasks report too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol


class ProgressSink(Protocol):
    """Receives phase changes and work done."""

    def phase(self, name: str, total: int | None = None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class SilentProgress:
    """Ignores everything: the default outside the CLI."""

    def phase(self, name: str, total: int | None = None) -> None:
        """Ignore a phase change."""

    def advance(self, amount: int = 1) -> None:
        """Ignore progress."""


_sink: ContextVar[ProgressSink | None] = ContextVar("newsroom_progress", default=None)
_SILENT = SilentProgress()


def progress() -> ProgressSink:
    """The sink for the current run."""
    return _sink.get() or _SILENT


@contextmanager
def report_to(sink: ProgressSink) -> Iterator[ProgressSink]:
    """Send progress of flows run inside this block to `sink`."""
    token = _sink.set(sink)
    try:
        yield sink
    finally:
        _sink.reset(token)
