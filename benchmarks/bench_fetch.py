"""Fetch throughput and politeness, measured against local servers on many loopback hosts.

Starts HOSTS HTTP servers (127.0.0.2, 127.0.0.3, …), each serving PAGES article pages, runs the
real `ingest` flow over a URL list of all of them, then reads the `fetches` table to report:
  - pages/s of the fetch stage (first request start to last response end) and end to end,
  - the smallest gap between two request starts to the same host (must be >= the host delay).

    .venv/bin/python benchmarks/bench_fetch.py --hosts 40 --pages 10 --delay 1.0
    .venv/bin/python benchmarks/bench_fetch.py --hosts 40 --pages 25 --delay 0
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.runtime import configure_prefect  # noqa: E402

configure_prefect()

import duckdb  # noqa: E402

from tests.integration.local_web import LocalSite, Reply, article_page  # noqa: E402

GAPS_SQL = """
with requests as (
    select split_part(split_part(url, '/', 3), ':', 1) as host, fetched_at,
           lag(fetched_at) over (partition by split_part(split_part(url, '/', 3), ':', 1) order by fetched_at) as previous
    from fetches
    where run_id = $run_id
)
select
    count(distinct host) as hosts,
    min(epoch(fetched_at) - epoch(previous)) as min_gap_s,
    quantile_cont(epoch(fetched_at) - epoch(previous), 0.5) as median_gap_s
from requests
where previous is not null
"""

SPAN_SQL = """
select count(*) filter (where purpose <> 'robots' and outcome = 'fetched') as pages,
       count(*) as requests,
       epoch(max(fetched_at + to_milliseconds(elapsed_ms))) - epoch(min(fetched_at)) as span_s
from fetches
where run_id = $run_id
"""


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--pages", type=int, default=10, help="pages per host")
    parser.add_argument("--delay", type=float, default=1.0, help="NEWSROOM_HOST_DELAY_SECONDS")
    parser.add_argument("--concurrency", type=int, default=8, help="NEWSROOM_FETCH_CONCURRENCY")
    args = parser.parse_args()
    os.environ["NEWSROOM_HOST_DELAY_SECONDS"] = str(args.delay)
    os.environ["NEWSROOM_FETCH_CONCURRENCY"] = str(args.concurrency)

    from flows.ingest import ingest

    sites = [LocalSite(f"127.0.0.{n + 2}").start() for n in range(args.hosts)]
    try:
        urls = []
        for h, site in enumerate(sites):
            site.routes["/robots.txt"] = Reply(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
            for p in range(args.pages):
                site.routes[f"/news/{p}"] = Reply(200, article_page(h * 10_000 + p))
                urls.append(site.url(f"/news/{p}"))
        with tempfile.TemporaryDirectory() as tmp:
            listing = Path(tmp) / "urls.txt"
            listing.write_text("\n".join(urls))
            warehouse = Path(tmp) / "warehouse"
            started = time.perf_counter()
            report = ingest(sources=[], url_files=[str(listing)], warehouse=str(warehouse), allow_private_networks=True)
            wall = time.perf_counter() - started
            with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
                hosts, min_gap, median_gap = con.execute(GAPS_SQL, {"run_id": report.run_id}).fetchone()
                pages, requests, span = con.execute(SPAN_SQL, {"run_id": report.run_id}).fetchone()
    finally:
        for site in sites:
            site.stop()
    print(f"hosts={args.hosts} pages/host={args.pages} host_delay={args.delay}s concurrency={args.concurrency}")
    print(f"inputs={report.counts.inputs} loaded={report.counts.loaded} rejected={report.counts.rejected} "
          f"deferred={report.counts.deferred}")
    print(f"fetch stage: {pages} pages + {requests - pages} robots.txt in {span:.2f} s = {pages / span:.1f} pages/s")
    print(f"end to end (flow body): {report.counts.loaded / report.elapsed_seconds:.1f} pages/s "
          f"({report.elapsed_seconds:.1f} s; with Prefect start-up {wall:.1f} s)")
    print(f"per-host gap between request starts over {hosts} hosts: min {min_gap:.3f} s, median {median_gap:.3f} s "
          f"(host delay {args.delay} s: {'holds' if min_gap >= args.delay else 'VIOLATED'})")


if __name__ == "__main__":
    main()
