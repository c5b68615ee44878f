"""`newsroom serve`: one Prefect deployment per named source of a schedule file, served here.

Prefect's own `serve()` runs the schedules (cron or interval) and starts each flow run in a
subprocess; a deployment's concurrency limit of 1 keeps a source from overlapping itself
(a run due while the last one is still busy waits in the queue).
"""

from __future__ import annotations

from datetime import timedelta

from prefect import serve
from prefect.schedules import Cron, Interval
from prefect.deployments.runner import RunnerDeployment
from prefect.types.entrypoint import EntrypointType

from flows.ingest import ingest
from tasks.schedule import Schedule


def deployment_parameters(name: str, source, schedule: Schedule) -> dict:
    """The `ingest` parameters of one source: paths and URLs are its sources, lists go by kind."""
    parameters = {
        "sources": [*source.paths, *source.urls],
        "url_files": source.url_lists,
        "feeds": source.feeds,
        "sitemaps": source.sitemaps,
        "warehouse": str(schedule.warehouse),
        "source_name": name,
    }
    parameters = {k: v for k, v in parameters.items() if v or k == "sources"}
    parameters |= {k: v for k, v in {"batch_size": source.batch_size, "workers": source.workers}.items() if v is not None}
    return parameters


def build_deployments(schedule: Schedule) -> list[RunnerDeployment]:
    """One deployment of `ingest` per source, with its schedule and a concurrency limit of 1."""
    deployments = []
    for name, source in schedule.sources.items():
        timing = (
            Cron(source.cron, timezone=source.timezone)
            if source.cron
            else Interval(timedelta(seconds=source.interval_seconds), timezone=source.timezone)
        )
        deployments.append(
            ingest.to_deployment(
                name=name,
                parameters=deployment_parameters(name, source, schedule),
                concurrency_limit=1,
                tags=["newsroom"],
                description=f"Ingest the source {name!r} into {schedule.warehouse}.",
                schedule=timing,
                # Runs load the flow by module name, so `serve` works from any folder.
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    return deployments


def serve_deployments(deployments: list[RunnerDeployment]) -> None:
    """Serve deployments until interrupted (Ctrl-C or SIGTERM); their schedules pause on exit."""
    serve(*deployments, print_starting_message=False)
