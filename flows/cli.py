"""The `newsroom` command."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.runtime import configure_prefect

app = typer.Typer(
    help="Newsroom: news articles from files, web archives and the web into a DuckDB warehouse, cleaned by trafilatura and annotated with entities, quotes, citations and links.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
out = Console()
err = Console(stderr=True)

WORKER_WAIT_SECONDS = 30.0
EXAMPLE_QUERIES = [
    "select title, language, word_count from articles order by ingested_at desc limit 5",
    "select run_id, status, inputs, loaded, rejected, skipped from runs order by started_at desc limit 5",
    "select reason, count(*) as n from rejects group by reason order by n desc",
]


class RichProgress:
    """Shows the flow's phases and pages as a progress bar on stderr."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task = bar.add_task("Starting Prefect", total=None)

    def phase(self, name: str, total: int | None = None) -> None:
        """Start a new phase with `total` steps (None: indeterminate)."""
        self.bar.reset(self.task, description=name, total=total)

    def advance(self, amount: int = 1) -> None:
        """Record `amount` steps done."""
        self.bar.advance(self.task, amount)


def _command_seconds() -> float | None:
    """Seconds since the `newsroom` command started (None when it was not run as the command)."""
    from flows import runtime

    return None if runtime.COMMAND_STARTED is None else time.monotonic() - runtime.COMMAND_STARTED


def _summary(report, database: Path, command_seconds: float | None = None) -> Table:
    """The run's counts, and its time: the whole command's when known (the flow's own time
    leaves out the start-up, the Prefect server and the batches cleaned while it booted)."""
    counts = report.counts
    table = Table(title=f"Run {report.run_id}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column(style="dim")
    replaced = f"{report.replaced} replaced an older version" if report.replaced else ""
    table.add_row("inputs", str(counts.inputs), "")
    table.add_row("loaded", str(counts.loaded), replaced)
    table.add_row("rejected", str(counts.rejected), ", ".join(f"{k} {v}" for k, v in sorted(counts.rejected_by_reason.items())))
    table.add_row("skipped", str(counts.skipped), ", ".join(f"{k} {v}" for k, v in sorted(counts.skipped_by_reason.items())))
    if counts.deferred:
        why = report.message if report.status == "deferred" else "unreachable for now or changed while reading; the next run takes them"
        table.add_row("deferred", str(counts.deferred), why)
    if command_seconds is not None and command_seconds > report.elapsed_seconds:
        start_up = command_seconds - report.elapsed_seconds
        rate = counts.inputs / command_seconds
        table.add_row("elapsed", f"{command_seconds:.1f} s", f"{rate:.1f} inputs/s; start-up {start_up:.1f} s")
    else:
        table.add_row("elapsed", f"{report.elapsed_seconds:.1f} s", f"{report.pages_per_second:.1f} inputs/s")
    table.add_row("warehouse", str(database), f"Parquet in {database.parent / 'parquet'}")
    return table


@app.command()
def run(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files or folders (searched recursively) of .html, .htm, .xhtml, .txt (optionally .gz), .warc(.gz); "
            "http(s) URLs of pages, feeds or sitemaps (told apart by their content).",
            show_default=False,
        ),
    ] = None,
    urls: Annotated[list[Path] | None, typer.Option("--urls", help="A file of URLs, one per line (# comments).")] = None,
    feed: Annotated[list[str] | None, typer.Option("--feed", help="An RSS or Atom feed URL: fetch its items.")] = None,
    sitemap: Annotated[
        list[str] | None, typer.Option("--sitemap", help="A sitemap or sitemap index URL (gzip too): fetch its pages.")
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(help="Only feed/sitemap entries dated on or after this (undated entries are kept).",
                     formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], show_default=False),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many entries per feed or sitemap.")] = None,
    allow_private_networks: Annotated[
        bool, typer.Option("--allow-private-networks", help="Allow fetching private, loopback and link-local addresses.")
    ] = False,
    warehouse: Annotated[
        Path | None,
        typer.Option(help="Warehouse folder \\[default: warehouse, or NEWSROOM_WAREHOUSE]", show_default=False),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Pages per Prefect task \\[default: 100]", show_default=False)] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes cleaning pages in parallel \\[default: number of cores, or NEWSROOM_WORKERS]", show_default=False),
    ] = None,
    no_entities: Annotated[
        bool, typer.Option("--no-entities", help="Skip named-entity recognition (faster; NEWSROOM_ENTITIES=false).")
    ] = False,
    fast: Annotated[
        bool,
        typer.Option(
            "--fast",
            help="Fast cleaning profile: trafilatura's fast mode, one date search (about 25% cheaper cleaning, "
            "body F1 0.950 instead of 0.960 on fundus; NEWSROOM_FAST=true). `newsroom reprocess` upgrades the rows later.",
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's own log lines.")] = False,
) -> None:
    """Ingest articles into the warehouse and print a summary.

    Unchanged inputs are skipped, a changed file replaces its article, and inputs that
    cannot become an article are kept in the [bold]rejects[/bold] table with a reason.
    """
    from tasks.sources import is_url

    sources = sources or []
    if not (sources or urls or feed or sitemap):
        err.print("[red]Nothing to ingest:[/red] name files, folders or URLs, or use --urls, --feed or --sitemap.")
        raise typer.Exit(2)
    missing = [s for s in sources if not is_url(s) and not Path(s).exists()]
    missing += [str(u) for u in urls or [] if not u.exists()]
    if missing:
        err.print(f"[red]Source not found:[/red] {', '.join(missing)}")
        raise typer.Exit(1)
    parameters = dict(
        sources=list(sources),
        warehouse=_str(warehouse),
        batch_size=batch_size,
        url_files=[str(u) for u in urls or []],
        feeds=list(feed or []),
        sitemaps=list(sitemap or []),
        since=since,
        limit=limit,
        allow_private_networks=True if allow_private_networks else None,
        workers=workers,
        entities=False if no_entities else None,
        fast=True if fast else None,
    )
    report = _run_flow(
        "flows.ingest:ingest",
        verbose,
        workers_for=lambda: _workers_for(sources, warehouse, batch_size, workers, no_entities, bool(urls or feed or sitemap)),
        head_start=lambda ready: _clean_ahead(parameters, ready),
        **parameters,
    )
    database = _database(warehouse)
    out.print(_summary(report, database, _command_seconds()))
    out.print("\nAsk the warehouse, for example:")
    command = _self_command()
    for query in EXAMPLE_QUERIES:
        out.print(f'  {command} sql "{query}"', highlight=False, soft_wrap=True)


@app.command()
def reprocess(
    warehouse: Annotated[
        Path | None,
        typer.Option(help="Warehouse folder \\[default: warehouse, or NEWSROOM_WAREHOUSE]", show_default=False),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(help="Only articles ingested at or after this UTC time (YYYY-MM-DD[THH:MM:SS]).", show_default=False),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(help="Only articles whose source matches this pattern (* is a wildcard).", show_default=False),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Pages per Prefect task \\[default: 100]", show_default=False)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's own log lines.")] = False,
) -> None:
    """Re-extract stored articles from their raw inputs (files, WARC records) without fetching.

    Articles whose fields change are replaced, and every changed field is recorded in the
    [bold]article_changes[/bold] table with its old and new value.
    """
    report = _run_flow("flows.reprocess:reprocess", verbose, warehouse=_str(warehouse), since=since, source=source, batch_size=batch_size)
    database = _database(warehouse)
    counts = report.counts
    table = Table(title=f"Reprocess run {report.run_id}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column(style="dim")
    table.add_row("articles", str(counts.inputs), "")
    table.add_row("changed", str(counts.loaded), f"{report.replaced} field changes in article_changes")
    table.add_row("unchanged", str(counts.skipped_by_reason.get("unchanged", 0)), "")
    other = {k: v for k, v in counts.skipped_by_reason.items() if k != "unchanged"}
    if other:
        table.add_row("not re-extracted", str(sum(other.values())), ", ".join(f"{k} {v}" for k, v in sorted(other.items())))
    if counts.rejected:
        table.add_row("rejected now", str(counts.rejected), ", ".join(f"{k} {v}" for k, v in sorted(counts.rejected_by_reason.items())))
    table.add_row("elapsed", f"{report.elapsed_seconds:.1f} s", f"{report.pages_per_second:.1f} articles/s")
    out.print(table)
    if report.replaced:
        query = f"select field, count(*) as n from article_changes where run_id = '{report.run_id}' group by field order by n desc"
        out.print(f'\nWhat changed: {_self_command()} sql "{query}"', highlight=False, soft_wrap=True)
    out.print(f"[dim]warehouse: {database}[/dim]")


def _str(path: Path | None) -> str | None:
    return str(path) if path else None


def _database(warehouse: Path | None) -> Path:
    from tasks.settings import Settings

    return Settings(**({"warehouse": warehouse} if warehouse else {})).database_path


def _self_command() -> str:
    """How the user can call this command again: `newsroom` if it is on PATH, else its path."""
    import shutil

    argv0 = Path(sys.argv[0])
    if argv0.name == "newsroom" and shutil.which("newsroom") == str(argv0.resolve()):
        return "newsroom"
    if argv0.name == "newsroom":
        return os.path.relpath(argv0)
    return "newsroom"


def _workers_for(
    sources: list[str],
    warehouse: Path | None,
    batch_size: int | None,
    workers: int | None,
    no_entities: bool,
    web: bool = False,
) -> tuple[int, str | None] | None:
    """(processes, NER model or None) the run is expected to clean with, to get ready before
    the flow; None when it is expected to clean nothing.

    More than one process: the workers `start_pool` boots next to the Prefect server, for a
    run the flow will split into several batches (more inputs than a quarter batch: see
    `flows.ingest.make_batches`). One: the command's own process, which `_run_flow` warms in a
    thread (imports, the model) while the Prefect server boots, for a run of one batch (the
    flow cleans it there: worker processes would only cost CPU), with `--workers 1`, or with
    web sources (not known before fetching, so they never ask for workers).

    Local sources are counted cheaply (a WARC file as one input per 20 kB). A re-run of the
    same command on files unchanged since its last completed run (no file's inode changed
    since that run started: `st_ctime` moves on writes, renames, `cp -p` and `touch`) would
    skip them all: nothing is made ready for it, which would take the CPU the Prefect server's
    start needs. This is a guess made before the flow plans; when it is wrong the flow starts
    the workers, or loads the model, it needs itself, a few seconds later.
    """
    from pydantic import ValidationError

    from flows.pool import tail_batch_size
    from tasks.settings import Settings
    from tasks.sources import classify_path, is_hidden, is_url

    overrides = {"warehouse": warehouse, "batch_size": batch_size, "workers": workers, "entities": False if no_entities else None}
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError:
        return None  # the flow reports the bad setting
    model = settings.spacy_model if settings.entities else None
    here = (1, model)
    web = web or any(is_url(source) for source in sources)
    several = tail_batch_size(settings.batch_size)  # more inputs than this: several batches
    since = _last_completed_run_of(settings.database_path, sources)
    expected, changed = 0, since is None
    for source in sources:
        if is_url(source):
            continue
        path = Path(source).expanduser()
        if path.is_dir():  # as the flow takes them: hidden entries inside folders are not inputs
            files = (file for file in path.rglob("*") if not is_hidden(file, path))
        else:
            files = [path] if path.is_file() else []
        for file in files:
            try:
                info = file.stat()
            except OSError:
                continue  # gone, or unreadable: the flow reports it
            kind = classify_path(file).kind if S_ISREG(info.st_mode) else "unsupported"
            if kind == "unsupported":
                continue
            expected += 1 + info.st_size // 20_000 if kind == "warc" else 1
            changed = changed or info.st_ctime >= since
            if changed and settings.workers == 1:
                return here  # one changed input is enough to know: no need to look at the rest
            if changed and expected > several:
                return settings.workers, model
    return here if (changed and expected) or web else None


def _last_completed_run_of(database: Path, sources: list[str]) -> float | None:
    """Start (epoch seconds) of the last completed run of these same sources that deferred nothing.

    None when there is none, or when the warehouse cannot be read right now (another process
    writing it): then the caller assumes there is work to do.
    """
    if not database.exists():
        return None
    import duckdb

    from tasks.warehouse import WarehouseError, connect, last_completed_run_of

    try:
        with connect(database, read_only=True, wait_seconds=0) as con:
            started_at = last_completed_run_of(con, sources)
    except (WarehouseError, duckdb.Error):
        return None
    return started_at.replace(tzinfo=UTC).timestamp() if started_at else None  # runs.started_at is naive UTC


def _clean_ahead(parameters: dict, stop: Callable[[], bool]) -> None:
    """Start cleaning the run's batches in the early workers (see `flows.ingest.clean_ahead`).

    Only a head start: if it cannot plan now (a warehouse being written, an unreadable file),
    the flow plans and cleans everything itself, and reports what is wrong.
    """
    from flows.ingest import clean_ahead

    try:
        clean_ahead(**parameters, stop=stop)
    except Exception:  # noqa: BLE001 - the flow meets the same problem and reports it in one sentence
        pass


def _run_flow(
    flow_path: str,
    verbose: bool,
    workers_for: Callable[[], tuple[int, str | None] | None] | None = None,
    head_start: Callable[[Callable[[], bool]], object] | None = None,
    **parameters,
):
    """Run a flow ("module:name") with a progress bar; return its report, or exit with one sentence.

    The flow is imported here, after Prefect's environment defaults are set. `workers_for`,
    called once the Prefect server is starting, says how the run is expected to clean
    ((processes, model), or None: nothing to clean), so that what it needs gets ready next to
    the server: worker processes, or this process warmed in a thread (`flows.pool.warm_here`). `head_start`,
    called after the flow's import while the temporary server is still booting, can give
    those workers the run's first work; its argument says whether the server is up.
    """
    import importlib

    from flows.pool import start_pool, stop_pool, warm_here
    from flows.runtime import start_early_server
    from flows.server import is_healthy

    configure_prefect(verbose)
    # The temporary Prefect server and the cleaning workers boot in their own processes
    # while this one imports the flow.
    server = start_early_server()
    try:
        wanted = workers_for() if workers_for is not None else None
        if wanted is not None:
            start_pool(*wanted)  # only when more than one process
        module, name = flow_path.split(":")
        flow_fn = getattr(importlib.import_module(module), name)
        if head_start is not None and server is not None:
            head_start(lambda: is_healthy(server.api_url))
        if server is not None:
            # What Prefect imports when a flow starts (0.2 s, measured), done while the server boots
            importlib.import_module("fastapi.encoders")
            importlib.import_module("prefect.flow_engine")
        if wanted is not None and wanted[0] == 1:
            # Started after the imports above: two threads importing at once could meet in a cycle.
            warm_here(wanted[1])
    except BaseException:
        stop_pool()
        if server is not None:
            server.stop()
        raise
    try:
        return _run_imported_flow(flow_fn, server, **parameters)
    finally:
        stop_pool()


def _run_imported_flow(flow_fn, server, **parameters):
    """The part of `_run_flow` after the flow's import."""
    from flows.progress import report_to
    from flows.runtime import ServerStartError, api_for_flows, wait_for_task_runs

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with api_for_flows(server) as temporary, Progress(*columns, console=err, transient=True) as bar, report_to(RichProgress(bar)):
            state = flow_fn(**parameters, return_state=True)
            if state.is_completed():
                report = state.result()
                if temporary:
                    bar.update(bar.task_ids[0], description="Finishing", total=None)
                    wait_for_task_runs(state.state_details.flow_run_id, report.task_runs)
    except ServerStartError as exc:
        err.print(f"[red]Run not started:[/red] {exc}")
        raise typer.Exit(1) from None
    if not state.is_completed():
        err.print(f"[red]Run failed:[/red] {state.message}")
        raise typer.Exit(1)
    return report


WarehouseOption = Annotated[
    Path | None,
    typer.Option(help="Warehouse folder \\[default: warehouse, or NEWSROOM_WAREHOUSE]", show_default=False),
]


def _published(warehouse: Path | None) -> Path:
    """The published snapshot readers open, or exit with one sentence when there is none yet."""
    from tasks.settings import Settings

    settings = Settings(**({"warehouse": warehouse} if warehouse else {}))
    if not settings.published_path.exists():
        hint = "`newsroom load` publishes it" if settings.database_path.exists() else "run `newsroom run` first"
        err.print(f"[red]No published warehouse at {settings.published_path}[/red]: {hint}.")
        raise typer.Exit(1)
    return settings.published_path


@app.command()
def serve(
    config: Annotated[Path, typer.Option("--config", "-c", help="Schedule file (see newsroom.example.toml).")] = Path("newsroom.toml"),
    port: Annotated[int, typer.Option(help="Port of the local Prefect server started when PREFECT_API_URL is not set.")] = 4200,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's own log lines.")] = False,
) -> None:
    """Run every source of a schedule file on its cron or interval, until Ctrl-C.

    Each source becomes a Prefect deployment (one run at a time per source). Without
    PREFECT_API_URL a local Prefect server is started (or reused) on 127.0.0.1 for the UI.
    """
    from tasks.schedule import ScheduleError, load_schedule

    try:
        schedule = load_schedule(config)
    except ScheduleError as exc:
        err.print(f"[red]Schedule not usable:[/red] {exc}")
        raise typer.Exit(2) from None
    configure_prefect(verbose)
    from flows.server import ServerError, prefect_api

    schedule.warehouse.mkdir(parents=True, exist_ok=True)
    try:
        with _stop_on_sigterm(), prefect_api(port, log_path=schedule.warehouse / "prefect-server.log") as (ui, started):
            from flows.serve import build_deployments, serve_deployments

            try:
                deployments = build_deployments(schedule)
            except ScheduleError as exc:
                err.print(f"[red]Schedule not usable:[/red] {config}: {exc}")
                raise typer.Exit(2) from None
            where = "started here" if started else "already running"
            out.print(f"Prefect UI: {ui} ({where})")
            for name, source in schedule.sources.items():
                when = f"cron {source.cron!r}" if source.cron else f"every {source.interval_seconds:g} s"
                out.print(f"  serving {name}: {when}, into {schedule.warehouse}", highlight=False)
            out.print("Press Ctrl-C to stop.")
            serve_deployments(deployments)
    except ServerError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass  # Ctrl-C or SIGTERM: the servers above are already shut down
    out.print("Stopped.")


@app.command()
def backfill(
    sources: Annotated[list[Path], typer.Argument(help="Files, folders or WARC archives to ingest.")],
    shards: Annotated[int, typer.Option(min=1, help="Parts the input is split into, one Prefect flow run each.")] = 2,
    pool: Annotated[str, typer.Option(help="Prefect work pool whose workers clean the shards (created if missing).")] = "newsroom",
    warehouse: Annotated[
        Path | None,
        typer.Option(help="Warehouse folder, on storage every worker sees \\[default: warehouse, or NEWSROOM_WAREHOUSE]", show_default=False),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Pages per Prefect task \\[default: 100]", show_default=False)] = None,
    port: Annotated[int, typer.Option(help="Port of a local Prefect server, used when PREFECT_API_URL is not set.")] = 4200,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's own log lines.")] = False,
) -> None:
    """Ingest a big input in shards cleaned by Prefect workers (on this or other machines), loaded once.

    Needs a running Prefect server (PREFECT_API_URL, or `prefect server start` on this machine)
    and at least one worker: [bold]prefect worker start --pool newsroom[/bold] (waited for up
    to 30 s).
    """
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        err.print(f"[red]Source not found:[/red] {', '.join(missing)}")
        raise typer.Exit(1)
    configure_prefect(verbose)
    from flows.server import is_healthy

    api = os.environ.setdefault("PREFECT_API_URL", f"http://127.0.0.1:{port}/api")
    if not is_healthy(api):
        err.print(f"[red]No Prefect server answers at {api}[/red]: start one with `prefect server start`, or set PREFECT_API_URL.")
        raise typer.Exit(1)
    from flows.backfill import ensure_pool, online_workers, register_shard_deployment

    ensure_pool(pool)
    deployment = register_shard_deployment(pool)
    # a worker started moments ago needs a few seconds before its first poll shows it online
    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while not (online := online_workers(pool)) and time.monotonic() < deadline:
        time.sleep(1)
    if not online:
        err.print(f"[red]No worker is polling the work pool {pool!r}[/red]: start one with `prefect worker start --pool {pool}`.")
        raise typer.Exit(1)
    report = _run_flow(
        "flows.backfill:backfill",
        verbose,
        sources=[str(s.resolve()) for s in sources],
        shards=shards,
        deployment=deployment,
        warehouse=_str(warehouse.resolve() if warehouse else None),
        batch_size=batch_size,
    )
    out.print(_summary(report, _database(warehouse)))


@contextmanager
def _stop_on_sigterm():
    """Treat SIGTERM like Ctrl-C while serving, so both stop the runner and the server cleanly."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="The SQL to run (read-only).")],
    warehouse: WarehouseOption = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (required for parquet).")] = None,
    max_width: Annotated[int, typer.Option(help="Cut table cells longer than this.")] = 60,
) -> None:
    """Run one read-only query against the published warehouse and print or save the result."""
    import csv
    import json

    import duckdb
    import pyarrow.parquet as pq

    from tasks.search import load_fts
    from tasks.warehouse import WarehouseError, connect

    if output_format not in ("table", "csv", "json", "parquet"):
        err.print(f"[red]Unknown format {output_format!r}[/red]: use table, csv, json or parquet.")
        raise typer.Exit(2)
    if output_format == "parquet" and output is None:
        err.print("[red]--format parquet needs --output FILE.parquet[/red]")
        raise typer.Exit(2)
    database = _published(warehouse)
    try:
        with connect(database, read_only=True, wait_seconds=5) as con:
            load_fts(con)  # so queries may use the search index's match_bm25
            cursor = con.execute(query)
            if output_format == "parquet":
                result = cursor.fetch_arrow_table()
            else:
                names = [d[0] for d in cursor.description] if cursor.description else []
                rows = cursor.fetchall() if names else []
    except WarehouseError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    except duckdb.Error as exc:
        err.print(f"[red]Query failed:[/red] {str(exc).splitlines()[0]}")
        raise typer.Exit(1) from None
    if output_format == "parquet":
        output.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(result, output, compression="zstd")
        err.print(f"{result.num_rows} row(s) written to {output}")
        return
    with open(output, "w", encoding="utf-8", newline="") if output else _stdout() as handle:
        if output_format == "csv":
            writer = csv.writer(handle)
            writer.writerow(names)
            writer.writerows(rows)
        elif output_format == "json":
            print(json.dumps([dict(zip(names, row, strict=True)) for row in rows], default=str, ensure_ascii=False, indent=1), file=handle)
        else:
            table = Table(*names, show_lines=False)
            for row in rows:
                table.add_row(*(_cell(value, max_width) for value in row))
            Console(file=handle).print(table)
            Console(file=handle).print(f"[dim]{len(rows)} row(s)[/dim]")


def _stdout():
    from contextlib import nullcontext

    return nullcontext(sys.stdout)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to look for, e.g. \"nato trainers\".")],
    warehouse: WarehouseOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many articles to show.")] = 10,
) -> None:
    """Full-text search (BM25 over title and text) in the published warehouse."""
    import duckdb

    from tasks.search import search_articles
    from tasks.warehouse import WarehouseError, connect

    database = _published(warehouse)
    try:
        with connect(database, read_only=True, wait_seconds=5) as con:
            hits = search_articles(con, query, limit)
    except WarehouseError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    except duckdb.Error as exc:
        err.print(f"[red]Search failed:[/red] {str(exc).splitlines()[0]}")
        raise typer.Exit(1) from None
    if not hits:
        out.print(f"No article matches {query!r}.")
        return
    for rank, hit in enumerate(hits, 1):
        date = f"{hit.published_at:%Y-%m-%d}" if hit.published_at else "undated"
        out.print(f"[bold]{rank}. {hit.title or '(no title)'}[/bold]  [dim]{date} · score {hit.score:.2f} · {hit.article_id}[/dim]")
        out.print(f"   [dim]{hit.source}[/dim]", highlight=False)
        out.print(f"   {hit.snippet}", highlight=False, markup=False)


@app.command()
def shell(warehouse: WarehouseOption = None) -> None:
    """Open the DuckDB command line on the published warehouse (read-only, search available)."""
    import os
    import shutil

    from tasks.search import fts_extension_path

    database = _published(warehouse)
    binary = shutil.which("duckdb", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if binary is None:
        err.print("[red]The DuckDB CLI is missing[/red]: install the project (`make install`), it brings duckdb-cli.")
        raise typer.Exit(1)
    load = f"load '{fts_extension_path()}';"
    os.execv(binary, [binary, "-readonly", "-cmd", load, str(database)])


@app.command()
def load(
    warehouse: WarehouseOption = None,
    wait: Annotated[float | None, typer.Option(help="Seconds to wait for the warehouse lock \\[default: 30].", show_default=False)] = None,
) -> None:
    """Load runs whose load was deferred (the warehouse was busy), then refresh and republish."""
    from flows.ingest import load_pending
    from tasks.settings import Settings
    from tasks.warehouse import WarehouseError

    overrides = {k: v for k, v in {"warehouse": warehouse, "lock_wait_seconds": wait}.items() if v is not None}
    settings = Settings(**overrides)
    try:
        loaded = load_pending(settings)
    except WarehouseError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    if loaded:
        out.print(f"Loaded {len(loaded)} deferred run(s): {', '.join(loaded)}")
    else:
        out.print("No deferred run was waiting.")
    out.print(f"Published {settings.published_path}")


def _cell(value, width: int) -> str:
    text = "NULL" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def main() -> None:
    """Entry point of the `newsroom` console script.

    Ends with `_exit_without_teardown`: after a run, the interpreter's own end (freeing every
    module of Prefect, pydantic, DuckDB, pyarrow one by one) took 0.35-0.45 s, measured after
    no-op re-runs, for nothing the command needs.
    """
    from flows import runtime

    runtime.COMMAND_STARTED = time.monotonic()
    try:
        app()
    except SystemExit as exc:  # typer's way to end, every time; anything else ends as Python would
        _exit_without_teardown(exc.code)


def _exit_without_teardown(code: int | str | None) -> NoReturn:
    """Exit as the interpreter would, minus the teardown of its modules.

    Everything the interpreter does that matters still happens: `atexit` handlers run
    (Prefect's, logging's, multiprocessing's), then standard output and error are flushed.
    Every file, Parquet writer and DuckDB connection of a command is closed by the command
    itself, so nothing is left for finalisers. While a thread that is not a daemon still
    runs, the interpreter's own exit (which waits for it) is used instead.
    """
    import atexit
    import threading

    if any(t is not threading.main_thread() and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.exit(code)
    if isinstance(code, str):  # SystemExit("message"): printed, status 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()  # noqa: SLF001 - the interpreter's own last step before teardown
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe (`newsroom … | head`): nothing more can reach it
    os._exit(code or 0)


if __name__ == "__main__":
    main()
