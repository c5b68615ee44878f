"""Prefect configured for a command-line tool: quiet, offline, and clean at shutdown.

`configure_prefect()` must run before `prefect` is imported. It only sets defaults:
any PREFECT_* variable the user set wins.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.server import is_healthy

# When the `newsroom` command started (set by its entry point): a run records the time
# before its flow began (imports, Prefect server) as its "startup" stage for benchmarks.
COMMAND_STARTED: float | None = None

PREFECT_DEFAULTS = {
    # The tool runs offline: telemetry would only fail and print an error.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Prefect's own INFO lines (temporary server, flow run names) are replaced by our
    # progress bar and summary; warnings and errors still print. --verbose shows INFO.
    "PREFECT_LOGGING_LEVEL": "WARNING",
    # Results are written to the warehouse, not to Prefect's result storage.
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    # A cold temporary server can take >20 s to start on a busy CI machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


# Parallelism is one process per core (--workers); a numerical library that also starts a
# thread per core in each of them (OpenBLAS under spaCy's numpy) only oversubscribes the cores.
THREAD_DEFAULTS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def configure_prefect(verbose: bool = False) -> None:
    """Set Prefect's environment defaults for this process (user settings take precedence)."""
    for key, value in {**PREFECT_DEFAULTS, **THREAD_DEFAULTS}.items():
        os.environ.setdefault(key, value)
    if verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"


class ServerStartError(Exception):
    """The temporary Prefect server did not come up."""


class TemporaryServer:
    """Prefect's temporary API server, started by us before the heavy imports.

    Prefect starts the same server (uvicorn running `prefect.server.api.server:create_app`
    with the UI off) the first time a flow needs an API, which puts its ~5-15 s boot in
    series with everything else, and makes this process import the whole server package
    (~3 s) just to launch it. Started first, the server boots in its own process while this
    one imports the flow (measured in benchmarks/RESULTS.md).
    """

    # the environment Prefect's own SubprocessASGIServer gives its server
    SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}

    def __init__(self) -> None:
        self.port = _free_port()
        # its errors go to a file, read when it fails: a pipe nobody drains would block it
        self.errors = tempfile.TemporaryFile()
        spec = importlib.util.find_spec("prefect")
        app_dir = Path(spec.origin).parent.parent if spec and spec.origin else Path(sys.prefix)
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
                "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
                "--log-level", "error", "--lifespan", "on",
            ],
            env={**os.environ, **self.SERVER_ENV},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.errors,
        )

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_ready(self, timeout: float) -> None:
        """Block until the server answers its health check; ServerStartError if it cannot."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.errors.seek(0)
                detail = self.errors.read().decode(errors="replace").strip().splitlines()
                reason = detail[-1] if detail else f"exit code {self.process.returncode}"
                raise ServerStartError(f"The temporary Prefect server stopped while starting ({reason}).")
            if is_healthy(self.api_url):
                return
            time.sleep(0.05)
        raise ServerStartError(f"The temporary Prefect server did not answer within {timeout:.0f} s.")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.errors.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_early_server() -> TemporaryServer | None:
    """Start the temporary server now, unless PREFECT_API_URL names an API already.

    Call after `configure_prefect` and before importing Prefect; `api_for_flows` then decides
    whether the server is used (a Prefect profile may still name an API).
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    return TemporaryServer()


@contextmanager
def api_for_flows(server: TemporaryServer | None) -> Iterator[bool]:
    """Run flows against `server` when Prefect has no API configured; yield whether it is used.

    The server is stopped on the way out. When a profile names an API, or temporary servers
    are disabled, the early server is stopped and Prefect behaves as configured.
    """
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    settings = get_current_settings()
    if server is None or settings.api.url is not None or not settings.server.ephemeral.enabled:
        if server is not None:
            server.stop()
        yield False
        return
    import prefect.context

    try:
        server.wait_ready(settings.server.ephemeral.startup_timeout_seconds)
        # Process-wide, not only in this thread's settings context: Prefect's background
        # threads (events, logs) read the global settings, and without an API URL each of
        # them would start a temporary server of its own. Task processes inherit the variable.
        os.environ["PREFECT_API_URL"] = server.api_url
        prefect.context.refresh_global_settings_context()
        # No flow-run heartbeats: they tell a lasting server that a run's process still lives,
        # and this server ends with the command. Prefect's heartbeat thread sleeps in whole
        # seconds, so a flow waited up to 1 s for it at its end (~0.5 s a run, measured).
        with temporary_settings({PREFECT_API_URL: server.api_url, "flows.heartbeat_frequency": None}):
            yield True
    finally:
        if os.environ.get("PREFECT_API_URL") == server.api_url:
            del os.environ["PREFECT_API_URL"]
            prefect.context.refresh_global_settings_context()
        server.stop()


def wait_for_task_runs(flow_run_id, expected: int, timeout: float = 15.0) -> bool:
    """Wait until the API has recorded `expected` finished task runs of a flow run.

    Prefect records task runs from events, asynchronously. A temporary server stopped while
    events are still in flight logs tracebacks (`task_run_recorder - Error flushing events`)
    and loses those records. Waiting for them to land makes the shutdown clean without
    silencing anything. Returns False if the timeout passed first.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, TaskRunFilter
    from prefect.client.schemas.objects import TERMINAL_STATES

    finished = TaskRunFilter(state={"type": {"any_": list(TERMINAL_STATES)}})
    flow_runs = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            done = client.read_task_runs(flow_run_filter=flow_runs, task_run_filter=finished, limit=expected + 1)
            if len(done) >= expected:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
