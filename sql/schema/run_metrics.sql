-- run_metrics: quality measured after each load, one row per (run, metric, subject).
-- metric: rows (subject = table), run_rows (rows the run added, subject = table),
-- null_rate (subject = articles.<column>, over the run's articles), reject_rate (subject = reason,
-- share of the run's processed inputs), check_failures (subject = sql/checks file name).
create table if not exists run_metrics (
    run_id      varchar not null,
    measured_at timestamp not null,  -- UTC
    metric      varchar not null,
    subject     varchar not null,
    value       double not null
);
