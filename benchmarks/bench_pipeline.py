"""Pipeline benchmark: Newsroom end to end against stock trafilatura, in one session.

Run on demand (never in the test suite):

    make bench                      # full: the whole throughput corpus (1,867 pages), ~15-25 min
    make bench BENCH_ARGS=--quick   # smoke: 300 pages, a few minutes

Measures on ../shared/eval/throughput/news_pages.warc.gz (or the WARC given):
- the reference: `trafilatura.bare_extraction(with_metadata=True)` on every page, one process,
  measured three times: at the start, before the no-NER rows and at the end. This shared
  machine's pace drifts by up to 30% within a bench, so each row's ratio is taken against the
  reference measured last before it (the "ref" column), and all three are printed;
- `newsroom run` on the WARC into a fresh temporary warehouse, 1 and 2 workers, with and
  without NER (NEWSROOM_ENTITIES=false), and the fast cleaning profile (NEWSROOM_FAST=true): pages/s, ratio to the reference, seconds per stage
  (from the `stage_seconds` metrics the run records), peak memory of the whole process tree
  (PSS summed; the RSS sum, which counts shared pages once per process, next to it);
- cost growth from a small subset to the whole corpus (subset WARCs written with warcio);
- a no-op re-run, and a re-run after 10% of the pages changed (a modified copy of the WARC
  written over the ingested one, so the sources stay the same), three times on copies of the
  warehouse, as one ~20 s run is at the mercy of the machine's pace.

Prints Markdown tables to paste into benchmarks/RESULTS.md, and the raw figures as JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval" / "throughput" / "news_pages.warc.gz"
NEWSROOM = ROOT / ".venv" / "bin" / "newsroom"
# Stages timed inside the batches (summed over batches, so over workers too).
BATCH_STAGES = ("read", "clean", "parse", "entities", "citations", "quotes", "translation", "links", "modified_at", "write")
# The HTTP headers that describe the wire encoding: the copies hold decoded payloads.
WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def read_pages(path: Path, limit: int | None = None) -> list[tuple[str, list[tuple[str, str]], bytes]]:
    """(url, http headers, decoded payload) of the first `limit` HTML response records."""
    from warcio.archiveiterator import ArchiveIterator

    pages = []
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            if "html" not in (record.http_headers.get_header("Content-Type") or "html"):
                continue
            headers = [(k, v) for k, v in record.http_headers.headers if k.lower() not in WIRE_HEADERS]
            pages.append((record.rec_headers.get_header("WARC-Target-URI"), headers, record.content_stream().read()))
            if limit is not None and len(pages) >= limit:
                break
    return pages


def write_warc(pages: list[tuple[str, list[tuple[str, str]], bytes]], path: Path) -> None:
    """A gzipped WARC of response records holding these pages."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, headers, payload in pages:
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http))


def change_pages(pages: list, share: float) -> tuple[list, int]:
    """A copy where every 1/share-th page gets an extra paragraph before </body>; with the count."""
    step = round(1 / share)
    changed, count = [], 0
    for n, (url, headers, payload) in enumerate(pages):
        if n % step == 0:
            cut = payload.rfind(b"</body>")
            cut = len(payload) if cut < 0 else cut
            note = b"<p>Update: this article was amended after publication to correct a detail.</p>"
            payload = payload[:cut] + note + payload[cut:]
            count += 1
        changed.append((url, headers, payload))
    return changed, count


def reference(pages: list) -> dict:
    """Stock trafilatura on every page, one process: the yardstick."""
    import trafilatura

    start = time.perf_counter()
    for url, _, payload in pages:
        trafilatura.bare_extraction(payload, url=url, with_metadata=True)
    seconds = time.perf_counter() - start
    return {"pages": len(pages), "seconds": seconds, "pages_per_s": len(pages) / seconds}


def tree_memory(root: int) -> tuple[int, int]:
    """(PSS, RSS) bytes of a process and all its descendants, summed (from /proc).

    PSS, the proportional set size, counts a page shared by n processes as 1/n in each: its
    sum is the memory the tree holds. The RSS sum counts shared pages once per process (the
    Python runtime and libraries in every process; the spaCy model, which the cleaning
    workers share with the fork server they came from): it overstates the tree's memory,
    and is printed next to PSS for comparison with earlier results.
    """
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        children.setdefault(ppid, []).append(int(entry.name))
    pss = rss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return pss, rss


def run_newsroom(
    warc: Path, warehouse: Path, workers: int, entities: bool, api_url: str | None = None, fast: bool = False
) -> dict:
    """`newsroom run` in a subprocess: wall seconds, peak tree memory, the runs row and its stage seconds.

    Without `api_url` the run starts its own temporary Prefect server (the default for a
    one-off command); with it, the run uses that running server (as scheduled runs do).
    """
    import duckdb

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    env["NEWSROOM_ENTITIES"] = "true" if entities else "false"
    env["NEWSROOM_FAST"] = "true" if fast else "false"
    command = [str(NEWSROOM), "run", str(warc), "--warehouse", str(warehouse), "--workers", str(workers)]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = peak_rss = 0
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.append(process.stdout.read()))
    reader.start()
    while process.poll() is None:
        pss, rss = tree_memory(process.pid)
        peak, peak_rss = max(peak, pss), max(peak_rss, rss)
        time.sleep(0.2)
    reader.join()
    wall = time.perf_counter() - start
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{b''.join(output).decode(errors='replace')[-3000:]}")
    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        run_id, inputs, loaded, rejected, skipped = con.execute(
            "select run_id, inputs, loaded, rejected, skipped from runs order by started_at desc limit 1"
        ).fetchone()
        stages = dict(
            con.execute(
                "select subject, value from run_metrics where run_id = ? and metric = 'stage_seconds'", [run_id]
            ).fetchall()
        )
    work = stages.get("plan", 0) + stages.get("load", 0) + sum(stages.get(s, 0) for s in BATCH_STAGES) / workers
    return {
        "workers": workers, "entities": entities, "wall": wall, "peak_mib": peak / 2**20, "peak_rss_mib": peak_rss / 2**20,
        "inputs": inputs, "loaded": loaded, "rejected": rejected, "skipped": skipped, "stages": stages,
        # Everything that is not reading, cleaning, extracting, writing or loading: process start,
        # Prefect server and task runs, process pool, model loading, staging moves.
        "orchestration": wall - work,
    }


def articles_in(warehouse: Path) -> int:
    """How many articles a benchmark warehouse holds."""
    import duckdb

    with duckdb.connect(str(warehouse / "news.duckdb"), read_only=True) as con:
        return con.execute("select count(*) from articles").fetchone()[0]


def load_average() -> str:
    """The 1/5/15-minute load averages, to judge how busy the shared machine was."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def stage_table(runs: list[tuple[str, dict]], ref: dict) -> list[str]:
    """Markdown: one row per measured run."""
    head = ["run", "pages", "loaded", "wall s", "pages/s", "× ref", "ref pages/s", "peak MiB (PSS)", "RSS sum", "startup", "scan (plan)", *BATCH_STAGES,
            "load+refresh", "orchestration", "orch. %", "load avg after"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in runs:
        s = r["stages"]
        pps = r["inputs"] / r["wall"]
        row_ref = r.get("reference", ref)
        cells = [name, r["inputs"], r["loaded"], f"{r['wall']:.1f}", f"{pps:.1f}", f"{pps / row_ref['pages_per_s']:.2f}",
                 f"{row_ref['pages_per_s']:.1f}",
                 f"{r['peak_mib']:.0f}", f"{r['peak_rss_mib']:.0f}", f"{s.get('startup', 0):.1f}", f"{s.get('plan', 0):.1f}", *(f"{s.get(k, 0):.1f}" for k in BATCH_STAGES),
                 f"{s.get('load', 0):.1f}", f"{r['orchestration']:.1f}", f"{100 * r['orchestration'] / r['wall']:.0f}%",
                 r["load_avg"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return lines


LOAD_STEPS = ("load_transaction", "refresh_search_index", "refresh_duplicates", "refresh_metrics", "refresh_publish")


def load_table(runs: list[tuple[str, dict]]) -> list[str]:
    """Markdown: where each run's load+refresh seconds go, and orchestration without start-up."""
    head = ["run", "load+refresh", "load transaction", "search index", "duplicates", "metrics + checks", "publish snapshot",
            "orchestration", "of it start-up", "rest (processes, Prefect tasks, tail, exit)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in runs:
        s = r["stages"]
        cells = [name, f"{s.get('load', 0):.1f}", *(f"{s.get(k, 0):.1f}" for k in LOAD_STEPS), f"{r['orchestration']:.1f}",
                 f"{s.get('startup', 0):.1f}", f"{r['orchestration'] - s.get('startup', 0):.1f}"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warc", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--quick", action="store_true", help="300 pages (growth from 150): a smoke run")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--server", action="store_true",
        help="also run against an already running Prefect server (no temporary server start), as scheduled runs do",
    )
    args = parser.parse_args()
    size, small = (300, 150) if args.quick else (None, 500)
    print(f"# Pipeline benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    names = ("newsroom", "trafilatura", "spacy", "prefect", "duckdb", "pyarrow")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          + ", ".join(f"{n} {version(n)}" for n in names))
    print(f"command: {' '.join([Path(sys.argv[0]).name, *sys.argv[1:]])}; load average at start: {load_average()}\n", flush=True)
    pages = read_pages(args.warc, size)
    results: dict = {"load_avg_start": load_average()}
    references: list[dict] = []

    def measure_reference(when: str) -> dict:
        ref = reference(pages)
        ref["load_avg"] = load_average()
        ref["when"] = when
        references.append(ref)
        print(f"reference ({when}): bare_extraction(with_metadata=True), 1 process: {ref['pages']} pages in "
              f"{ref['seconds']:.1f} s = {ref['pages_per_s']:.1f} pages/s (load avg {ref['load_avg']})\n", flush=True)
        return ref

    ref = measure_reference("start")
    results["reference"] = ref
    results["references"] = references
    runs: list[tuple[str, dict]] = []

    def measure(
        name: str, warc: Path, warehouse: Path, workers: int, entities: bool, api_url: str | None = None, fast: bool = False
    ) -> dict:
        result = run_newsroom(warc, warehouse, workers, entities, api_url, fast)
        result["load_avg"] = load_average()
        result["reference"] = references[-1]
        runs.append((name, result))
        print(f"  {name}: {result['inputs']} inputs, {result['wall']:.1f} s, peak {result['peak_mib']:.0f} MiB", flush=True)
        return result

    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as tmp:
        folder = Path(tmp)
        corpus, subset = folder / "corpus.warc.gz", folder / "subset.warc.gz"
        write_warc(pages, corpus)
        write_warc(pages[:small], subset)
        first = measure("NER, 2 workers", corpus, folder / "wh-ner-2", 2, True)
        noop = measure("  no-op re-run", corpus, folder / "wh-ner-2", 2, True)
        changed, count = change_pages(pages, 0.10)
        # The changed re-run is short (~20 s), so this machine's pace swings move its ratio by
        # several points: it is measured three times, on copies of the same warehouse.
        for copy in (1, 2):
            shutil.copytree(folder / "wh-ner-2", folder / f"wh-ner-2-copy{copy}")
        write_warc(changed, corpus)  # same path: same sources, 10% new bytes
        before = articles_in(folder / "wh-ner-2")
        rerun = measure(f"  re-run, {count} pages changed", corpus, folder / "wh-ner-2", 2, True)
        # The rewritten archive moved every record behind a changed one: the changed pages
        # must replace their old versions, not add to them.
        rerun["articles_before_after"] = (before, articles_in(folder / "wh-ner-2"))
        reruns = [rerun] + [
            measure(f"  re-run, {count} pages changed, again (copy {copy})", corpus, folder / f"wh-ner-2-copy{copy}", 2, True)
            for copy in (1, 2)
        ]
        for copy in (1, 2):
            shutil.rmtree(folder / f"wh-ner-2-copy{copy}")
        write_warc(pages, corpus)
        measure("NER, 1 worker", corpus, folder / "wh-ner-1", 1, True)
        measure_reference("before the no-NER rows")
        measure("no NER, 2 workers", corpus, folder / "wh-plain-2", 2, False)
        measure("no NER, 1 worker", corpus, folder / "wh-plain-1", 1, False)
        measure("no NER, fast profile, 2 workers", corpus, folder / "wh-fast-2", 2, False, fast=True)
        measure("NER, fast profile, 2 workers", corpus, folder / "wh-fast-ner-2", 2, True, fast=True)
        part = measure(f"NER, 2 workers, first {small} pages", subset, folder / "wh-small", 2, True)
        if args.server:
            sys.path.insert(0, str(ROOT))
            from flows.server import prefect_api

            port = 4290
            saved = os.environ.pop("PREFECT_API_URL", None)
            api_url = f"http://127.0.0.1:{port}/api"
            with prefect_api(port, log_path=folder / "prefect-server.log") as (_, _started):
                # Scheduled runs (`newsroom serve`) re-run the same sources against a running server.
                server_first = measure("NER, 2 workers, running Prefect server", corpus, folder / "wh-server", 2, True, api_url)
                server_noop = measure("  no-op re-run, running server", corpus, folder / "wh-server", 2, True, api_url)
                write_warc(changed, corpus)
                server_rerun = measure(f"  re-run, {count} pages changed, running server", corpus, folder / "wh-server", 2, True, api_url)
                write_warc(pages, corpus)
            os.environ.pop("PREFECT_API_URL", None)
            if saved:
                os.environ["PREFECT_API_URL"] = saved
    measure_reference("end")
    print("references: " + ", ".join(f"{r['when']} {r['pages_per_s']:.1f} pages/s" for r in references)
          + "; each row's × ref is against the last one measured before it")
    print()
    print("\n".join(stage_table(runs, ref)))
    print()
    print("\n".join(load_table(runs)))
    per_page_small = part["wall"] / part["inputs"]
    per_page_full = first["wall"] / first["inputs"]
    print(f"\ngrowth: {part['inputs']} pages {part['wall']:.1f} s ({1000 * per_page_small:.0f} ms/page), "
          f"{first['inputs']} pages {first['wall']:.1f} s ({1000 * per_page_full:.0f} ms/page); "
          f"peak {part['peak_mib']:.0f} → {first['peak_mib']:.0f} MiB")
    shares = [f"{100 * r['wall'] / first['wall']:.0f}%" for r in reruns]
    print(f"re-runs: no-op {100 * noop['wall'] / first['wall']:.0f}% of the first run, "
          f"{count} changed pages {100 * rerun['wall'] / first['wall']:.0f}% "
          f"(three times: {', '.join(shares)}; median {100 * statistics.median(r['wall'] for r in reruns) / first['wall']:.0f}%) "
          f"(articles {rerun['articles_before_after'][0]} before, {rerun['articles_before_after'][1]} after; "
          f"skipped {rerun['skipped']})")
    if args.server:
        print(f"re-runs against the running server: no-op {100 * server_noop['wall'] / server_first['wall']:.0f}% of its first run, "
              f"{count} changed pages {100 * server_rerun['wall'] / server_first['wall']:.0f}%")
    print(f"load average at end: {load_average()}")
    results["runs"] = runs
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
