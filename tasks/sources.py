"""Expand what the user named (files, folders, WARC archives) into input items. Nothing is read here."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tasks.records import InputItem

# Suffix (after an optional .gz) -> kind of input.
SUPPORTED_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".warc": "warc"}


class SourceNotFound(Exception):
    """A source named on the command line does not exist: the run cannot start."""


def classify_path(path: Path) -> InputItem:
    """Describe one file as an input item: its kind from the name, gzip from `.gz`."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    stem_suffix = Path(name[:-3]).suffix if compressed else path.suffix.lower()
    kind = SUPPORTED_SUFFIXES.get(stem_suffix, "unsupported")
    resolved = path.resolve()
    return InputItem(source=resolved.as_posix(), location=str(resolved), kind=kind, compressed=compressed)


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def expand_sources(paths: Iterable[str | Path]) -> list[InputItem]:
    """Turn files and folders into input items, folders recursed for supported files.

    A WARC file stands for all its records; they are listed when the file is read.
    A file named explicitly is always an input (an unsupported one is rejected later, with
    a reason); inside folders only supported files are taken and hidden entries are ignored.
    The result is sorted and free of repeats, so the same sources always give the same order.
    """
    items: dict[str, InputItem] = {}
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not _is_hidden(child, path):
                    item = classify_path(child)
                    if item.kind != "unsupported":
                        items.setdefault(item.source, item)
        elif path.exists():
            item = classify_path(path)
            items.setdefault(item.source, item)
        else:
            raise SourceNotFound(f"Source not found: {raw}")
    return [items[key] for key in sorted(items)]
