"""`newsroom` with a timeline: seconds since start at each step of a run, on stderr.

    .venv/bin/python benchmarks/trace_run.py run SOURCES... [newsroom options]

Prints `TRACE <seconds> > step` / `< step` around the steps that decide a run's wall time:
the temporary Prefect server's start and health wait, the flow's import, the head start
(`_clean_ahead`), the flow's stages (plan, cleaning, load), and each batch handed to a
worker process (`ahead #n` / `submit #n`) and finished (`done #n`). Used for the timelines in
benchmarks/RESULTS.md; it changes nothing in the run (wrappers only). Worker processes
re-import this file as `__mp_main__`, hence everything under the `__main__` guard.
"""

from __future__ import annotations

import functools
import sys
import time

START = time.monotonic()


def mark(what: str) -> None:
    print(f"TRACE {time.monotonic() - START:7.2f} {what}", file=sys.stderr, flush=True)


def wrap(owner, name: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def traced(*args, **kwargs):
        mark(f"> {name}")
        try:
            return original(*args, **kwargs)
        finally:
            mark(f"< {name}")

    setattr(owner, name, traced)


def trace_pool() -> None:
    import flows.pool as pool

    count = [0]
    submit, ahead = pool.CleaningPool.submit, pool.CleaningPool.clean_ahead

    def traced_submit(self, fn, *args, **kwargs):
        count[0] += 1
        n = count[0]
        mark(f"  submit #{n}")
        future = submit(self, fn, *args, **kwargs)
        future.add_done_callback(lambda _, n=n: mark(f"  done #{n}"))
        return future

    def traced_ahead(self, batch, settings, prepare):
        count[0] += 1
        n = count[0]
        mark(f"  ahead #{n} ({len(batch)} inputs)")
        ahead(self, batch, settings, prepare)
        self._ahead[tuple(batch)][1].add_done_callback(lambda _, n=n: mark(f"  done #{n}"))

    pool.CleaningPool.submit, pool.CleaningPool.clean_ahead = traced_submit, traced_ahead
    wrap(pool, "start_pool")
    wrap(pool, "stop_pool")


def main() -> None:
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import flows.cli as cli
    import flows.runtime as runtime

    mark("command imported")
    wrap(runtime.TemporaryServer, "wait_ready")
    wrap(runtime, "wait_for_task_runs")
    wrap(cli, "_clean_ahead")
    trace_pool()
    run_imported_flow = cli._run_imported_flow

    def traced_flow(*args, **kwargs):
        import flows.ingest as ingest

        mark("flow imported")
        for step in ("begin_run", "open_run", "plan", "clean_batches", "load", "close_source_run"):
            wrap(ingest, step)
        return run_imported_flow(*args, **kwargs)

    cli._run_imported_flow = traced_flow
    sys.argv = ["newsroom", *sys.argv[1:]]
    try:
        cli.main()
    finally:
        mark("exit")


if __name__ == "__main__":
    main()
