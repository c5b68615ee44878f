-- Rejects per reason as a share of the inputs the run processed (loaded + rejected).
with processed as (
    select greatest(loaded + rejected, 1) as n from runs where run_id = $run_id
)
select 'reject_rate' as metric, reason as subject, count(*) / any_value(p.n) as value
from rejects, processed p
where run_id = $run_id
group by reason
