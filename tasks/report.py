"""A run's summary as Markdown, for the Prefect UI (one artifact per flow run)."""

from __future__ import annotations

import re

import duckdb

from tasks.warehouse import load_sql


def top_sites(con: duckdb.DuckDBPyConnection, run_id: str, top: int = 5) -> list[tuple[str, int]]:
    """The sites a run loaded most articles from, with their article counts."""
    return [(site, n) for site, n in con.execute(load_sql("report/top_sites.sql"), {"run_id": run_id, "top": top}).fetchall()]


def top_speakers(con: duckdb.DuckDBPyConnection, run_id: str, top: int = 5) -> list[tuple[str, int]]:
    """The speakers quoted most in a run's articles, with their quote counts."""
    return [(who, n) for who, n in con.execute(load_sql("report/top_speakers.sql"), {"run_id": run_id, "top": top}).fetchall()]


def artifact_key(source_name: str | None) -> str:
    """The Prefect artifact key of a source's run reports (lowercase letters, digits, dashes)."""
    name = re.sub(r"[^a-z0-9]+", "-", (source_name or "run").lower()).strip("-") or "run"
    return f"newsroom-{name}"


def _reasons(by_reason: dict[str, int]) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))) or "-"


def render_run_report(
    *,
    run_id: str,
    status: str,
    source_name: str | None,
    counts: dict,
    elapsed_seconds: float,
    warehouse: str,
    sites: list[tuple[str, int]],
    message: str | None = None,
    speakers: list[tuple[str, int]] = (),
) -> str:
    """Markdown for one run: outcome counts, reasons, top sites and speakers, speed, where the rows are."""
    speed = counts["inputs"] / elapsed_seconds if elapsed_seconds else 0.0
    title = f"Newsroom run `{run_id}`" + (f" of source **{source_name}**" if source_name else "")
    lines = [f"# {title}", "", f"Status: **{status}**" + (f": {message}" if message else ""), ""]
    lines += [
        "| outcome | inputs | detail |",
        "|---|---:|---|",
        f"| inputs | {counts['inputs']} | |",
        f"| loaded | {counts['loaded']} | |",
        f"| rejected | {counts['rejected']} | {_reasons(counts['rejected_by_reason'])} |",
        f"| skipped | {counts['skipped']} | {_reasons(counts['skipped_by_reason'])} |",
        f"| deferred | {counts['deferred']} | |",
        "",
        f"{elapsed_seconds:.1f} s, {speed:.1f} pages/s",
        "",
    ]
    if sites:
        lines += ["## Top sites", "", "| site | articles |", "|---|---:|"]
        lines += [f"| {site} | {n} |" for site, n in sites]
        lines.append("")
    if speakers:
        lines += ["## Top speakers", "", "| speaker | quotes |", "|---|---:|"]
        lines += [f"| {who} | {n} |" for who, n in speakers]
        lines.append("")
    lines += [
        f"Warehouse: `{warehouse}`. This run's rows: "
        f"`newsroom sql \"select * from articles where run_id = '{run_id}'\" --warehouse {warehouse}`",
    ]
    return "\n".join(lines)
