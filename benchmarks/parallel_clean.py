"""Speed-up of cleaning in parallel processes: the same WARC ingested with 1 and with N workers.

Run on demand (not part of the test suite):
    .venv/bin/python benchmarks/parallel_clean.py [WARC] [--pages 600] [--workers 1 2] [--rounds 2]
The first `--pages` HTML responses of the WARC are copied into a smaller WARC (0: all of it).
Each run goes into a fresh warehouse, so every page is cleaned; runs alternate between worker
counts so that a busy shared machine hurts them alike. Prints one line per run (wall time,
CPU time of the run's processes, load average) and the median speed-up.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WARC = ROOT.parent / "shared" / "eval" / "throughput" / "news_pages.warc.gz"


def copy_pages(warc: Path, pages: int, target: Path) -> Path:
    """Write the first `pages` HTML response records of `warc` to `target` (warcio)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    copied = 0
    with open(warc, "rb") as source, open(target, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for record in ArchiveIterator(source):
            content_type = record.http_headers.get_header("Content-Type", "") if record.http_headers else ""
            if record.rec_type == "response" and "html" in content_type:
                writer.write_record(record)
                copied += 1
                if copied == pages:
                    break
    return target


def run_once(warc: Path, workers: int) -> tuple[float, float, str]:
    """Ingest `warc` into a new warehouse with `workers` processes; return wall and CPU seconds and the row counts."""
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Path(folder) / "warehouse"
        command = [str(ROOT / ".venv" / "bin" / "newsroom"), "run", str(warc), "--warehouse", str(warehouse), "--workers", str(workers)]
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        clock = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        elapsed = time.perf_counter() - clock
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
        query = "select count(*) as articles, (select count(*) from rejects) as rejects from articles"
        counts = subprocess.run(
            [command[0], "sql", query, "--warehouse", str(warehouse), "--format", "csv"], check=True, capture_output=True, text=True
        ).stdout.splitlines()[1]
    return elapsed, cpu, counts


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("warc", nargs="?", type=Path, default=DEFAULT_WARC)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        warc = copy_pages(args.warc, args.pages, Path(folder) / "pages.warc.gz") if args.pages else args.warc
        print(f"input {args.warc} ({args.pages or 'all'} pages), {os.cpu_count()} cores", flush=True)
        results: dict[int, list[float]] = {w: [] for w in args.workers}
        for _ in range(args.rounds):
            for workers in args.workers:
                load_before = os.getloadavg()[0]
                elapsed, cpu, counts = run_once(warc, workers)
                results[workers].append(elapsed)
                print(
                    f"workers={workers}: {elapsed:.1f} s wall, {cpu:.1f} s CPU, articles,rejects={counts}, "
                    f"load average before {load_before:.1f}",
                    flush=True,
                )
    base = statistics.median(results[args.workers[0]])
    for workers, times in results.items():
        print(f"workers={workers}: median {statistics.median(times):.1f} s, speed-up {base / statistics.median(times):.2f}x")


if __name__ == "__main__":
    sys.exit(main())
