-- rejects_by_reason: why inputs did not become articles, per stage and reason, over all runs.
create or replace view rejects_by_reason as
select
    stage,
    reason,
    count(*) as rejects,
    count(distinct source) as sources,
    min(rejected_at) as first_seen,
    max(rejected_at) as last_seen
from rejects
group by all
