-- Rows per table after the load.
select 'rows' as metric, 'articles' as subject, count(*) as value from articles
union all select 'rows', 'rejects', count(*) from rejects
union all select 'rows', 'runs', count(*) from runs
union all select 'rows', 'duplicate_clusters', count(*) from duplicate_clusters
