-- latest_runs: every run, newest first, with its outcome counts, duration and failed quality checks.
create or replace view latest_runs as
with failures as (
    select run_id, sum(value) as check_failures
    from run_metrics
    where metric = 'check_failures'
    group by run_id
)
select
    r.run_id,
    r.status,
    r.started_at,
    r.finished_at,
    date_diff('millisecond', r.started_at, r.finished_at) / 1000.0 as seconds,
    r.inputs,
    r.loaded,
    r.rejected,
    r.skipped,
    r.deferred,
    f.check_failures,
    r.message
from runs r
left join failures f using (run_id)
order by r.started_at desc
