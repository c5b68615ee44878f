"""Prefect configured for a command-line tool: quiet, offline, and clean at shutdown.

`configure_prefect()` must run before `prefect` is imported. It only sets defaults:
any PREFECT_* variable the user set wins.
"""

from __future__ import annotations

import os
import time

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


def configure_prefect(verbose: bool = False) -> None:
    """Set Prefect's environment defaults for this process (user settings take precedence)."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"


def uses_temporary_server() -> bool:
    """True when no Prefect API is configured, so each run starts its own temporary server."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url is None


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
