-- source_runs: one row per run of a named (scheduled) source, for its health.
-- A source whose last runs all failed needs a human: see sql/report/source_failure_streak.sql.
create table if not exists source_runs (
    source_name   varchar not null,   -- the name in newsroom.toml, e.g. world-news
    run_id        varchar not null,   -- runs.run_id
    flow_run_id   varchar,            -- Prefect flow run id
    finished_at   timestamp not null, -- UTC
    status        varchar not null,   -- completed | failed
    inputs        bigint,
    loaded        bigint,
    rejected      bigint,
    reject_rate   double,             -- rejected / (loaded + rejected): the new inputs that failed
    message       varchar             -- why the run failed, one sentence
);
