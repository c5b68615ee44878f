-- Finished runs whose outcomes do not add up to their inputs.
select run_id, inputs, loaded, rejected, skipped, deferred
from runs
where status in ('completed', 'deferred')
  and inputs <> loaded + rejected + skipped + deferred
