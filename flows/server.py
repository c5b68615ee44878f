"""A local Prefect server for long-running commands (`newsroom serve`, `newsroom backfill`).

`newsroom run` never needs one (Prefect's temporary server does). Commands that outlive a
single flow run need a real API: the one in PREFECT_API_URL if set, else a server on
127.0.0.1 that is reused if already running there, or started here and stopped on exit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_PORT = 4200
STARTUP_SECONDS = 120.0


class ServerError(Exception):
    """The Prefect server could not be started or reached."""


def is_healthy(api_url: str) -> bool:
    """True when a Prefect API answers its health check at `api_url` (…/api)."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=2) as response:  # noqa: S310 - local URL
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _prefect_command() -> list[str]:
    script = Path(sys.executable).with_name("prefect")
    return [str(script)] if script.exists() else [sys.executable, "-m", "prefect"]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def prefect_api(port: int = DEFAULT_PORT, log_path: Path | None = None) -> Iterator[tuple[str, bool]]:
    """Make sure this process talks to a real Prefect API; yield (UI URL, started here).

    Sets PREFECT_API_URL for this process and its children. A server started here runs in
    its own session (Ctrl-C reaches this process, which stops it after its own shutdown)
    and logs to `log_path`.
    """
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        if not is_healthy(configured):
            raise ServerError(f"The Prefect API at {configured} (PREFECT_API_URL) does not answer.")
        yield configured.removesuffix("/").removesuffix("/api"), False
        return
    api_url = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_API_URL"] = api_url
    ui_url = f"http://127.0.0.1:{port}"
    if is_healthy(api_url):
        yield ui_url, False
        return
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*_prefect_command(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not is_healthy(api_url):
            if process.poll() is not None:
                raise ServerError(
                    f"The Prefect server stopped while starting (exit code {process.returncode})"
                    + (f"; see {log_path}." if log_path else ".")
                )
            if time.monotonic() > deadline:
                raise ServerError(f"The Prefect server did not answer on {api_url} within {STARTUP_SECONDS:.0f} s.")
            time.sleep(0.5)
        yield ui_url, True
    finally:
        _stop(process)
        if log_path:
            log.close()
