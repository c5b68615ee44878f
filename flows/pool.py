"""The worker processes that clean batches, started as early as possible.

A worker process costs seconds before it cleans its first page: Python's start, the
extraction modules (trafilatura, lxml, pyarrow) and, with entities on, the spaCy model. The
`newsroom run` command starts its workers at once, next to the temporary Prefect server, so
both boot while the command imports the flow (`start_pool`), instead of one after the other.
A flow called any other way (tests, `newsroom serve`, a backfill shard) gets workers of its
own for the duration of its cleaning (`cleaning_pool`).

The workers do not import Prefect: the flow's `clean-batch` tasks run in threads of the flow's
process, record their task runs there, and hand the CPU work to a worker (`tasks.batch`).
This module does not import Prefect either, so the command can start workers before it.

Workers are forked from a fork server (`multiprocessing`'s "forkserver" start method) that
imported the extraction code and loaded the model once (`flows.preload`): each worker starts
warm, and the model's memory is shared between them until written to. The fork server is a
fresh single-threaded process, so forking it is safe where forking the flow's process, with
Prefect's threads, would not be. Where the platform has no fork server, workers are spawned
and warm themselves.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager


class WorkerDied(Exception):
    """A worker process ended in the middle of a batch (killed, or out of memory)."""

    MESSAGE = (
        "A cleaning worker process died (killed, or out of memory); nothing of this run was "
        "loaded, and running the same command again completes it."
    )

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


# A made-up article that takes every step of cleaning and extraction once.
_WARM_UP_PAGE = (
    "<html lang='en'><head><title>Harbour bridge to reopen in May | Example Gazette</title>"
    "<meta property='article:published_time' content='2024-03-05T09:00:00Z'>"
    "<meta name='author' content='Ann Writer'></head><body><article><h1>Harbour bridge to reopen in May</h1>"
    "<p>The harbour bridge will reopen to traffic in May after two years of repairs, the city council said "
    "on Tuesday. Engineers replaced the deck and the cables of the old crossing.</p>"
    "<p>\u201cWe are proud of the work our crews have done,\u201d Mayor Jane Smith told reporters in Portsmouth. "
    "\u201cThe bridge is safer than it has ever been.\u201d</p>"
    "<p>According to the Daily Record, the repairs cost more than planned. Read the "
    "<a href='https://example.org/council'>council's statement</a> for details.</p>"
    "</article></body></html>"
).encode()


# The models (None: entities off) this process was warmed for, itself or by the fork server
# it was forked from.
_warmed_for: set[str | None] = set()


def _warm(model: str | None) -> None:
    """Worker start: import the extraction code and load what the first batch would load.

    Done once in the fork server (`flows.preload`), whose workers inherit it and skip it
    (it would clean the made-up page again: ~20 ms with NER); spawned workers, or workers
    for another model than the fork server's, do it themselves.

    Cleaning and extracting a made-up page loads the rest at once (py3langid's model alone
    is ~0.8 s), while the command waits for the Prefect server, instead of in the first batch.
    """
    if model in _warmed_for:
        return
    _warmed_for.add(model)
    try:
        import tasks.batch  # noqa: F401  (trafilatura, lxml, pyarrow)
        from tasks.clean import clean_page
        from tasks.extract import extract_fields, extract_markup
        from tasks.records import ExtractedFields

        page = clean_page(_WARM_UP_PAGE, "html", url="https://example.org/news/bridge", charset="utf-8")
        fields = extract_markup(page, ExtractedFields())
        if model:
            from tasks.extract.entities import place_names

            place_names()
        extract_fields([page], model or "", entities=model is not None, started=[fields])
    except Exception:  # noqa: BLE001 - the first batch meets the same problem and reports it per article
        pass


def tail_batch_size(batch_size: int) -> int:
    """The size of the batches a run on several workers ends with (`flows.ingest.make_batches`).

    A run of more inputs than this has several batches, and cleans them in worker processes;
    `newsroom run` guesses from it whether to start them early (`flows.cli._workers_for`).
    """
    return max(1, batch_size // 4)


# The thread `warm_here` started, if any.
_warming: threading.Thread | None = None


def warm_here(model: str | None) -> None:
    """Warm this process for cleaning with `model` in a background thread (`_warm_command`).

    For a run that cleans in the command's own process (one batch, `--workers 1`, web
    sources): the imports, py3langid's model and the spaCy model load (~1.5 s of CPU) while
    the temporary Prefect server boots on the other core, instead of after it, when the
    first page is cleaned. `wait_for_warm_up` must be called before cleaning here.
    """
    global _warming
    if _warming is None and model not in _warmed_for:
        _warming = threading.Thread(target=_warm_command, args=(model,), name="newsroom-warm-up", daemon=True)
        _warming.start()


def _warm_command(model: str | None) -> None:
    """`_warm`, and what the command's load imports to sign new articles for duplicates
    (datasketch, with scipy: ~0.4 s)."""
    _warm(model)
    try:
        import datasketch  # noqa: F401
    except ImportError:  # the load meets the same problem and reports it
        pass


def wait_for_warm_up() -> None:
    """Wait for `warm_here`'s thread, if one was started: cleaning beside it could load the
    spaCy model a second time (`load_ner` is cached once loaded, not while loading)."""
    if _warming is not None:
        _warming.join()


def _started() -> bool:
    return True


# What `flows.preload` reads, in the fork server, to know which model to load ("" for none).
PRELOAD_MODEL_VARIABLE = "NEWSROOM_PRELOAD_MODEL"


def _context(model: str | None) -> multiprocessing.context.BaseContext:
    """The fork server, preloading the extraction code and `model`; spawn where there is none.

    Not a plain fork: the parent runs threads (Prefect's, the progress bar's) that a fork would
    copy in whatever state they were. A fork server already running (started for an earlier
    pool of this process) is reused as it is: workers for another model load theirs in `_warm`.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", "flows.preload"])
    saved = os.environ.get(PRELOAD_MODEL_VARIABLE)
    os.environ[PRELOAD_MODEL_VARIABLE] = model or ""  # the fork server starts with this environment
    try:
        forkserver.ensure_running()  # returns at once; the fork server preloads in the background
    finally:
        if saved is None:
            del os.environ[PRELOAD_MODEL_VARIABLE]
        else:
            os.environ[PRELOAD_MODEL_VARIABLE] = saved
    return context


# Pools of this process whose workers came from the fork server, and its guard.
_fork_server_users = 0
_fork_server_lock = threading.Lock()


def _stop_fork_server() -> None:
    """Stop the fork server once no pool needs it: it holds the preloaded model's memory.

    Only when no other pool of this process still has workers from it: the fork server is
    what tells a pool that one of its workers ended. `ForkServer._stop` is what CPython's own
    tests call; where it is missing, the fork server lives on until the process exits.
    """
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # noqa: SLF001 - see the docstring
    if stop is not None:
        stop()


class CleaningPool:
    """`workers` processes, warmed for `model` (None: entities off)."""

    def __init__(self, workers: int, model: str | None) -> None:
        self.workers = workers
        self.model = model
        global _fork_server_users
        with _fork_server_lock:
            self._context = _context(model)
            self._forked = self._context.get_start_method() == "forkserver"
            _fork_server_users += self._forked
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=self._context,
            initializer=_warm,  # already done in the fork server for `model`: then it returns at once
            initargs=(model,),
        )
        # batches cleaned before the flow planned them (`clean_ahead`), by their inputs
        self._ahead: dict[tuple, tuple[object, Future]] = {}
        # The executor starts a process per submitted call while none is idle: start them all
        # now. A forked worker starts only when the fork server has preloaded, and starting it
        # waits for that: in a thread, so that the caller goes on (importing, planning) meanwhile.
        self._starting = threading.Thread(target=self._start_workers, name="newsroom-start-workers", daemon=True)
        self._starting.start()

    def _start_workers(self) -> None:
        try:
            for _ in range(self.workers):
                self._executor.submit(_started)
        except RuntimeError:
            pass  # shut down before its workers started

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def clean_ahead(self, batch: list, settings: object, prepare) -> None:
        """Start cleaning `batch` before its run exists: `prepare(batch, settings)` in a worker.

        The result waits for the flow, which takes it with `take_ahead` if its plan has the
        very same batch and settings; else it is dropped with the pool.
        """
        self._ahead[tuple(batch)] = (settings, self._executor.submit(prepare, batch, settings))

    def take_ahead(self, batch: list, settings: object) -> Future | None:
        """The future of `batch` cleaned ahead with the same settings, or None."""
        settings_then, future = self._ahead.pop(tuple(batch), (None, None))
        return future if future is not None and settings_then == settings else None

    def shutdown(self) -> None:
        self._ahead.clear()
        self._starting.join()
        self._executor.shutdown(wait=True, cancel_futures=True)
        global _fork_server_users
        with _fork_server_lock:
            if self._forked:
                self._forked = False  # a second shutdown does not count twice
                _fork_server_users -= 1
                if _fork_server_users == 0:
                    _stop_fork_server()


_started_pool: CleaningPool | None = None


def start_pool(workers: int, model: str | None) -> None:
    """Start the command's workers now; `cleaning_pool` hands them to the flow."""
    global _started_pool
    if workers > 1 and _started_pool is None:
        _started_pool = CleaningPool(workers, model)


def started_pool() -> CleaningPool | None:
    """The workers `start_pool` started, if any are still running."""
    return _started_pool


def stop_pool() -> None:
    """Stop the workers `start_pool` started (at the command's end)."""
    global _started_pool
    if _started_pool is not None:
        _started_pool.shutdown()
        _started_pool = None


@contextmanager
def cleaning_pool(workers: int, model: str | None) -> Iterator[CleaningPool]:
    """Worker processes for a flow's cleaning: the command's own when they fit, else new ones.

    Either way they stop when the cleaning ends, before the load and refresh, which need the
    memory (NER run, 2 workers: peak 1,646 MiB with the workers kept to the command's end, 1,345 MiB now).
    """
    if _started_pool is not None:
        if (_started_pool.workers, _started_pool.model) == (workers, model):
            try:
                yield _started_pool
            finally:
                stop_pool()  # a command's flow cleans once: free the workers' memory before its load
            return
        stop_pool()  # started for other settings: free its memory before starting the right ones
    pool = CleaningPool(workers, model)
    try:
        yield pool
    finally:
        pool.shutdown()
