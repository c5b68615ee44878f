-- The links of articles this load replaces go with them (select_replaced_articles.sql first).
delete from links
where article_id in (select article_id from replaced_articles)
