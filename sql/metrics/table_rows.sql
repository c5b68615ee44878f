-- Rows per table after the load.
select 'rows' as metric, 'articles' as subject, count(*) as value from articles
union all select 'rows', 'rejects', count(*) from rejects
union all select 'rows', 'runs', count(*) from runs
union all select 'rows', 'duplicate_clusters', count(*) from duplicate_clusters
union all select 'rows', 'entities', count(*) from entities
union all select 'rows', 'quotes', count(*) from quotes
union all select 'rows', 'citations', count(*) from citations
union all select 'rows', 'links', count(*) from links
union all select 'rows', 'fetches', count(*) from fetches
