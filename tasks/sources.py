"""Expand what the user named (files, folders, WARC archives, URLs, URL lists, feeds, sitemaps)
into input items and web sources. Nothing is read or fetched here: web sources go to the fetch stage."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tasks.records import InputItem

# Suffix (after an optional .gz) -> kind of input.
SUPPORTED_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".warc": "warc"}


# Anything with a scheme is a URL (the fetch stage refuses schemes other than http/https).
_URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://|^(javascript|data|mailto):", re.IGNORECASE)


class SourceNotFound(Exception):
    """A source named on the command line does not exist: the run cannot start."""


@dataclass(frozen=True)
class WebSource:
    """A URL to fetch: `purpose` is "auto" (page, or feed/sitemap by its content), "feed" or "sitemap"."""

    url: str
    purpose: str = "auto"


def is_url(text: str) -> bool:
    """True when a source names a URL rather than a local path."""
    return bool(_URL_RE.match(text.strip()))


def read_url_list(path: str | Path) -> list[str]:
    """The URLs in a list file: one per line; blank lines and `#` comments ignored."""
    try:
        lines = Path(path).expanduser().read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        raise SourceNotFound(f"Source not found: {path}") from None
    except OSError as exc:
        raise SourceNotFound(f"URL list {path} cannot be read: {exc.strerror}") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def expand_web_sources(
    sources: Iterable[str], url_files: Iterable[str] = (), feeds: Iterable[str] = (), sitemaps: Iterable[str] = ()
) -> list[WebSource]:
    """The web sources among the arguments: URLs given directly or in list files, feeds, sitemaps.

    Each URL appears once (the first purpose named wins, explicit feed/sitemap before auto).
    """
    found: dict[str, WebSource] = {}
    for url in feeds:
        found.setdefault(url.strip(), WebSource(url.strip(), "feed"))
    for url in sitemaps:
        found.setdefault(url.strip(), WebSource(url.strip(), "sitemap"))
    for url in [s for s in sources if is_url(s)] + [u for f in url_files for u in read_url_list(f)]:
        found.setdefault(url.strip(), WebSource(url.strip(), "auto"))
    return list(found.values())


def classify_path(path: Path) -> InputItem:
    """Describe one file as an input item: its kind from the name, gzip from `.gz`."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    stem_suffix = Path(name[:-3]).suffix if compressed else path.suffix.lower()
    kind = SUPPORTED_SUFFIXES.get(stem_suffix, "unsupported")
    resolved = path.resolve()
    return InputItem(source=resolved.as_posix(), location=str(resolved), kind=kind, compressed=compressed)


def is_hidden(path: Path, root: Path) -> bool:
    """Whether `path`, found under the folder `root`, is or lies in a hidden entry (".name")."""
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
        if is_url(str(raw)):
            continue  # web sources: see expand_web_sources
        path = Path(raw).expanduser()
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not is_hidden(child, path):
                    item = classify_path(child)
                    if item.kind != "unsupported":
                        items.setdefault(item.source, item)
        elif path.exists():
            item = classify_path(path)
            items.setdefault(item.source, item)
        else:
            raise SourceNotFound(f"Source not found: {raw}")
    return [items[key] for key in sorted(items)]
