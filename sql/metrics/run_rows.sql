-- Rows the run itself added to each table.
select 'run_rows' as metric, 'articles' as subject, count(*) as value from articles where run_id = $run_id
union all select 'run_rows', 'rejects', count(*) from rejects where run_id = $run_id
union all select 'run_rows', 'entities', count(*) from entities where run_id = $run_id
union all select 'run_rows', 'quotes', count(*) from quotes where run_id = $run_id
union all select 'run_rows', 'citations', count(*) from citations where run_id = $run_id
union all select 'run_rows', 'links', count(*) from links where run_id = $run_id
union all select 'run_rows', 'fetches', count(*) from fetches where run_id = $run_id
