-- The citations of articles this run replaces go with them (run before delete_replaced_articles.sql).
with replaced as (
    select article_id
    from articles
    where source in (select source from read_parquet($articles))
)
delete from citations
where article_id in (select article_id from replaced)
