-- The citations of articles this run replaces go with them (run before delete_replaced_articles.sql).
with replaced as (
    select article_id
    from articles
    where source in (select source from read_parquet($articles))
       or (contains(source, '#gone-') and exists (
            -- a page whose record left its rewritten WARC file, now back (changed) in the same file
            select 1 from read_parquet($articles) n
            where n.url = articles.url
              and starts_with(articles.source, regexp_extract(n.source, '^(.*#)(offset|record)=[0-9]+$', 1) || 'gone-')))
)
delete from citations
where article_id in (select article_id from replaced)
