-- Rejects whose run is missing or did not complete.
select j.source, j.run_id, j.reason
from rejects j
left join runs r using (run_id)
where r.run_id is null or r.status <> 'completed'
