-- runs: one row per pipeline run; inputs = loaded + rejected + skipped + deferred.
create table if not exists runs (
    run_id             varchar not null,
    started_at         timestamp not null,  -- UTC
    finished_at        timestamp,           -- UTC, null while running
    status             varchar not null,    -- running | completed | failed | crashed | deferred (nothing processed: warehouse busy)
    inputs             bigint,
    loaded             bigint,
    rejected           bigint,
    skipped            bigint,
    deferred           bigint,
    rejected_by_reason varchar,             -- JSON object: reason -> count
    skipped_by_reason  varchar,             -- JSON object: unchanged | duplicate -> count
    arguments          varchar,             -- JSON: the sources and settings of the run
    versions           varchar,             -- JSON: newsroom, trafilatura, duckdb, prefect, python
    extractor_version  varchar not null,
    flow_run_id        varchar,             -- Prefect flow run id
    message            varchar              -- one sentence when the run failed
);
