-- Rows the run itself added to each table.
select 'run_rows' as metric, 'articles' as subject, count(*) as value from articles where run_id = $run_id
union all select 'run_rows', 'rejects', count(*) from rejects where run_id = $run_id
