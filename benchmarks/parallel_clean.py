"""Speed-up of cleaning in parallel processes: the same WARC ingested with 1 and with N workers.

Run on demand (not part of the test suite):
    .venv/bin/python benchmarks/parallel_clean.py [WARC] [--workers 1 2]
Each run goes into a fresh warehouse, so every page is cleaned. Prints one line per run
and the speed-up; the load average shows how busy the (shared) machine was.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WARC = ROOT.parent / "shared" / "eval" / "throughput" / "news_pages.warc.gz"


def run_once(warc: Path, workers: int) -> tuple[float, str]:
    """Ingest `warc` into a new warehouse with `workers` processes; return wall seconds and the row counts."""
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Path(folder) / "warehouse"
        command = [str(ROOT / ".venv" / "bin" / "newsroom"), "run", str(warc), "--warehouse", str(warehouse), "--workers", str(workers)]
        clock = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        elapsed = time.perf_counter() - clock
        query = "select count(*) as articles, (select count(*) from rejects) as rejects from articles"
        counts = subprocess.run(
            [command[0], "sql", query, "--warehouse", str(warehouse), "--format", "csv"], check=True, capture_output=True, text=True
        ).stdout.splitlines()[1]
    return elapsed, counts


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("warc", nargs="?", type=Path, default=DEFAULT_WARC)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"input {args.warc}, {os.cpu_count()} cores")
    results = {}
    for workers in args.workers:
        load_before = os.getloadavg()[0]
        elapsed, counts = run_once(args.warc, workers)
        results[workers] = elapsed
        print(f"workers={workers}: {elapsed:.1f} s wall, articles,rejects={counts}, load average before {load_before:.1f}", flush=True)
    base = results[args.workers[0]]
    for workers, elapsed in results.items():
        print(f"speed-up with {workers} workers: {base / elapsed:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
