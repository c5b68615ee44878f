-- The quotes of articles this run replaces go with them (run before delete_replaced_articles.sql).
with replaced as (
    select article_id
    from articles
    where source in (select source from read_parquet($articles))
)
delete from quotes
where article_id in (select article_id from replaced)
