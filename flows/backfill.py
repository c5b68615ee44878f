"""`newsroom backfill`: one big input split into shards, cleaned by Prefect workers, loaded once.

The coordinator flow `backfill` plans the run as `ingest` does (reads and fingerprints every
input, asks the warehouse what it already has), splits the inputs to clean into shards and
writes each shard's list to the run's staging folder. Each shard is one run of the
`clean-shard` deployment on a Prefect work pool: whichever worker picks it up cleans it and
writes Parquet into the same staging folder (shared storage when workers run on other
machines). When every shard is done, the coordinator loads the run in one transaction.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from prefect import flow
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.states import Failed
from prefect.types.entrypoint import EntrypointType
from pydantic import TypeAdapter

from flows.ingest import (
    BUSY_AT_LOAD,
    BUSY_AT_START,
    begin_run,
    clean_batches,
    fail_run,
    load,
    make_batches,
    open_run,
    plan,
    run_header,
)
from tasks.batch import PlannedInput
from tasks.load import RunCounts, claim_staging, staging_dir
from tasks.settings import Settings
from tasks.sources import SourceNotFound, expand_sources
from tasks.warehouse import WarehouseBusy, WarehouseError

SHARD_DEPLOYMENT = "newsroom-shards"
SHARD_FLOW = "clean-shard"
SHARD_INPUTS = TypeAdapter(list[list[PlannedInput]])


def split_shards(batches: list[list[PlannedInput]], shards: int) -> list[tuple[int, list[list[PlannedInput]]]]:
    """Split batches into at most `shards` contiguous groups of nearly equal size.

    Each group keeps the number of its first batch, so Parquet part names stay unique
    across shards. Returns (first batch number, batches) pairs; empty groups are left out.
    """
    groups, start = [], 0
    for n in range(shards):
        size = len(batches) // shards + (1 if n < len(batches) % shards else 0)
        if size:
            groups.append((start + 1, batches[start : start + size]))
        start += size
    return groups


def shard_dir(warehouse: Path, run_id: str) -> Path:
    """Where a backfill keeps its shard lists and their outcomes (inside the run's staging folder)."""
    return staging_dir(warehouse, run_id) / "shards"


@flow(name=SHARD_FLOW, persist_result=False)
def clean_shard(shard_file: str, first_part: int, settings: dict, run_id: str, started: datetime) -> dict:
    """Clean one shard of a backfill and stage its Parquet; write its outcome next to its list."""
    settings_ = Settings(**settings)
    batches = SHARD_INPUTS.validate_json(Path(shard_file).read_bytes())
    outcome = {"loaded": 0, "deferred": 0, "rejected": Counter()}
    for batch in clean_batches(batches, settings_, run_id, started, first_part=first_part):
        outcome["loaded"] += batch["loaded"]
        outcome["deferred"] += batch["deferred"]
        outcome["rejected"].update(batch["rejected"])
    outcome_file = Path(shard_file).with_suffix(".outcome.json")
    outcome_file.write_text(json.dumps(outcome), encoding="utf-8")
    return outcome


def register_shard_deployment(pool: str) -> str:
    """Create or update the `clean-shard` deployment on a work pool; return its full name.

    Workers import the flow by module name: every machine runs the same installed newsroom.
    """
    deployment = clean_shard.to_deployment(
        name=SHARD_DEPLOYMENT,
        work_pool_name=pool,
        entrypoint_type=EntrypointType.MODULE_PATH,
        description="One shard of a `newsroom backfill`; started by the backfill flow.",
    )
    deployment.apply()
    return f"{SHARD_FLOW}/{SHARD_DEPLOYMENT}"


def ensure_pool(pool: str) -> None:
    """Create a `process` work pool of that name unless it exists."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
        except ObjectAlreadyExists:
            pass  # created earlier, perhaps with other settings: keep them


def online_workers(pool: str) -> list[str]:
    """Names of the workers polling a work pool now."""
    with get_client(sync_client=True) as client:
        return [w.name for w in client.read_workers_for_work_pool(pool) if str(w.status).upper().endswith("ONLINE")]


def wait_for_shards(flow_run_ids: list, poll_seconds: float = 1.0) -> list[str]:
    """Wait until every shard run is final; return one message per shard that did not complete."""
    pending, failures = set(flow_run_ids), []
    with get_client(sync_client=True) as client:
        while pending:
            for run_id in list(pending):
                state = client.read_flow_run(run_id).state
                if state is not None and state.is_final():
                    pending.discard(run_id)
                    if not state.is_completed():
                        failures.append(f"shard run {run_id} ended {state.name}: {state.message or 'no message'}")
            if pending:
                time.sleep(poll_seconds)
    return failures


@flow(name="backfill", persist_result=False)
def backfill(sources: list[str], shards: int, deployment: str, warehouse: str | None = None, batch_size: int | None = None):
    """Ingest a big input in shards run by Prefect workers, then load it once."""
    overrides = {k: v for k, v in {"warehouse": warehouse, "batch_size": batch_size}.items() if v is not None}
    settings = Settings(**overrides)
    clock = time.perf_counter()
    run_id, started, report = begin_run(settings, sources)
    try:
        items = expand_sources(sources)
        lock = claim_staging(settings.warehouse, run_id)
    except SourceNotFound as exc:
        return Failed(message=str(exc))
    try:
        arguments = {"command": "backfill", "sources": list(sources), "shards": shards, "deployment": deployment}
        header = run_header(settings, run_id, started, arguments, report.flow_run_id)
        open_run(settings, header)
        planned = plan(items, settings, run_id, started)
        if planned is None:
            raise WarehouseBusy(BUSY_AT_START)
        counts = RunCounts(inputs=planned.inputs, skipped_by_reason=planned.skipped_by_reason)
        counts.skipped = sum(planned.skipped_by_reason.values())
        rejected = Counter(planned.rejected_by_reason)
        folder = shard_dir(settings.warehouse, run_id)
        folder.mkdir(parents=True, exist_ok=True)
        runs = []
        for n, (first_part, batches) in enumerate(split_shards(make_batches(planned.todo, settings.batch_size), shards)):
            shard_file = folder / f"shard-{n:04d}.json"
            shard_file.write_bytes(SHARD_INPUTS.dump_json(batches))
            parameters = {
                "shard_file": str(shard_file),
                "first_part": first_part,
                "settings": settings.model_dump(mode="json"),
                "run_id": run_id,
                "started": started,
            }
            runs.append(run_deployment(deployment, parameters=parameters, timeout=0, as_subflow=True).id)
        failures = wait_for_shards(runs)
        if failures:
            message = f"Backfill {run_id}: {len(failures)} of {len(runs)} shards failed, nothing was loaded; first: {failures[0]}"
            fail_run(settings, run_id, message)
            return Failed(message=message)
        for outcome_file in sorted(folder.glob("*.outcome.json")):
            outcome = json.loads(outcome_file.read_text(encoding="utf-8"))
            counts.loaded += outcome["loaded"]
            counts.deferred += outcome["deferred"]
            rejected.update(outcome["rejected"])
        counts.rejected_by_reason = dict(rejected)
        counts.rejected = sum(rejected.values())
        if not counts.balanced():
            raise RuntimeError(f"backfill {run_id} lost track of inputs: {asdict(counts)}")
        report.counts, report.replaced, report.status, _steps = load(settings, header, counts)
        if report.status == "deferred":
            report.message = BUSY_AT_LOAD
        report.task_runs = 2
    except WarehouseError as exc:
        fail_run(settings, run_id, str(exc))
        return Failed(message=str(exc))
    finally:
        report.elapsed_seconds = time.perf_counter() - clock
        lock.close()
    return report
