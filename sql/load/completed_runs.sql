-- Completed runs that deferred nothing, newest first, with the arguments they were started with
-- (`newsroom run` reads them to guess whether a re-run has anything new to clean).
select started_at, arguments
from runs
where status = 'completed' and deferred = 0
order by started_at desc
limit 100
