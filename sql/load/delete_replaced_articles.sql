-- The articles this load replaces (select_replaced_articles.sql), after their child rows.
delete from articles
where article_id in (select article_id from replaced_articles)
