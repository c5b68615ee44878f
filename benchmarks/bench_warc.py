"""WARC benchmark: reading speed (FastWARC vs warcio) and end-to-end ingest of a real archive.

Run on demand (never in the test suite):

    .venv/bin/python benchmarks/bench_warc.py [WARC] [--skip-e2e]

Defaults to ../shared/eval/throughput/news_pages.warc.gz (1,867 real pages). Prints a
Markdown table to paste into benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval" / "throughput" / "news_pages.warc.gz"


def read_fastwarc(path: Path) -> tuple[int, int]:
    from fastwarc.warc import ArchiveIterator

    records = payload = 0
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle, parse_http=True):
            payload += len(record.reader.read())
            records += 1
    return records, payload


def read_warcio(path: Path) -> tuple[int, int]:
    from warcio.archiveiterator import ArchiveIterator

    records = payload = 0
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            payload += len(record.content_stream().read())
            records += 1
    return records, payload


def read_newsroom(path: Path) -> tuple[int, int]:
    """Our scan: every record, pages decoded and hashed (what planning does)."""
    sys.path.insert(0, str(ROOT))
    from tasks.read import scan_inputs
    from tasks.sources import classify_path

    records = pages = 0
    for scanned in scan_inputs([classify_path(path)], 20 * 1024 * 1024):
        records += 1
        pages += scanned.skip_reason is None
    return records, pages


def time_it(fn, path: Path) -> tuple[float, tuple[int, int]]:
    start = time.perf_counter()
    result = fn(path)
    return time.perf_counter() - start, result


def end_to_end(path: Path) -> dict:
    """`newsroom run` on the archive in a fresh warehouse, then a no-op re-run."""
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "wh"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
        command = [str(ROOT / ".venv" / "bin" / "newsroom"), "run", str(path), "--warehouse", str(warehouse)]
        timings = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            timings.append(time.perf_counter() - start)
        import duckdb

        with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
            runs = con.execute(
                "select inputs, loaded, rejected, skipped, epoch(finished_at - started_at) from runs order by started_at"
            ).fetchall()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": timings, "runs": runs, "peak_mib": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warc", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--skip-e2e", action="store_true", help="only measure reading")
    args = parser.parse_args()
    size_mb = args.warc.stat().st_size / 1e6
    print(f"# WARC benchmark: {args.warc.name} ({size_mb:.1f} MB), {time.strftime('%Y-%m-%d')}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| reader | records | payload MB | seconds | records/s | MB/s (file) | MB/s (payload) |")
    print("|---|---|---|---|---|---|---|")
    for name, fn in (("fastwarc", read_fastwarc), ("warcio", read_warcio)):
        seconds, (records, payload) = time_it(fn, args.warc)
        print(
            f"| {name} | {records:,} | {payload / 1e6:.0f} | {seconds:.2f} | {records / seconds:,.0f} "
            f"| {size_mb / seconds:.0f} | {payload / 1e6 / seconds:.0f} |"
        )
    seconds, (records, pages) = time_it(read_newsroom, args.warc)
    print(f"| newsroom scan (decode + hash pages) | {records:,} ({pages:,} pages) | | {seconds:.2f} | {records / seconds:,.0f} | {size_mb / seconds:.0f} | |")
    if args.skip_e2e:
        return
    result = end_to_end(args.warc)
    (first_in, loaded, rejected, skipped, flow_s), (_, _, _, skipped2, flow2_s) = result["runs"]
    print("\n| end to end (`newsroom run`) | wall s | flow s | inputs | loaded | rejected | skipped | pages/s (flow) |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| first run | {result['wall'][0]:.1f} | {flow_s:.1f} | {first_in} | {loaded} | {rejected} | {skipped} | {first_in / flow_s:.1f} |")
    print(f"| no-op re-run | {result['wall'][1]:.1f} | {flow2_s:.1f} | {first_in} | 0 | 0 | {skipped2} | {first_in / flow2_s:.1f} |")
    print(f"\npeak RSS of the newsroom process: {result['peak_mib']:.0f} MiB")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
