-- The entities of articles this load replaces go with them (select_replaced_articles.sql first).
delete from entities
where article_id in (select article_id from replaced_articles)
