-- Articles whose run is missing or did not complete: rows that cannot be traced.
select a.article_id, a.run_id
from articles a
left join runs r using (run_id)
where r.run_id is null or r.status <> 'completed'
