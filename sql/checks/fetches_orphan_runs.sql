-- Fetch log rows whose run is missing or did not complete: fetches load with their run's articles.
select f.url, f.run_id, f.outcome
from fetches f
left join runs r using (run_id)
where r.run_id is null or r.status <> 'completed'
