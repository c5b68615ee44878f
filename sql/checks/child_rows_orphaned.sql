-- Entities, quotes, citations and links whose article is gone (replaced or deleted).
with children as (
    select 'entities' as child_table, article_id from entities
    union all
    select 'quotes', article_id from quotes
    union all
    select 'citations', article_id from citations
    union all
    select 'links', article_id from links
)
select c.child_table, c.article_id
from children c
left join articles a using (article_id)
where a.article_id is null
