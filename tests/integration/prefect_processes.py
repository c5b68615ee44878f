"""Long-running Prefect processes for the serve and backfill tests: a server, workers, a clean env."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from flows.server import is_healthy

BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_env(prefect_home: Path) -> dict[str, str]:
    """The environment of a first-time user: no PREFECT_/NEWSROOM_ settings, a fresh Prefect home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSROOM_"))}
    env |= {"PREFECT_HOME": str(prefect_home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "COLUMNS": "200"}
    return env


def wait_healthy(api_url: str, process: subprocess.Popen, seconds: float = 150) -> None:
    """Wait for a Prefect API to answer; fail early if its process died."""
    deadline = time.monotonic() + seconds
    while not is_healthy(api_url):
        assert process.poll() is None, f"the Prefect server exited with {process.returncode}"
        assert time.monotonic() < deadline, f"no Prefect API at {api_url} after {seconds} s"
        time.sleep(0.5)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, seconds: float = 30) -> int:
    """Send `sig` and wait; kill the process if it does not stop in time. Returns its exit code."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
