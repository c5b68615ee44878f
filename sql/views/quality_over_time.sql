-- quality_over_time: per run, the articles it loaded, the worst null rates and the failed checks.
-- The long-format details are in run_metrics (metric, subject, value).
create or replace view quality_over_time as
select
    m.run_id,
    any_value(r.started_at) as started_at,
    max(value) filter (where metric = 'run_rows' and subject = 'articles') as articles_loaded,
    max(value) filter (where metric = 'null_rate' and subject = 'articles.title') as title_null_rate,
    max(value) filter (where metric = 'null_rate' and subject = 'articles.published_at') as published_at_null_rate,
    max(value) filter (where metric = 'null_rate' and subject = 'articles.authors') as authors_null_rate,
    sum(value) filter (where metric = 'reject_rate') as reject_rate,
    sum(value) filter (where metric = 'check_failures') as check_failures
from run_metrics m
join runs r using (run_id)
group by m.run_id
